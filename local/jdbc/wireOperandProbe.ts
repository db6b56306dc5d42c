import type pg from 'pg';
import { describeStatement } from '../postgres/describeStatement.ts';
import { SESSION_OPTIONS } from '../redshift/engine/databasePools.ts';
import type { ProbedColumn } from '../redshift/sql/lowerDecimalArithmetic.ts';
import { WireSideConnection } from './wireSideClient.ts';

/**
 * How long the probe waits for a lock before giving up: the client's own open transaction may
 * hold one on the probed table (ALTER, TRUNCATE...), and the client waits on the probe.
 */
const PROBE_LOCK_TIMEOUT = '200ms';

/**
 * The DECIMAL operand probe of one wire connection (lowerDecimalArithmetic's `describe`), on a
 * side connection of the same database and user. The client's own connection is never used, so
 * its transaction is never disturbed; the probe sees committed tables only, and without an answer
 * the statement runs as written.
 */
export function wireOperandProbe(options: { databaseUrl: string; database: string; user: string }): {
  describe(sql: string): Promise<ProbedColumn[] | undefined>;
  end(): Promise<void>;
} {
  const url = new URL(options.databaseUrl);
  url.pathname = `/${encodeURIComponent(options.database)}`;
  url.username = encodeURIComponent(options.user);
  const side = new WireSideConnection({ url: url.toString(), options: SESSION_OPTIONS });
  let ended = false;
  /** The describes running now: `end` waits for them (each is bounded by the lock timeout). */
  const probing = new Set<Promise<unknown>>();

  async function probe(sql: string): Promise<ProbedColumn[] | undefined> {
    if (ended) return undefined;
    let client: pg.Client;
    try {
      client = await side.begin();
    } catch {
      return undefined;
    }
    try {
      await client.query(`SET LOCAL lock_timeout = '${PROBE_LOCK_TIMEOUT}'`);
      return await describeStatement(client, sql);
    } catch (error) {
      side.failed(client, error);
      return undefined;
    } finally {
      await client.query('ROLLBACK').catch(() => {});
    }
  }

  return {
    describe: (sql) => {
      const result = probe(sql);
      probing.add(result);
      void result.finally(() => probing.delete(result));
      return result;
    },
    /** Resolves once the side connection is closed: the engine has read its goodbye. */
    end: async () => {
      ended = true;
      await Promise.all(probing);
      await side.end();
    },
  };
}
