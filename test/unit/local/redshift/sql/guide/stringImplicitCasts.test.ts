import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GuideRedshift, startGuideRedshift } from './guideHarness.ts';

const text = (...values: string[]) => values.map((stringValue) => ({ stringValue }));

describe('String functions cast a non-text argument to text, as the Developer Guide shows', () => {
  let g: GuideRedshift;
  beforeAll(async () => {
    g = await startGuideRedshift();
    // The TICKIT rows the pages print (LISTING.listtime is a TIMESTAMP, CATEGORY.catid a SMALLINT).
    await g.run('create table listing (listid integer, listtime timestamp)');
    await g.run(`insert into listing values (1, '2008-01-24 06:43:29'), (2, '2008-03-05 12:25:29'),
      (3, '2008-11-01 07:35:33'), (6, '2008-08-15 02:08:13'), (9, '2008-09-09 08:03:36')`);
    await g.run('create table category (catid smallint)');
    await g.run('insert into category values (1), (2), (10), (11)');
  });
  afterAll(async () => {
    await g.stop();
  });

  it('SPLIT_PART splits a TIMESTAMP into year, month and day (SPLIT_PART.html)', async () => {
    const rows = await g.rows(`select listtime, split_part(listtime,'-',1) as year,
      split_part(listtime,'-',2) as month, split_part(split_part(listtime,'-',3),' ',1) as day
      from listing where listid in (2, 9) order by listid`);
    // 2008-03-05 12:25:29 | 2008 | 03 | 05 ; 2008-09-09 08:03:36 | 2008 | 09 | 09
    expect(rows).toEqual([
      text('2008-03-05 12:25:29', '2008', '03', '05'),
      text('2008-09-09 08:03:36', '2008', '09', '09'),
    ]);
    // The page's literal examples still behave: the second part, an empty part 4.
    expect(await g.rows("select split_part('abc$def$ghi','$',2), split_part('abc$def$ghi','$',4)")).toEqual([
      text('def', ''),
    ]);
  });

  it("LTRIM trims '2008-' from a TIMESTAMP (r_LTRIM.html)", async () => {
    const rows = await g.rows("select listid, ltrim(listtime, '2008-') from listing order by 1");
    // 1 | 1-24 06:43:29 ; 2 | 3-05 12:25:29 ; 3 | 11-01 07:35:33 ; 6 | 15 02:08:13 ; 9 | 9-09 08:03:36
    expect(rows.map((r) => (r[1] as { stringValue: string }).stringValue)).toEqual([
      '1-24 06:43:29',
      '3-05 12:25:29',
      '11-01 07:35:33',
      '15 02:08:13',
      '9-09 08:03:36',
    ]);
  });

  it('REPEAT treats a numeric argument as a string (r_REPEAT.html)', async () => {
    const rows = await g.rows('SELECT catid, REPEAT(catid,3) FROM category ORDER BY 1,2');
    // 1 | 111 ; 2 | 222 ; 10 | 101010 ; 11 | 111111
    expect(rows).toEqual([
      [{ longValue: 1 }, { stringValue: '111' }],
      [{ longValue: 2 }, { stringValue: '222' }],
      [{ longValue: 10 }, { stringValue: '101010' }],
      [{ longValue: 11 }, { stringValue: '111111' }],
    ]);
  });

  it('SUBSTRING and REVERSE of a TIMESTAMP and an integer read their text; literals are unchanged', async () => {
    expect(
      await g.rows(
        "select substring(listtime, 6, 2), reverse(listid), substring('abc', 2) from listing where listid = 3",
      ),
    ).toEqual([text('11', '3', 'bc')]);
  });
});
