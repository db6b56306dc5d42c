import { GetStatementResultCommand } from '@aws-sdk/client-redshift-data';
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
