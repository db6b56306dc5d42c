import { BatchExecuteStatementCommand, GetStatementResultCommand } from '@aws-sdk/client-redshift-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAndWait, waitForStatement } from '../../../../../helpers/testRedshift.ts';
import { type GuideRedshift, startGuideRedshift } from './guideHarness.ts';

describe('Computations with numeric values (r_numeric_computations201.html)', () => {
  let g: GuideRedshift;
  beforeAll(async () => {
    g = await startGuideRedshift();
    // SALES.PRICEPAID and SALES.COMMISSION are DECIMAL(8,2): some values do not fit DECIMAL(7,3).
    await g.run(
      'create table sales (salesid integer, qtysold smallint, pricepaid decimal(8,2), commission decimal(8,2))',
    );
    await g.run('insert into sales values (1, 4, 728.00, 109.20), (2, 2, 12345.00, 1851.75)');
  });
  afterAll(async () => {
    await g.stop();
  });

  /** Records and (name, type, precision, scale) of each result column, through the AWS SDK. */
  async function typed(sql: string) {
    const d = await executeAndWait(g.rs, { Sql: sql });
    expect(d.Status, d.Error).toBe('FINISHED');
    const r = await g.rs.client.send(new GetStatementResultCommand({ Id: d.Id }));
    return {
      records: r.Records,
      types: r.ColumnMetadata?.map((c) => [c.name, c.typeName, c.precision, c.scale]),
    };
  }

  it('a cast that some values do not fit fails with "Numeric data overflow (result precision)"', async () => {
    expect(await g.fails('select pricepaid::decimal(7,3) from sales')).toMatch(
      /^ERROR: {1,2}Numeric data overflow \(result precision\)$/,
    );
    // The values that fit are cast as asked.
    expect(await g.rows('select pricepaid::decimal(7,3) from sales where salesid = 1')).toEqual([
      [{ stringValue: '728.000' }],
    ]);
  });

  it('PRICEPAID / COMMISSION, both DECIMAL(8,2), is DECIMAL(17,9), as the page computes it', async () => {
    // "Precision = 8-2 + 2 + max(4,2+8-2+1) = 17, Scale = max(4,2+8-2+1) = 9, Result = DECIMAL(17,9)".
    for (const sql of [
      'select pricepaid / commission from sales where salesid = 1',
      'select commission / pricepaid from sales where salesid = 1',
    ]) {
      const r = await typed(sql);
      expect(r.types).toEqual([['?column?', 'numeric', 17, 9]]);
      expect((r.records?.[0]?.[0] as { stringValue?: string } | undefined)?.stringValue).toMatch(
        /^\d+\.\d{9}$/,
      );
    }
    // 728.00 / 109.20 = 6.6666666666...: nine digits of scale (the last one rounded).
    expect(
      (await typed('select pricepaid / commission as ratio from sales where salesid = 1')).records,
    ).toEqual([[{ stringValue: '6.666666667' }]]);
  });

  it("+ - and * follow the page's table: max(s1,s2) and s1+s2 scales", async () => {
    const r = await typed(
      'select pricepaid + commission, pricepaid - commission, pricepaid * commission from sales where salesid = 1',
    );
    // + -: scale max(2,2) = 2, precision max(6,6) + 1 + 2 = 9; *: scale 4, precision 8 + 8 + 1 = 17.
    expect(r.types).toEqual([
      ['?column?', 'numeric', 9, 2],
      ['?column?', 'numeric', 9, 2],
      ['?column?', 'numeric', 17, 4],
    ]);
    expect(r.records).toEqual([
      [{ stringValue: '837.20' }, { stringValue: '618.80' }, { stringValue: '79497.6000' }],
    ]);
  });

  it('an integer with a DECIMAL computes as the DECIMAL of its type; casts and literals need no column', async () => {
    // INT2 qtysold counts as DECIMAL(5,0): 728.00 / 4 has scale max(4, 2 + 5 - 0 + 1) = 8, precision 6 + 0 + 8.
    const r = await typed('select pricepaid / qtysold, qtysold * commission from sales where salesid = 1');
    expect(r.types).toEqual([
      ['?column?', 'numeric', 14, 8],
      ['?column?', 'numeric', 14, 2],
    ]);
    expect(r.records).toEqual([[{ stringValue: '182.00000000' }, { stringValue: '436.80' }]]);
    // DECIMAL(5,2) / DECIMAL(5,2): scale max(4, 2 + 5 - 2 + 1) = 6, precision 3 + 2 + 6 = 11.
    const c = await typed('select 1.23::decimal(5,2) / 3::decimal(5,2)');
    expect(c.types).toEqual([['?column?', 'numeric', 11, 6]]);
    expect(c.records).toEqual([[{ stringValue: '0.410000' }]]);
  });

  it('an alias, ORDER BY on it and nested + - * keep their meaning', async () => {
    const r = await typed(
      'select salesid, (pricepaid - commission) * 2 as twice from sales order by twice desc',
    );
    // (DECIMAL(9,2)) * INT4 as DECIMAL(10,0): scale 2, precision 9 + 10 + 1 = 20.
    expect(r.types?.[1]).toEqual(['twice', 'numeric', 20, 2]);
    expect(r.records).toEqual([
      [{ longValue: 2 }, { stringValue: '20986.50' }],
      [{ longValue: 1 }, { stringValue: '1237.60' }],
    ]);
  });

  it('SUM and AVG of DECIMAL(8,2) are DECIMAL(38,2) (r_SUM.html, r_AVG.html)', async () => {
    const r = await typed('select sum(pricepaid), avg(commission) from sales');
    expect(r.types).toEqual([
      ['sum', 'numeric', 38, 2],
      ['avg', 'numeric', 38, 2],
    ]);
    // (109.20 + 1851.75) / 2 = 980.475: AVG keeps the argument's scale.
    expect(r.records).toEqual([[{ stringValue: '13073.00' }, { stringValue: '980.47' }]]);
  });

  it('GROUP BY a position and a WHERE with a parameter keep the types: the probe reads only FROM', async () => {
    const d = await executeAndWait(g.rs, {
      Sql: 'select salesid, sum(pricepaid) * 2 from sales where salesid = :id group by 1',
      Parameters: [{ name: 'id', value: '2' }],
    });
    expect(d.Status, d.Error).toBe('FINISHED');
    const r = await g.rs.client.send(new GetStatementResultCommand({ Id: d.Id }));
    // SUM is DECIMAL(38,2), times 2 keeps scale 2 (s1 + 0).
    expect(r.Records).toEqual([[{ longValue: 2 }, { stringValue: '24690.00' }]]);
    expect((await typed('select salesid, sum(pricepaid) from sales group by 1 order by 1')).types).toEqual([
      ['salesid', 'int4', 10, 0],
      ['sum', 'numeric', 38, 2],
    ]);
  });

  it('in a transactional batch the probe leaves the transaction as it was', async () => {
    const { Id } = await g.rs.client.send(
      new BatchExecuteStatementCommand({
        ClusterIdentifier: 'local',
        Database: g.rs.database,
        Sqls: [
          'create table probe_batch (n int)',
          'select pricepaid / commission from sales',
          'insert into probe_batch values (1)',
        ],
      }),
    );
    expect((await waitForStatement(g.rs.client, Id as string)).Status).toBe('FINISHED');
    expect(await g.rows('select count(*) from probe_batch')).toEqual([[{ longValue: 1 }]]);
  });

  it("CREATE TABLE AS gives its columns the query's Redshift types (r_CREATE_TABLE_AS.html)", async () => {
    // "The table columns have names and data types associated with the output columns of the query."
    await g.run(
      'create table sales_ratio as select salesid, pricepaid / commission as ratio, pricepaid * commission from sales',
    );
    expect(
      await g.rows(
        "select column_name, data_type, numeric_precision, numeric_scale from information_schema.columns where table_name = 'sales_ratio' order by ordinal_position",
      ),
    ).toEqual([
      [{ stringValue: 'salesid' }, { stringValue: 'integer' }, { longValue: 32 }, { longValue: 0 }],
      [{ stringValue: 'ratio' }, { stringValue: 'numeric' }, { longValue: 17 }, { longValue: 9 }],
      [{ stringValue: '?column?' }, { stringValue: 'numeric' }, { longValue: 17 }, { longValue: 4 }],
    ]);
    expect(await g.rows('select ratio from sales_ratio where salesid = 1')).toEqual([
      [{ stringValue: '6.666666667' }],
    ]);
  });

  it('INSERT ... SELECT stores the quotient as computed at scale 9, then cast to the column', async () => {
    await g.run('create table ratio_wide (ratio decimal(38,12))');
    await g.run('insert into ratio_wide select pricepaid / commission from sales where salesid = 1');
    // 6.666666667 (DECIMAL(17,9)) widened to scale 12, not 6.666666666667.
    expect(await g.rows('select ratio from ratio_wide')).toEqual([[{ stringValue: '6.666666667000' }]]);
  });

  it('a subquery in FROM computes with the same types as a top-level SELECT', async () => {
    const r = await typed(
      'select s.ratio, s.total from (select pricepaid / commission as ratio, sum(pricepaid) over () as total from sales where salesid = 1) s',
    );
    expect(r.records).toEqual([[{ stringValue: '6.666666667' }, { stringValue: '728.00' }]]);
    expect(r.types?.[0]).toEqual(['ratio', 'numeric', 17, 9]);
    const joined = await typed(
      'select x.salesid, x.q from sales s join (select salesid, pricepaid / qtysold as q from sales) x on x.salesid = s.salesid where s.salesid = 1',
    );
    // QTYSOLD is a SMALLINT, DECIMAL(5,0) here: scale = max(4, 2 + 5 - 0 + 1) = 8.
    expect(joined.records).toEqual([[{ longValue: 1 }, { stringValue: '182.00000000' }]]);
  });

  it('division by zero is an error', async () => {
    expect(await g.fails('select pricepaid / 0 from sales')).toMatch(/division by zero/);
  });
});
