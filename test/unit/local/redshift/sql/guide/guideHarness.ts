import { GetStatementResultCommand } from '@aws-sdk/client-redshift-data';
import { afterAll, beforeAll } from 'vitest';
import { executeAndWait, startTestRedshift, type TestRedshift } from '../../../../../helpers/testRedshift.ts';

/**
 * A local Redshift for reproducing the Database Developer Guide's examples through the real
 * Data API client: `rows` returns the typed records, `fails` the error of a FAILED statement.
 */
export interface GuideRedshift {
  rs: TestRedshift;
  run(sql: string): Promise<void>;
  rows(sql: string): Promise<unknown[][]>;
  fails(sql: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A GuideRedshift started before the enclosing describe's tests (after `setup`, e.g. the tables the
 * page's examples need) and stopped after them.
 */
export function useGuideRedshift(setup?: (g: GuideRedshift) => Promise<void>): GuideRedshift {
  const live = {} as GuideRedshift;
  beforeAll(async () => {
    Object.assign(live, await startGuideRedshift());
    await setup?.(live);
  });
  afterAll(async () => {
    await live.stop?.();
  });
  return live;
}

export async function startGuideRedshift(): Promise<GuideRedshift> {
  const rs = await startTestRedshift();
  const finished = async (sql: string) => {
    const d = await executeAndWait(rs, { Sql: sql });
    if (d.Status !== 'FINISHED') throw new Error(`${sql}: ${d.Status} ${d.Error}`);
    return d;
  };
  return {
    rs,
    run: async (sql) => {
      await finished(sql);
    },
    rows: async (sql) => {
      const d = await finished(sql);
      return ((await rs.client.send(new GetStatementResultCommand({ Id: d.Id }))).Records ??
        []) as unknown[][];
    },
    fails: async (sql) => {
      const d = await executeAndWait(rs, { Sql: sql });
      if (d.Status !== 'FAILED') throw new Error(`${sql}: expected FAILED, got ${d.Status}`);
      return d.Error ?? '';
    },
    stop: () => rs.stop(),
  };
}

/**
 * The guide's WINSALES table (c_Window_functions.html, "Sample table for window function
 * examples"), row for row: the window-function pages print their outputs over these rows.
 */
export async function createWinsales(g: GuideRedshift): Promise<void> {
  await g.run(
    'create table winsales (salesid int, dateid date, sellerid int, buyerid char(10), qty int, qty_shipped int)',
  );
  await g.run(`insert into winsales values
    (30001, '8/2/2003', 3, 'b', 10, 10), (10001, '12/24/2003', 1, 'c', 10, 10), (10005, '12/24/2003', 1, 'a', 30, null),
    (40001, '1/9/2004', 4, 'a', 40, null), (10006, '1/18/2004', 1, 'c', 10, null), (20001, '2/12/2004', 2, 'b', 20, 20),
    (40005, '2/12/2004', 4, 'a', 10, 10), (20002, '2/16/2004', 2, 'c', 20, 20), (30003, '4/18/2004', 3, 'b', 15, null),
    (30004, '4/18/2004', 3, 'b', 20, null), (30007, '9/7/2004', 3, 'c', 30, null)`);
}

/** Data API records as plain values: the string, long or boolean of each cell, null for isNull. */
export function plainCells(rows: unknown[][]): unknown[][] {
  return rows.map((r) =>
    r.map((c) => {
      const v = c as { stringValue?: string; longValue?: number; booleanValue?: boolean; isNull?: boolean };
      return v.isNull ? null : (v.stringValue ?? v.longValue ?? v.booleanValue);
    }),
  );
}
