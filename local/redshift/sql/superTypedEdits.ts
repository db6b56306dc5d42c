import type { Token } from './tokenize.ts';
import type { Edit } from './treeEdits.ts';

type Node = Record<string, unknown>;

const TEXT_TYPES = new Set(['varchar', 'text', 'bpchar']);

/**
 * Dynamic typing of navigated SUPER values (query-super "Dynamic typing"), which are jsonb here:
 * - `nav = 'P'` / `nav <> 15`: the literal becomes a SUPER value (`to_jsonb('P'::text)`), so the
 *   equality holds only when `nav` is that string (or number), false for any other type;
 * - `nav::varchar`: the string's text (`P`), not its JSON (`"P"`).
 * `nav` is a subscripted expression (`c_orders[0]['o_orderstatus']` after navigation): Redshift
 * has no other arrays, so a subscript always reads SUPER.
 */
export function superTypedEdits(tree: unknown, tokens: readonly Token[]): Edit[] {
  const byStart = new Map<number, Token>();
  for (const t of tokens) byStart.set(t.start, t);
  const edits: Edit[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value as Node)) {
      if (key === 'A_Expr') comparison(child as Node, byStart, edits);
      else if (key === 'TypeCast') textCast(child as Node, byStart, edits);
      visit(child);
    }
  };
  visit(tree);
  return edits;
}

const isNavigation = (n: unknown) => (n as Node | undefined)?.A_Indirection !== undefined;

function comparison(node: Node, byStart: Map<number, Token>, edits: Edit[]): void {
  const op = ((node.name as Node[] | undefined)?.[0]?.String as { sval?: string } | undefined)?.sval;
  if (node.kind !== 'AEXPR_OP' || (op !== '=' && op !== '<>' && op !== '!=')) return;
  const [nav, other] = isNavigation(node.lexpr) ? [node.lexpr, node.rexpr] : [node.rexpr, node.lexpr];
  if (!isNavigation(nav)) return;
  const constant = (other as Node | undefined)?.A_Const as Node | undefined;
  if (constant === undefined || typeof constant.location !== 'number') return;
  const token = byStart.get(constant.location);
  if (token === undefined) return;
  const end = token.start + token.text.length;
  if (token.kind === 'string') edits.push({ start: token.start, end, text: `to_jsonb(${token.text}::text)` });
  else if (token.kind === 'number') edits.push({ start: token.start, end, text: `to_jsonb(${token.text})` });
}

function textCast(node: Node, byStart: Map<number, Token>, edits: Edit[]): void {
  if (!isNavigation(node.arg) || typeof node.location !== 'number') return;
  const names = ((node.typeName as Node | undefined)?.names as Node[] | undefined) ?? [];
  const type = (names.at(-1)?.String as { sval?: string } | undefined)?.sval;
  if (type === undefined || !TEXT_TYPES.has(type) || byStart.get(node.location)?.text !== '::') return;
  const start = firstLocation(node.arg);
  if (start === undefined) return;
  edits.push({ start, end: start, text: '(' });
  edits.push({ start: node.location, end: node.location, text: " #>> '{}')" });
}

/** The smallest `location` in a subtree. */
function firstLocation(node: unknown): number | undefined {
  let min: number | undefined;
  const scan = (v: unknown) => {
    if (Array.isArray(v)) for (const x of v) scan(x);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Node)) {
        if (k === 'location' && typeof x === 'number' && x >= 0)
          min = min === undefined ? x : Math.min(min, x);
        else scan(x);
      }
    }
  };
  scan(node);
  return min;
}
