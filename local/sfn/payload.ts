import type { Json } from './loadDefinition.ts';

/** Step Functions' limit on a state's input, output or a task payload (UTF-8 bytes). */
export const PAYLOAD_LIMIT_BYTES = 262_144;

/** An error the ASL sees by this name (Retry and Catch match it), its message being the cause. */
export class StatesTaskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** The ASL-visible error class for errors that Retry and Catch cannot handle (e.g. payload size). */
export class UncatchableStatesError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
  // The interpreter reads these to decide whether Retry/Catch may match.
  get isRetryable(): boolean {
    return false;
  }
  get isCatchable(): boolean {
    return false;
  }
}

/**
 * Turns whatever a handler threw into the error the ASL sees: its `name` is the error and its
 * message the cause, as on AWS (`errorType`/`errorMessage`); the original `cause` chain is dropped
 * because the interpreter would report it instead of the message.
 */
export function toAslError(thrown: unknown): Error {
  if (thrown instanceof Error) {
    const error = new Error(thrown.message);
    error.name = thrown.name || 'Error';
    return error;
  }
  const error = new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown ?? null));
  error.name = 'Error';
  return error;
}

/** JSON round trip (what Lambda's serialisation does) with the payload limit enforced. */
export function toPayload(value: unknown, what: string): { json: Json; text: string } {
  const text = JSON.stringify(value === undefined ? null : value);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > PAYLOAD_LIMIT_BYTES) {
    throw new UncatchableStatesError(
      'States.DataLimitExceeded',
      `${what} is ${bytes} bytes, over the ${PAYLOAD_LIMIT_BYTES}-byte Step Functions limit: keep large data in S3 and pass its key`,
    );
  }
  return { json: JSON.parse(text) as Json, text };
}

export function jsonText(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}
