import { notFound, validation } from '../api/dataApiError.ts';
import { type StatementRecord, type SubStatement, TERMINAL } from '../statements/statementRecord.ts';
import type { ServiceState } from './serviceState.ts';

const ID_PATTERN = /^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}(:\d{1,2})?$/;

/** The statement (and batch sub-statement, for `<id>:n`) an Id names. */
export function findStatement(
  state: ServiceState,
  id: string,
): { record: StatementRecord; sub: SubStatement | undefined } {
  if (!ID_PATTERN.test(id)) {
    throw validation(
      `Id "${id}" is not a statement id: expected a UUID, optionally followed by :n for a batch sub-statement.`,
    );
  }
  const [base, suffix] = id.split(':');
  const record = state.statements.get(base as string);
  if (record === undefined) throw notFound(`Query does not exist: ${id}`, id);
  if (suffix === undefined) return { record, sub: undefined };
  if (!record.isBatch) throw notFound(`Query does not exist: ${id} (statement ${base} is not a batch)`, id);
  const sub = record.subs[Number(suffix) - 1];
  if (sub === undefined)
    throw notFound(`Query does not exist: ${id} (the batch has ${record.subs.length} statements)`, id);
  return { record, sub };
}

/** Waits until the statement ends or `seconds` pass, whichever is first. */
export async function waitFor(record: StatementRecord, seconds: number): Promise<void> {
  if (TERMINAL.has(record.status)) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, seconds * 1000);
  });
  await Promise.race([record.done, timeout]);
  clearTimeout(timer);
}

/** Drops statements past their retention, and old client tokens. */
export function sweep(state: ServiceState): void {
  const horizon = Date.now() - state.options.retentionMs;
  for (const [id, record] of state.statements) {
    if (record.createdAt.getTime() >= horizon) break; // Map keeps insertion (= creation) order.
    if (!TERMINAL.has(record.status)) continue;
    for (const sub of record.subs) state.resultBytes -= sub.result?.size ?? 0;
    state.statements.delete(id);
  }
  const tokenHorizon = Date.now() - 8 * 3600 * 1000;
  for (const [token, entry] of state.clientTokens) {
    if (entry.at >= tokenHorizon) break;
    state.clientTokens.delete(token);
  }
}

/** Keeps all results within the memory budget by dropping the oldest first. */
export function trackResultMemory(state: ServiceState, record: StatementRecord): void {
  for (const sub of record.subs) state.resultBytes += sub.result?.size ?? 0;
  if (state.resultBytes <= state.options.resultMemoryBytes) return;
  for (const other of state.statements.values()) {
    if (state.resultBytes <= state.options.resultMemoryBytes) break;
    if (other === record) continue;
    for (const sub of other.subs) {
      if (sub.result === undefined) continue;
      state.resultBytes -= sub.result.size;
      sub.result = undefined;
      sub.resultEvicted = true;
    }
  }
}
