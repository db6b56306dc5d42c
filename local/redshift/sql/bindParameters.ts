import type { Token } from './tokenize.ts';

export interface SqlParameter {
  name: string;
  value: string;
}

export interface BoundStatement {
  /** The statement with every `:name` replaced by `$n`. */
  text: string;
  /** Values in `$n` order (strings: PostgreSQL infers each type from its context, as Redshift does). */
  values: string[];
  /** Names the statement used. */
  used: Set<string>;
}

/**
 * Replaces the Data API's `:name` placeholders by real `$n` bind parameters. Only `param` tokens
 * are considered, so `:x` inside a string literal, a quoted identifier or a comment stays text,
 * and `::type` casts are never mistaken for parameters. A `:name` with no value given is left as
 * it is (PostgreSQL then reports a syntax error at that spot, as Redshift would).
 */
export function bindParameters(
  tokens: readonly Token[],
  parameters: readonly SqlParameter[],
): BoundStatement {
  const byName = new Map(parameters.map((p) => [p.name, p.value]));
  const position = new Map<string, number>();
  const values: string[] = [];
  let text = '';
  for (const t of tokens) {
    if (t.kind === 'param') {
      const name = t.text.slice(1);
      const value = byName.get(name);
      if (value !== undefined) {
        let n = position.get(name);
        if (n === undefined) {
          values.push(value);
          n = values.length;
          position.set(name, n);
        }
        text += `$${n}`;
        continue;
      }
    }
    text += t.text;
  }
  return { text, values, used: new Set(position.keys()) };
}
