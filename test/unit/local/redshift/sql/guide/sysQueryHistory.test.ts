import { BatchExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import { describe, expect, it } from 'vitest';
import { statementName } from '../../../../../../src/dataapi/statementIdentity.ts';
import { setQueryGroup } from '../../../../../../src/sql/queryGroup.ts';
import { waitForStatement } from '../../../../../helpers/testRedshift.ts';
import { plainCells, useGuideRedshift } from './guideHarness.ts';

const cells = plainCells;

describe('SYS_QUERY_HISTORY (SYS_QUERY_HISTORY.html): the statements run through the Data API', () => {
  const g = useGuideRedshift();

  it("finds a run's statements by the query_group label the workflow sets (query_label)", async () => {
    const label = statementName('orders', 'run-7f3a', 'load');
    const { Id } = await g.rs.client.send(
      new BatchExecuteStatementCommand({
        ClusterIdentifier: 'local',
        Database: g.rs.database,
        Sqls: [
          setQueryGroup(label),
          'create table orders (id int, amount decimal(8,2))',
          'insert into orders values (1, 9.50), (2, 12.00)',
          'select id from orders order by id',
        ],
      }),
    );
    expect((await waitForStatement(g.rs.client, Id as string)).Status).toBe('FINISHED');
    // Someone else's statement, without the label.
    await g.run('select 1');
    const rows =
      await g.rows(`select trim(query_type), trim(status), returned_rows, trim(query_text), start_time <= end_time,
        elapsed_time >= 0, trim(database_name) = current_database()
      from sys_query_history where trim(query_label) = '${label}' order by query_id`);
    expect(cells(rows)).toEqual([
      ['DDL', 'success', 0, 'create table orders (id int, amount decimal(8,2))', true, true, true],
      ['INSERT', 'success', 0, 'insert into orders values (1, 9.50), (2, 12.00)', true, true, true],
      ['SELECT', 'success', 2, 'select id from orders order by id', true, true, true],
    ]);
    // docs/operate.md's query for one run's statements, by label prefix.
    const operate =
      await g.rows(`SELECT query_id, query_type, status, start_time, elapsed_time / 1000 AS ms, TRIM(query_label) AS label
      FROM sys_query_history
      WHERE query_label LIKE 'rt:orders:run-7f3a%'
      ORDER BY start_time`);
    expect(operate.map((r) => (r[5] as { stringValue: string }).stringValue)).toEqual([label, label, label]);
    // Without a query_group the label is `default`, as in STL_QUERY.
    expect(
      cells(
        await g.rows(
          "select count(*) from sys_query_history where trim(query_text) = 'select 1' and trim(query_label) = 'default'",
        ),
      ),
    ).toEqual([[1]]);
  });

  it('keeps a failed statement with its error, though its transaction rolled back', async () => {
    expect(await g.fails('select * from no_such_table')).toMatch(/does not exist/);
    const rows =
      await g.rows(`select trim(query_type), trim(status), trim(error_message) from sys_query_history
      where trim(query_text) = 'select * from no_such_table'`);
    expect(cells(rows)).toEqual([['SELECT', 'failed', 'relation "no_such_table" does not exist']]);
  });

  it('each statement has its own query_id, the one DescribeStatement returns as RedshiftQueryId', async () => {
    const { Id } = await g.rs.client.send(
      new BatchExecuteStatementCommand({
        ClusterIdentifier: 'local',
        Database: g.rs.database,
        Sqls: ["set query_group to 'ids'", 'select 41', 'select 42'],
      }),
    );
    const d = await waitForStatement(g.rs.client, Id as string);
    const ids = (d.SubStatements ?? []).slice(1).map((s) => s.RedshiftQueryId);
    const rows = await g.rows(
      "select query_id from sys_query_history where trim(query_label) = 'ids' order by query_id",
    );
    expect(cells(rows)).toEqual(ids.map((id) => [id]));
  });
});
