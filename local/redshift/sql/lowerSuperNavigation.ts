import { pgLiteral } from './pgQuote.ts';
import { isPunct, isTrivia, nextIndex, type Token, tokenize } from './tokenize.ts';

/**
 * PartiQL navigation into SUPER (query-super "Navigation"): after an array subscript, `.name`
 * reads the attribute `name` of the element, as `['name']` on jsonb, SUPER's local form
 * (`c_orders[0].o_orderkey` becomes `c_orders[0]['o_orderkey']`, `x[1].a.b` becomes
 * `x[1]['a']['b']`). jsonb subscripts are lax as PartiQL's are: a missing attribute, an index out
 * of bounds or the wrong kind of value gives NULL. An unquoted name is folded to lower case, as
 * Redshift folds identifiers; a quoted one is kept as written. (PostgreSQL has no other meaning
 * for `.name` after `]` here: Redshift has no composite types.)
 */
export function lowerSuperNavigation(tokens: readonly Token[]): Token[] {
  let out = '';
  let afterSubscript = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (afterSubscript && isPunct(t, '.')) {
      const n = nextIndex(tokens, i + 1);
      const name = tokens[n];
      if (name?.kind === 'word' || name?.kind === 'quotedIdent') {
        const key =
          name.kind === 'word' ? name.text.toLowerCase() : name.text.slice(1, -1).replace(/""/g, '"');
        out += `[${pgLiteral(key)}]`;
        i = n;
        continue;
      }
    }
    out += t.text;
    if (!isTrivia(t)) afterSubscript = isPunct(t, ']');
  }
  return tokenize(out);
}
