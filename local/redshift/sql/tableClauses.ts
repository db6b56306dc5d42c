import { isPunct, isTrivia, isWord, matchingParen, nextIndex, prevIndex, type Token } from './tokenize.ts';

/**
 * Key constraints in CREATE TABLE are informational on Redshift (it never enforces PRIMARY KEY,
 * UNIQUE or REFERENCES), so they are dropped: a load that would break them on PostgreSQL succeeds
 * here as it does there. Column constraints lose their words; a table constraint loses its whole
 * list entry (and the comma before it, already in `out`). Returns the index to resume at, or -1.
 */
export function stripConstraint(tokens: readonly Token[], i: number, lower: string, out: Token[]): number {
  const ni = nextIndex(tokens, i + 1);
  const next = ni === -1 ? undefined : tokens[ni];
  const prev = tokens[prevIndex(tokens, i - 1)];
  const tableLevel = isPunct(prev, ',') || isPunct(prev, '(');
  const isKey =
    (lower === 'primary' && isWord(next, 'key')) ||
    (lower === 'foreign' && isWord(next, 'key')) ||
    lower === 'unique' ||
    (lower === 'constraint' &&
      next?.kind !== undefined &&
      isWord(tokens[nextIndex(tokens, ni + 1)], 'primary', 'unique', 'foreign'));
  if (tableLevel && isKey) {
    // Skip to the end of this list entry.
    let depth = 0;
    let j = i;
    for (; j < tokens.length; j++) {
      const t = tokens[j] as Token;
      if (isPunct(t, '(')) depth++;
      else if (isPunct(t, ')')) {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && isPunct(t, ',')) break;
    }
    if (isPunct(prev, ',')) {
      // Drop the comma that introduced this entry (and the trivia after it).
      while (out.length > 0 && isTrivia(out[out.length - 1] as Token)) out.pop();
      if (isPunct(out[out.length - 1], ',')) out.pop();
      return j;
    }
    // First entry of the list: drop the comma that follows it instead.
    return isPunct(tokens[j], ',') ? j + 1 : j;
  }
  if (lower === 'primary' && isWord(next, 'key')) return ni + 1;
  if (lower === 'unique' && !isPunct(next, '(')) return i + 1;
  if (lower === 'references' && next !== undefined && (next.kind === 'word' || next.kind === 'quotedIdent')) {
    let j = ni + 1;
    // schema.table
    let k = nextIndex(tokens, j);
    while (isPunct(tokens[k], '.')) {
      j = nextIndex(tokens, k + 1) + 1;
      k = nextIndex(tokens, j);
    }
    if (isPunct(tokens[k], '(')) {
      const close = matchingParen(tokens, k);
      if (close !== -1) j = close + 1;
    }
    return j;
  }
  return -1;
}

/**
 * When the word at `i` starts a Redshift table attribute, returns the index just after it (the
 * attribute is dropped); otherwise -1.
 */
export function stripTableAttribute(tokens: readonly Token[], i: number, lower: string): number {
  const ni = nextIndex(tokens, i + 1);
  const next = ni === -1 ? undefined : tokens[ni];
  const afterParens = (open: number) => {
    const close = matchingParen(tokens, open);
    return close === -1 ? -1 : close + 1;
  };
  switch (lower) {
    case 'diststyle':
    case 'backup':
      return next?.kind === 'word' ? ni + 1 : -1;
    case 'encode':
      // `encode(bytes, 'hex')` is a function; the column/table attribute takes a bare word.
      return next?.kind === 'word' ? ni + 1 : -1;
    case 'distkey':
      return isPunct(next, '(') ? afterParens(ni) : i + 1;
    case 'compound':
    case 'interleaved':
      return isWord(next, 'sortkey') ? stripTableAttribute(tokens, ni, 'sortkey') : -1;
    case 'sortkey':
      if (isPunct(next, '(')) return afterParens(ni);
      if (isWord(next, 'auto')) return ni + 1;
      return i + 1;
    default:
      return -1;
  }
}
