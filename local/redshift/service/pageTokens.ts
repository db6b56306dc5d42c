import { validation } from '../api/dataApiError.ts';
import type { Json } from './serviceState.ts';

/** An opaque NextToken: the scope it pages (an operation or statement id) and the next offset. */
export function nextToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ s: scope, o: offset })).toString('base64url');
}

export function parseNextToken(token: string | undefined, scope: string): number {
  if (token === undefined || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as { s?: unknown; o?: unknown };
    if (parsed.s === scope && typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0)
      return parsed.o;
  } catch {
    // Falls through to the error below.
  }
  throw validation(
    `NextToken "${token}" is not valid for this request: pass the NextToken of the previous page unchanged.`,
  );
}

export function paged<T>(
  items: T[],
  key: string,
  input: { NextToken?: string | undefined; MaxResults?: number | undefined },
): Json {
  const offset = parseNextToken(input.NextToken, key);
  const max = input.MaxResults || 1000;
  return {
    [key]: items.slice(offset, offset + max),
    NextToken: offset + max < items.length ? nextToken(key, offset + max) : undefined,
  };
}
