import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
} from '@aws-sdk/client-redshift-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedshift, type TestRedshift } from '../../../helpers/testRedshift.ts';

describe('local Data API: basics', () => {
  let rs: TestRedshift;
  beforeAll(async () => {
    rs = await startTestRedshift();
  });
  afterAll(async () => {
    await rs.stop();
  });

  const target = () => ({ ClusterIdentifier: 'local', Database: rs.database, DbUser: 'awsuser' });

  it('runs a statement asynchronously and returns typed fields', async () => {
    const { Id } = await rs.client.send(
      new ExecuteStatementCommand({
        ...target(),
        Sql: "select 1::int as a, 2.5::numeric(5,2) as b, 'x' as c, true as d, null::int as e, 1.5::float8 as f",
      }),
    );
    const described = await rs.client.send(new DescribeStatementCommand({ Id, WaitTimeSeconds: 10 }));
    expect(described.Status).toBe('FINISHED');
    expect(described.ResultRows).toBe(1);
    expect(described.HasResultSet).toBe(true);
    const result = await rs.client.send(new GetStatementResultCommand({ Id }));
    expect(result.Records).toEqual([
      [
        { longValue: 1 },
        { stringValue: '2.50' },
        { stringValue: 'x' },
        { booleanValue: true },
        { isNull: true },
        { doubleValue: 1.5 },
      ],
    ]);
    expect(result.ColumnMetadata?.map((c) => [c.name, c.typeName, c.precision, c.scale])).toEqual([
      ['a', 'int4', 10, 0],
      ['b', 'numeric', 5, 2],
      ['c', 'text', 0, 0],
      ['d', 'bool', 0, 0],
      ['e', 'int4', 10, 0],
      ['f', 'float8', 17, 17],
    ]);
  });

  it('runs a batch in one transaction', async () => {
    const { Id } = await rs.client.send(
      new BatchExecuteStatementCommand({
        ...target(),
        Sqls: [
          'create table t (a int) diststyle key distkey(a) sortkey(a)',
          'insert into t values (1),(2)',
          'select count(*) from t',
        ],
      }),
    );
    const d = await rs.client.send(new DescribeStatementCommand({ Id, WaitTimeSeconds: 10 }));
    expect(d.Status).toBe('FINISHED');
    expect(d.SubStatements?.map((s) => [s.Id, s.Status, s.ResultRows])).toEqual([
      [`${Id}:1`, 'FINISHED', -1],
      [`${Id}:2`, 'FINISHED', 2],
      [`${Id}:3`, 'FINISHED', 1],
    ]);
    const r = await rs.client.send(new GetStatementResultCommand({ Id: `${Id}:3` }));
    expect(r.Records).toEqual([[{ longValue: 2 }]]);
  });
});
