import { DescribeStatementCommand, GetStatementResultCommand } from '@aws-sdk/client-redshift-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAndWait } from '../../../../../helpers/testRedshift.ts';
import { createWinsales, type GuideRedshift, startGuideRedshift, useGuideRedshift } from './guideHarness.ts';

describe('Redshift aggregates: result types and scales, as the Developer Guide documents them', () => {
  let g: GuideRedshift;
  beforeAll(async () => {
    g = await startGuideRedshift();
    // A slice of TICKIT's SALES/LISTING columns with their guide types.
    await g.run(
      'create table sales (salesid integer, qtysold smallint, pricepaid decimal(8,2), commission decimal(8,2), big bigint, ratio real, dbl double precision)',
    );
    await g.run(`insert into sales values
      (1, 1, 100.00, 15.00, 4611686018427387904, 0.5, 1.25),
      (2, 2, 200.10, 30.02, 100, 0.25, 2.5),
      (3, 4, 50.05, 7.51, 1, 1, 0)`);
  });
  afterAll(async () => {
    await g.stop();
  });

  async function typed(sql: string) {
    const d = await executeAndWait(g.rs, { Sql: sql });
    expect(d.Status, d.Error).toBe('FINISHED');
    const r = await g.rs.client.send(new GetStatementResultCommand({ Id: d.Id }));
    return { records: r.Records, types: r.ColumnMetadata?.map((c) => [c.typeName, c.precision, c.scale]) };
  }

  it('AVG of an integer column is a BIGINT; of a DECIMAL keeps its scale (r_AVG.html)', async () => {
    // "BIGINT for any integer type argument"; the page's avg(qtysold) prints 2, not 2.0000.
    // (1 + 2 + 4) / 3 = 2.33: the integer result is 2.
    const r = await typed(
      'select avg(qtysold), avg(salesid), avg(pricepaid), avg(dbl), avg(ratio) from sales',
    );
    expect(r.records).toEqual([
      [
        { longValue: 2 },
        { longValue: 2 },
        // "The result scale is the same as the argument scale": (100.00 + 200.10 + 50.05) / 3 = 116.716...
        // cut to 116.71 -- the PIVOT examples page prints avg(price) of 2.50, 3.75, 1.90 as 2.71.
        { stringValue: '116.71' },
        { doubleValue: 1.25 },
        { doubleValue: 0.5833333333333334 },
      ],
    ]);
    expect(r.types?.slice(0, 2)).toEqual([
      ['int8', 19, 0],
      ['int8', 19, 0],
    ]);
    // As a window function and with DISTINCT, the same types.
    expect((await typed('select avg(distinct qtysold) from sales')).records).toEqual([[{ longValue: 2 }]]);
    expect(
      (await typed('select salesid, avg(qtysold) over () from sales order by 1 limit 1')).records,
    ).toEqual([[{ longValue: 1 }, { longValue: 2 }]]);
  });

  it('SUM of integers is a BIGINT, of DECIMAL a NUMERIC with the scale, BIGINT overflow fails (r_SUM.html)', async () => {
    const r = await typed(
      'select sum(qtysold), sum(salesid), sum(commission), sum(dbl), sum(ratio) from sales',
    );
    expect(r.records).toEqual([
      [
        { longValue: 7 },
        { longValue: 6 },
        { stringValue: '52.53' },
        { doubleValue: 3.75 },
        { doubleValue: 1.75 },
      ],
    ]);
    expect(r.types?.map((t) => t[0])).toEqual(['int8', 'int8', 'numeric', 'float8', 'float8']);
    // 2^62 + 100 + 1 fits in a BIGINT; twice that does not.
    expect((await typed('select sum(big) - 4611686018427387904 from sales')).records).toEqual([
      [{ longValue: 101 }],
    ]);
    const overflow = await executeAndWait(g.rs, {
      Sql: 'select sum(big) from (select big from sales union all select big from sales) s',
    });
    expect(overflow.Status).toBe('FAILED');
    expect(overflow.Error).toMatch(/out of range/);
    const d = await g.rs.client.send(new DescribeStatementCommand({ Id: overflow.Id }));
    expect(d.Status).toBe('FAILED');
  });
});

describe('Redshift window functions and conversions, as the Developer Guide documents them', () => {
  const g = useGuideRedshift(createWinsales);

  it('RATIO_TO_REPORT(qty) OVER () is each FLOAT8 share of all quantities (r_WF_RATIO_TO_REPORT.html)', async () => {
    // The page's first example and its printed output (rows within a seller as printed: qty descending).
    const rows = await g.rows(
      'select sellerid, qty, ratio_to_report(qty) over() from winsales order by sellerid, qty desc',
    );
    expect(rows).toEqual(
      [
        [1, 30, 0.13953488372093023],
        [1, 10, 0.046511627906976744],
        [1, 10, 0.046511627906976744],
        [2, 20, 0.09302325581395349],
        [2, 20, 0.09302325581395349],
        [3, 30, 0.13953488372093023],
        [3, 20, 0.09302325581395349],
        [3, 15, 0.06976744186046512],
        [3, 10, 0.046511627906976744],
        [4, 40, 0.18604651162790697],
        [4, 10, 0.046511627906976744],
      ].map(([s, q, r]) => [{ longValue: s }, { longValue: q }, { doubleValue: r }]),
    );
  });

  it('CONVERT(type, expr) is a cast (r_CONVERT_function.html)', async () => {
    expect(
      await g.rows(
        'select convert(numeric(10,2), qty), convert(varchar(20), sellerid) from winsales where salesid = 40001',
      ),
    ).toEqual([[{ stringValue: '40.00' }, { stringValue: '4' }]]);
  });
});
