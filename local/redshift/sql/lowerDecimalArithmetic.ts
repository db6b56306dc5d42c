import { parseSync } from 'libpg-query';
import {
  aggregateResultType,
  type DecimalType,
  decimalResultType,
  INTEGER_AS_DECIMAL,
  literalDecimalType,
} from './decimalResultType.ts';
import { fromClauseEnd, itemSpan, selectHead } from './selectListSpans.ts';
import { type Token, tokenize } from './tokenize.ts';
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

/**
 * Gives the DECIMAL arithmetic and the SUM/AVG of DECIMAL in a SELECT's list Redshift's result
 * types (r_numeric_computations201, r_SUM, r_AVG): `pricepaid / commission` between DECIMAL(8,2)
 * columns becomes `(pricepaid / commission)::numeric(17,9)`. PostgreSQL keeps no precision for a
 * computed NUMERIC, so the operands' types come from the statement's casts and literals and, for
 * columns, from one probe per SELECT (`describe` of a SELECT of those columns over the same
 * FROM, nothing after it). The SELECTs are the statement's own, the query of CREATE TABLE AS and
 * INSERT ... SELECT, and the subqueries in their FROM. A statement without such arithmetic is returned as it is, without a probe; so is an item whose operand
 * types are unknown, a division nested in other arithmetic, or a result past 38 digits.
 */
export async function lowerDecimalArithmetic(text: string, describe: DescribeOperands): Promise<string> {
  if (!/[-+*/]|\b(sum|avg)\b/i.test(text)) return text;
  await loadSqlParser();
  let stmt: Node | undefined;
  try {
    const tree = parseSync(text) as { stmts?: { stmt?: Node }[] };
    if (tree.stmts?.length !== 1) return text;
    stmt = tree.stmts[0]?.stmt;
  } catch {
    return text;
  }
  const tokens = tokenize(text);
  const edits: Edit[] = [];
  for (const { select, top } of selectsToLower(stmt)) {
    edits.push(...(await lowerSelect(select, top, text, tokens, describe)));
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.text + out.slice(e.at);
  return out;
}

type Edit = { at: number; text: string };

/**
 * The SELECTs whose list gets Redshift's types: the statement's own, the query of CREATE TABLE AS
 * (its columns then have Redshift's types) and of INSERT ... SELECT, and subqueries in their FROM.
 * `top` marks the statement's own SELECT, whose probe keeps the text before the list (WITH...).
 */
function selectsToLower(stmt: Node | undefined): { select: Node; top: boolean }[] {
  const out: { select: Node; top: boolean }[] = [];
  const visit = (node: Node | undefined, top: boolean) => {
    const select = node?.SelectStmt as Node | undefined;
    if (select?.op !== 'SETOP_NONE' || !Array.isArray(select.targetList)) return;
    if (select.intoClause) return;
    out.push({ select, top });
    for (const from of (select.fromClause as Node[] | undefined) ?? []) visitFrom(from);
  };
  const visitFrom = (from: Node | undefined) => {
    const sub = from?.RangeSubselect as Node | undefined;
    if (sub && !sub.lateral) visit(sub.subquery as Node, false);
    const join = from?.JoinExpr as Node | undefined;
    if (join) {
      visitFrom(join.larg as Node);
      visitFrom(join.rarg as Node);
    }
  };
  const ctas = stmt?.CreateTableAsStmt as Node | undefined;
  const insert = stmt?.InsertStmt as Node | undefined;
  if (ctas && ctas.objtype === 'OBJECT_TABLE') visit(ctas.query as Node, false);
  else if (insert) visit(insert.selectStmt as Node, false);
  else visit(stmt, true);
  return out;
}

/** The casts that give one SELECT's arithmetic items Redshift's types (none when unknown). */
async function lowerSelect(
  select: Node,
  top: boolean,
  text: string,
  tokens: readonly Token[],
  describe: DescribeOperands,
): Promise<Edit[]> {
  const items = (select.targetList as { ResTarget?: Node }[]).map((t) => t.ResTarget ?? {});
  const planned = items.map((item, i) => {
    const operand = targetOperand(item.val as Node | undefined);
    const span = itemSpan(tokens, item, items[i + 1]);
    return { item, operand, span };
  });
  const useful = planned.filter((p) => p.operand.kind === 'op' || p.operand.kind === 'agg');
  if (useful.length === 0) return [];
  const columns = [...new Set(useful.flatMap((p) => columnsOf(p.operand)))];
  const known = new Map<string, Operand>();
  if (columns.length > 0) {
    const first = planned[0]?.span;
    const last = planned[planned.length - 1]?.span;
    if (!first || !last) return [];
    const head = top ? text.slice(0, first.start) : selectHead(select, text, tokens, first.start);
    if (head === undefined) return [];
    const probe = `${head}${columns.join(', ')}${text.slice(last.end, fromClauseEnd(tokens, last.end))}`;
    const described = await describe(probe);
    if (!described || described.length !== columns.length) return [];
    for (const [i, ref] of columns.entries()) known.set(ref, operandOfColumn(described[i] as ProbedColumn));
  }
  const edits: Edit[] = [];
  for (const { item, operand, span } of useful) {
    const type = typeOf(operand, known, true);
    if (type?.kind !== 'decimal') continue;
    const name = item.name === undefined ? ` AS ${quoteIdent(defaultName(item.val as Node))}` : '';
    edits.push({ at: span.start, text: '(' });
    edits.push({ at: span.exprEnd, text: `)::numeric(${type.type.precision},${type.type.scale})${name}` });
  }
  return edits;
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
