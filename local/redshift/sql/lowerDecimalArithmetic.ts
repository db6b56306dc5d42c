import { parseSync } from 'libpg-query';
import {
  aggregateResultType,
  type DecimalType,
  decimalResultType,
  INTEGER_AS_DECIMAL,
  literalDecimalType,
} from './decimalResultType.ts';
import { isTrivia, isWord, type Token, tokenize } from './tokenize.ts';
import { loadSqlParser } from './translateRedshiftSql.ts';

/** A result column of a described statement: its type OID and modifier (numeric: (p << 16 | s) + 4). */
export interface ProbedColumn {
  dataTypeID: number;
  dataTypeModifier: number;
}

/** Describes a SELECT without running it; undefined when PostgreSQL cannot (the probe is advisory). */
export type DescribeOperands = (sql: string) => Promise<ProbedColumn[] | undefined>;

type Node = Record<string, unknown>;

/** What an operand is known to be: a DECIMAL type, an integer, a column to ask about, or unknown. */
type Operand =
  | { kind: 'decimal'; type: DecimalType }
  | { kind: 'integer'; type: DecimalType }
  | { kind: 'column'; ref: string }
  | { kind: 'op'; op: string; left: Operand; right: Operand }
  | { kind: 'agg'; arg: Operand }
  | { kind: 'unknown' };

const ARITHMETIC: ReadonlySet<string> = new Set(['+', '-', '*', '/']);
const INTEGER_TYPES: Readonly<Record<string, DecimalType>> = {
  int2: INTEGER_AS_DECIMAL.int2,
  int4: INTEGER_AS_DECIMAL.int4,
  int8: INTEGER_AS_DECIMAL.int8,
};
const OID_INTEGER: Readonly<Record<number, DecimalType>> = {
  21: INTEGER_AS_DECIMAL.int2,
  23: INTEGER_AS_DECIMAL.int4,
  20: INTEGER_AS_DECIMAL.int8,
};
const NUMERIC_OID = 1700;
/** Words that end the FROM clause at parenthesis depth 0. */
const FROM_END = [
  'where',
  'group',
  'having',
  'window',
  'order',
  'limit',
  'offset',
  'fetch',
  'for',
  'union',
  'intersect',
  'except',
];
/** Words that end a select-list item at parenthesis depth 0. */
const ITEM_END = [
  'from',
  'into',
  'where',
  'group',
  'having',
  'order',
  'limit',
  'offset',
  'union',
  'intersect',
  'except',
  'window',
  'fetch',
  'for',
];

/**
 * Gives the DECIMAL arithmetic and the SUM/AVG of DECIMAL in a SELECT's list Redshift's result
 * types (r_numeric_computations201, r_SUM, r_AVG): `pricepaid / commission` between DECIMAL(8,2)
 * columns becomes `(pricepaid / commission)::numeric(17,9)`. PostgreSQL keeps no precision for a
 * computed NUMERIC, so the operands' types come from the statement's casts and literals and, for
 * columns, from one probe (`describe` of a SELECT of those columns over the same FROM, nothing after it). A statement
 * without such arithmetic is returned as it is, without a probe; so is an item whose operand
 * types are unknown, a division nested in other arithmetic, or a result past 38 digits.
 */
export async function lowerDecimalArithmetic(text: string, describe: DescribeOperands): Promise<string> {
  if (!/[-+*/]|\b(sum|avg)\b/i.test(text)) return text;
  await loadSqlParser();
  let select: Node | undefined;
  try {
    const tree = parseSync(text) as { stmts?: { stmt?: { SelectStmt?: Node } }[] };
    if (tree.stmts?.length !== 1) return text;
    select = tree.stmts[0]?.stmt?.SelectStmt;
  } catch {
    return text;
  }
  if (select?.op !== 'SETOP_NONE' || select.intoClause || !Array.isArray(select.targetList)) return text;
  const tokens = tokenize(text);
  const items = (select.targetList as { ResTarget?: Node }[]).map((t) => t.ResTarget ?? {});
  const planned = items.map((item, i) => {
    const operand = targetOperand(item.val as Node | undefined);
    const span = itemSpan(tokens, item, items[i + 1]);
    return { item, operand, span };
  });
  const useful = planned.filter((p) => p.operand.kind === 'op' || p.operand.kind === 'agg');
  if (useful.length === 0) return text;
  const columns = [...new Set(useful.flatMap((p) => columnsOf(p.operand)))];
  const known = new Map<string, Operand>();
  if (columns.length > 0) {
    const first = planned[0]?.span;
    const last = planned[planned.length - 1]?.span;
    if (!first || !last) return text;
    const probe = `${text.slice(0, first.start)}${columns.join(', ')}${text.slice(last.end, fromClauseEnd(tokens, last.end))}`;
    const described = await describe(probe);
    if (!described || described.length !== columns.length) return text;
    for (const [i, ref] of columns.entries()) known.set(ref, operandOfColumn(described[i] as ProbedColumn));
  }
  const edits: { at: number; text: string }[] = [];
  for (const { item, operand, span } of useful) {
    const type = typeOf(operand, known, true);
    if (type?.kind !== 'decimal') continue;
    const name = item.name === undefined ? ` AS ${quoteIdent(defaultName(item.val as Node))}` : '';
    edits.push({ at: span.start, text: '(' });
    edits.push({ at: span.exprEnd, text: `)::numeric(${type.type.precision},${type.type.scale})${name}` });
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.text + out.slice(e.at);
  return out;
}

function targetOperand(val: Node | undefined): Operand {
  const fn = val?.FuncCall as Node | undefined;
  if (fn) {
    const names = fn.funcname as { String?: { sval?: string } }[];
    const name = names[names.length - 1]?.String?.sval;
    const args = fn.args as Node[] | undefined;
    if ((name === 'sum' || name === 'avg') && args?.length === 1 && !fn.agg_star) {
      return { kind: 'agg', arg: operandOf(args[0] as Node) };
    }
    return { kind: 'unknown' };
  }
  return operandOf(val);
}

function operandOf(node: Node | undefined): Operand {
  if (!node) return { kind: 'unknown' };
  const expr = node.A_Expr as Node | undefined;
  if (expr) {
    const names = expr.name as { String?: { sval?: string } }[];
    const op = names.length === 1 ? (names[0]?.String?.sval ?? '') : '';
    if (expr.kind !== 'AEXPR_OP' || !ARITHMETIC.has(op)) return { kind: 'unknown' };
    if (!expr.lexpr) return op === '-' ? operandOf(expr.rexpr as Node) : { kind: 'unknown' };
    return { kind: 'op', op, left: operandOf(expr.lexpr as Node), right: operandOf(expr.rexpr as Node) };
  }
  const constant = node.A_Const as Node | undefined;
  if (constant) {
    if (constant.ival) {
      const v = Math.abs(Number((constant.ival as { ival?: number }).ival ?? 0));
      return { kind: 'integer', type: v > 2147483647 ? INTEGER_AS_DECIMAL.int8 : INTEGER_AS_DECIMAL.int4 };
    }
    const literal = literalDecimalType(String((constant.fval as { fval?: string } | undefined)?.fval ?? ''));
    return literal ? { kind: 'decimal', type: literal } : { kind: 'unknown' };
  }
  const cast = node.TypeCast as Node | undefined;
  if (cast) return castOperand(cast.typeName as Node);
  const ref = node.ColumnRef as Node | undefined;
  if (ref) {
    const parts = (ref.fields as { String?: { sval?: string } }[]).map((f) => f.String?.sval);
    if (parts.some((p) => p === undefined)) return { kind: 'unknown' };
    return { kind: 'column', ref: parts.map((p) => quoteIdent(p as string)).join('.') };
  }
  return { kind: 'unknown' };
}

function castOperand(typeName: Node): Operand {
  const names = typeName.names as { String?: { sval?: string } }[];
  const name = names[names.length - 1]?.String?.sval ?? '';
  const integer = INTEGER_TYPES[name];
  if (integer) return { kind: 'integer', type: integer };
  const mods = ((typeName.typmods as Node[] | undefined) ?? []).map(
    (m) => ((m.A_Const as Node | undefined)?.ival as { ival?: number } | undefined)?.ival ?? 0,
  );
  if (name !== 'numeric' || mods.length === 0) return { kind: 'unknown' };
  return { kind: 'decimal', type: { precision: mods[0] as number, scale: mods[1] ?? 0 } };
}

function operandOfColumn(column: ProbedColumn): Operand {
  const integer = OID_INTEGER[column.dataTypeID];
  if (integer) return { kind: 'integer', type: integer };
  if (column.dataTypeID !== NUMERIC_OID || column.dataTypeModifier < 4) return { kind: 'unknown' };
  const mod = column.dataTypeModifier - 4;
  return { kind: 'decimal', type: { precision: (mod >> 16) & 0xffff, scale: mod & 0xffff } };
}

function columnsOf(operand: Operand): string[] {
  if (operand.kind === 'column') return [operand.ref];
  if (operand.kind === 'op') return [...columnsOf(operand.left), ...columnsOf(operand.right)];
  if (operand.kind === 'agg') return columnsOf(operand.arg);
  return [];
}

/**
 * The Redshift type of an operand; a division only at the top, because Redshift rounds an inner
 * quotient to its own scale and PostgreSQL would go on with more digits. Integer with integer
 * stays an integer (no DECIMAL result to give).
 */
function typeOf(operand: Operand, known: ReadonlyMap<string, Operand>, top: boolean): Operand | undefined {
  if (operand.kind === 'column') return known.get(operand.ref);
  if (operand.kind === 'decimal' || operand.kind === 'integer') return operand;
  if (operand.kind === 'agg') {
    const arg = typeOf(operand.arg, known, true);
    return arg?.kind === 'decimal' ? { kind: 'decimal', type: aggregateResultType(arg.type) } : undefined;
  }
  if (operand.kind !== 'op' || (operand.op === '/' && !top)) return undefined;
  const left = typeOf(operand.left, known, false);
  const right = typeOf(operand.right, known, false);
  if (!left || !right || (left.kind !== 'decimal' && left.kind !== 'integer')) return undefined;
  if (right.kind !== 'decimal' && right.kind !== 'integer') return undefined;
  if (left.kind === 'integer' && right.kind === 'integer') return undefined;
  const type = decimalResultType(operand.op, left.type, right.type);
  return type ? { kind: 'decimal', type } : undefined;
}

/** The column name PostgreSQL (and Redshift) give the item without the cast we add. */
function defaultName(val: Node): string {
  const fn = val.FuncCall as Node | undefined;
  if (!fn) return '?column?';
  const names = fn.funcname as { String?: { sval?: string } }[];
  return names[names.length - 1]?.String?.sval ?? '?column?';
}

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/**
 * Where a select-list item is in the text: from its start to its end (alias included), and where
 * its expression ends (before `AS alias` or a bare alias).
 */
function itemSpan(
  tokens: readonly Token[],
  item: Node,
  next: Node | undefined,
): { start: number; end: number; exprEnd: number } {
  const start = item.location as number;
  const nextStart = next?.location as number | undefined;
  let i = tokens.findIndex((t) => t.start >= start);
  if (i < 0) i = tokens.length;
  let depth = 0;
  const inItem: Token[] = [];
  for (; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    if (depth < 0 || t.kind === 'semicolon') break;
    if (depth === 0 && (t.text === ',' || (nextStart === undefined && isWord(t, ...ITEM_END)))) break;
    inItem.push(t);
  }
  const solid = inItem.filter((t) => !isTrivia(t));
  const endToken = solid[solid.length - 1];
  const end = endToken ? endToken.start + endToken.text.length : start;
  let exprEnd = end;
  if (item.name !== undefined && solid.length >= 2) {
    const aliasAt = solid.length - 1;
    const before = solid[aliasAt - 1] as Token;
    const exprLast = isWord(before, 'as') ? solid[aliasAt - 2] : before;
    if (exprLast) exprEnd = exprLast.start + exprLast.text.length;
  }
  return { start, end, exprEnd };
}

/**
 * Where the FROM clause after the select list ends: the probe keeps only the scope the columns
 * are named in (no WHERE with its parameters, no GROUP BY whose positions count the probe's list).
 */
function fromClauseEnd(tokens: readonly Token[], from: number): number {
  let depth = 0;
  for (const t of tokens) {
    if (t.start < from) continue;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (t.kind === 'semicolon' || (depth === 0 && isWord(t, ...FROM_END))) return t.start;
  }
  const last = tokens[tokens.length - 1];
  return last ? last.start + last.text.length : from;
}
