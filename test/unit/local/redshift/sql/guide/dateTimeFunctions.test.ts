import { describe, expect, it } from 'vitest';
import { useGuideRedshift } from './guideHarness.ts';

// Each case reproduces an example of the Amazon Redshift Database Developer Guide and the output
// it prints (page named in the test).
describe('Redshift date and time functions, as the Developer Guide prints them', () => {
  const g = useGuideRedshift();

  it('ADD_MONTHS keeps the end of the month (r_ADD_MONTHS.html)', async () => {
    expect(
      await g.rows(
        "select add_months('2008-03-31', 1), add_months('2008-04-30', 1), add_months('2008-01-01 05:07:30', 1)",
      ),
    ).toEqual([
      [
        { stringValue: '2008-04-30 00:00:00' },
        { stringValue: '2008-05-31 00:00:00' },
        { stringValue: '2008-02-01 05:07:30' },
      ],
    ]);
    // The same rule on a DATE column (the page's TRUNC(ADD_MONTHS(caldate, 12)) example).
    await g.run('create table date_t (caldate date)');
    await g.run("insert into date_t values ('2008-01-01'), ('2008-01-02'), ('2008-02-29')");
    expect(
      await g.rows(
        'select distinct trunc(add_months(caldate, 12)) as calplus12, trunc(caldate) as cal from date_t order by 1 asc',
      ),
    ).toEqual([
      [{ stringValue: '2009-01-01' }, { stringValue: '2008-01-01' }],
      [{ stringValue: '2009-01-02' }, { stringValue: '2008-01-02' }],
      [{ stringValue: '2009-02-28' }, { stringValue: '2008-02-29' }],
    ]);
  });

  it('DATEADD month-end and leap-day rules (r_DATEADD_function.html)', async () => {
    expect(
      await g.rows(`select dateadd(month,1,'2008-04-30'), dateadd(month,12,'2016-02-29'), dateadd(year, 1, '2016-02-29'),
        dateadd(month,18,'2008-02-28'), dateadd(m,30,'2008-02-28')`),
    ).toEqual([
      [
        { stringValue: '2008-05-30 00:00:00' },
        { stringValue: '2017-02-28 00:00:00' },
        { stringValue: '2017-03-01 00:00:00' },
        { stringValue: '2009-08-28 00:00:00' },
        { stringValue: '2008-02-28 00:30:00' },
      ],
    ]);
  });

  it('LAST_DAY returns a DATE (r_LAST_DAY.html)', async () => {
    // The page's "days remaining" query on a small SALES table: rows on the last 7 days of a month.
    await g.run('create table sales_ld (saletime timestamp, qtysold smallint)');
    await g.run(
      "insert into sales_ld values ('2008-02-29 10:00:00', 4), ('2008-02-28 23:59:59', 2), ('2008-02-28 01:00:00', 1), ('2008-03-25 12:00:00', 3), ('2008-03-10 12:00:00', 9)",
    );
    expect(
      await g.rows(
        `select datediff(day, saletime, last_day(saletime)) as "Days Remaining", sum(qtysold)
         from sales_ld where datediff(day, saletime, last_day(saletime)) < 7 group by 1 order by 1`,
      ),
    ).toEqual([
      [{ longValue: 0 }, { longValue: 4 }],
      [{ longValue: 1 }, { longValue: 3 }],
      [{ longValue: 6 }, { longValue: 3 }],
    ]);
    expect(await g.rows("select last_day('2014-01-15 10:00:00'::timestamp)")).toEqual([
      [{ stringValue: '2014-01-31' }],
    ]);
  });

  it('NEXT_DAY (r_NEXT_DAY.html)', async () => {
    expect(await g.rows("select next_day('2014-08-20','Tuesday')")).toEqual([
      [{ stringValue: '2014-08-26' }],
    ]);
    // The marketing-target example: the Monday after each third-quarter date.
    expect(
      await g.rows(
        "select next_day('2008-07-06'::date, 'Monday'), next_day('2008-07-03'::date, 'Mon'), next_day('2008-07-07'::date, 'mo')",
      ),
    ).toEqual([
      [{ stringValue: '2008-07-07' }, { stringValue: '2008-07-07' }, { stringValue: '2008-07-14' }],
    ]);
  });

  it('EXTRACT returns an INTEGER, milliseconds are the fraction of the second (r_EXTRACT_function.html)', async () => {
    expect(
      await g.rows(
        "select extract(minute from timestamp '2009-09-09 12:08:43'), extract(ms from timestamp '2009-09-09 12:08:43.101')",
      ),
    ).toEqual([[{ longValue: 8 }, { longValue: 101 }]]);
    await g.run('create table sales_ex (salesid int, saletime timestamp, pricepaid decimal(8,2))');
    await g.run(
      "insert into sales_ex values (159073, '2008-02-07 11:00:00', 10000), (160318, '2008-02-20 11:00:00', 12000), (161723, '2008-06-25 11:00:00', 10500), (1, '2008-01-01', 9999)",
    );
    expect(
      await g.rows(
        'select salesid, extract(week from saletime) as weeknum from sales_ex where pricepaid > 9999 order by 2',
      ),
    ).toEqual([
      [{ longValue: 159073 }, { longValue: 6 }],
      [{ longValue: 160318 }, { longValue: 8 }],
      [{ longValue: 161723 }, { longValue: 26 }],
    ]);
  });

  it('DATE_PART reads Redshift date parts and returns DOUBLE PRECISION (r_DATE_PART_function.html)', async () => {
    expect(
      await g.rows(
        `SELECT DATE_PART(minute, timestamp '20230104 04:05:06.789'), DATE_PART(week, timestamp '20220502 04:05:06.789'),
                DATE_PART(day, timestamp '20220502 04:05:06.789'), DATE_PART(dayofweek, timestamp '20220502 04:05:06.789'),
                DATE_PART(century, timestamp '20220502 04:05:06.789')`,
      ),
    ).toEqual([
      [{ doubleValue: 5 }, { doubleValue: 18 }, { doubleValue: 2 }, { doubleValue: 1 }, { doubleValue: 21 }],
    ]);
  });
});
