import type pg from 'pg';
import { describeStatement } from '../../postgres/describeStatement.ts';

/**
 * Describes the operand probe without running it. Inside a transaction block a failed Parse
 * would abort the caller's transaction, so the probe runs under a savepoint there.
 */
export async function probeOperands(client: pg.ClientBase, sql: string) {
  const guarded = inTransactionBlock(client);
  if (guarded) await client.query('SAVEPOINT redshift_decimal_probe');
  try {
    const fields = await describeStatement(client, sql);
    if (guarded) await client.query('RELEASE SAVEPOINT redshift_decimal_probe');
    return fields;
  } catch {
    if (guarded) await client.query('ROLLBACK TO SAVEPOINT redshift_decimal_probe');
    return undefined;
  }
}

/**
 * True inside BEGIN ... (a batch in TRANSACTION mode or the user's own BEGIN): the status byte
 * of the server's last ReadyForQuery, which pg keeps on the client.
 */
export function inTransactionBlock(client: pg.ClientBase): boolean {
  return (client as unknown as { _txStatus?: string })._txStatus === 'T';
}
