import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GuideRedshift, startGuideRedshift } from './guideHarness.ts';

const str = (stringValue: string) => ({ stringValue });

describe('TO_DATE, TO_TIMESTAMP, CONVERT_TIMEZONE and TO_CHAR, as the Developer Guide prints them', () => {
  let g: GuideRedshift;
  beforeAll(async () => {
    g = await startGuideRedshift();
    // The TICKIT rows the pages print: LISTING 16 and EVENT 1..5 (STARTTIME).
    await g.run('create table listing (listid integer, listtime timestamp)');
    await g.run("insert into listing values (16, '2008-08-24 09:36:12')");
    await g.run('create table event (eventid integer, starttime timestamp)');
    await g.run(`insert into event values (1, '2008-01-25 14:30:00'), (2, '2008-01-26 20:00:00'),
      (3, '2008-01-26 14:30:00'), (4, '2008-01-26 14:30:00'), (5, '2008-01-26 19:00:00')`);
  });
  afterAll(async () => {
    await g.stop();
  });

  it('TO_DATE reads a format; an overflowing day rolls over unless is_strict (r_TO_DATE_function.html)', async () => {
    expect(await g.rows("select to_date('02 Oct 2001', 'DD Mon YYYY')")).toEqual([[str('2001-10-02')]]);
    // "The result is July 1, 2001, because there are only 30 days in June."
    expect(
      await g.rows("select to_date('20010631', 'YYYYMMDD', FALSE), to_date('20010631', 'YYYYMMDD')"),
    ).toEqual([[str('2001-07-01'), str('2001-07-01')]]);
    expect(await g.fails("select to_date('20010631', 'YYYYMMDD', TRUE)")).toBe(
      'ERROR: date/time field date value out of range: 2001-6-31',
    );
  });

  it('TO_TIMESTAMP returns a TIMESTAMPTZ; 24:38 is the next day unless is_strict (r_TO_TIMESTAMP.html)', async () => {
    // The page runs it on SYSDATE (2021-04-05 19:27:53.281812): the fraction is not in the format.
    expect(
      await g.rows(
        "select to_timestamp(timestamp '2021-04-05 19:27:53.281812', 'YYYY-MM-DD HH24:MI:SS') as seconds",
      ),
    ).toEqual([[str('2021-04-05 19:27:53+00')]]);
    expect(await g.rows("SELECT to_timestamp('2011-12-18 24:38:15', 'YYYY-MM-DD HH24:MI:SS')")).toEqual([
      [str('2011-12-19 00:38:15+00')],
    ]);
    expect(await g.fails("SELECT to_timestamp('2011-12-18 24:38:15', 'YYYY-MM-DD HH24:MI:SS', TRUE)")).toBe(
      'ERROR: date/time field time value out of range: 24:38:15.0',
    );
    // "Formats that include a time zone (TZ, tz, or OF) are not supported as input."
    expect(
      await g.fails("select to_timestamp('2011-12-18 04:38:15 UTC', 'YYYY-MM-DD HH24:MI:SS TZ')"),
    ).toMatch(/not supported as input/);
  });

  it('CONVERT_TIMEZONE with abbreviations, names and offsets (CONVERT_TIMEZONE.html)', async () => {
    // PST is a fixed offset (standard time even in August); US/Pacific follows daylight time.
    expect(
      await g.rows(
        "select listtime, convert_timezone('PST', listtime), convert_timezone('US/Pacific', listtime) from listing where listid = 16",
      ),
    ).toEqual([[str('2008-08-24 09:36:12'), str('2008-08-24 01:36:12'), str('2008-08-24 02:36:12')]]);
    expect(await g.rows("select convert_timezone('EST', 'PST', '20080305 12:25:29')")).toEqual([
      [str('2008-03-05 09:25:29')],
    ]);
    expect(
      await g.rows(
        "select convert_timezone('America/New_York', '2013-02-01 08:00:00'), convert_timezone('America/New_York', '2013-06-01 08:00:00')",
      ),
    ).toEqual([[str('2013-02-01 03:00:00'), str('2013-06-01 04:00:00')]]);
    expect(
      await g.rows(`SELECT CONVERT_TIMEZONE('GMT','NEWZONE +2','2014-05-17 12:00:00') as newzone_plus_2,
        CONVERT_TIMEZONE('GMT','NEWZONE-2:15','2014-05-17 12:00:00') as newzone_minus_2_15,
        CONVERT_TIMEZONE('GMT','America/Los_Angeles+2','2014-05-17 12:00:00') as la_plus_2,
        CONVERT_TIMEZONE('GMT','GMT+2','2014-05-17 12:00:00') as gmt_plus_2`),
    ).toEqual([
      [
        str('2014-05-17 10:00:00'),
        str('2014-05-17 14:15:00'),
        str('2014-05-17 10:00:00'),
        str('2014-05-17 10:00:00'),
      ],
    ]);
  });

  it('TO_CHAR of timestamps, dates and numbers; TZ of a TIMESTAMP prints UTC (r_TO_CHAR.html)', async () => {
    expect(
      await g.rows(`select to_char(timestamp '2009-12-31 23:15:59', 'MONTH-DY-DD-YYYY HH12:MIPM'),
        to_char(timestamp '2009-12-31 23:15:59', 'DDD'), to_char(timestamp '2022-05-16 23:15:59', 'ID'),
        to_char(timestamp '2009-12-31 23:15:59','HH24:MI:SS'), to_char(-125.8, '999D99S')`),
    ).toEqual([
      [str('DECEMBER -THU-31-2009 11:15PM'), str('365'), str('1'), str('23:15:59'), str('125.80-')],
    ]);
    // MONTH pads the name to nine characters, as the first example shows ('DECEMBER -THU').
    expect(await g.rows("select to_char(date '2009-12-31', 'MONTH')")).toEqual([[str('DECEMBER ')]]);
    expect(
      await g.rows(
        "select starttime, to_char(starttime, 'MON-DD-YYYY HH12:MIPM') from event where eventid=1",
      ),
    ).toEqual([[str('2008-01-25 14:30:00'), str('JAN-25-2008 02:30PM')]]);
    expect(
      await g.rows(
        "select to_char(starttime, 'HH12:MI:SS TZ') from event where eventid between 1 and 5 order by eventid",
      ),
    ).toEqual(
      ['02:30:00 UTC', '08:00:00 UTC', '02:30:00 UTC', '02:30:00 UTC', '07:00:00 UTC'].map((t) => [str(t)]),
    );
    expect(await g.rows("select to_char(timestamp '2009-12-31 23:15:59', 'HH24:MI OF')")).toEqual([
      [str('23:15 +00')],
    ]);
  });
});
