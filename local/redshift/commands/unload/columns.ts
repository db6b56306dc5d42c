import type pg from 'pg';
import { describeStatement } from '../../../postgres/describeStatement.ts';
import { RedshiftSqlError } from '../types.ts';

/** One column of the UNLOAD query's result, with what the writers and the manifest need. */
export interface ResultColumn {
  name: string;
  typeOid: number;
  typmod: number;
  /** format_type() text, e.g. `character varying(25)`, `numeric(12,2)`. */
  typeName: string;
  /** CHAR/VARCHAR/TEXT: the columns ESCAPE applies to and fixed-width NULL rules treat as character. */
  isCharacter: boolean;
}

const CHARACTER_OIDS = new Set([25, 1042, 1043, 18, 19]);

const MULTIPLE_COMMANDS = 'cannot insert multiple commands into a prepared statement';

/**
 * Column names and types of an UNLOAD query, read from PostgreSQL's description of it as one
 * prepared statement: nothing runs. AWS runs the query as one statement, so the query alone must
 * parse as exactly one SELECT before the emulator wraps it in its own SQL; PostgreSQL's parser
 * (not a blacklist) decides, so a query that closes the wrapper's parenthesis and appends
 * statements fails here with a syntax error and nothing executed.
 */
export async function describeQuery(client: pg.ClientBase, query: string): Promise<ResultColumn[]> {
  if (query.includes('\0'))
    throw new RedshiftSqlError('The UNLOAD query contains a NUL character: remove it.', '22021');
  const alone = await describeStatement(client, query).catch((err: unknown) => {
    if ((err as Error).message === MULTIPLE_COMMANDS)
      throw new RedshiftSqlError(
        "UNLOAD's query must be a single SELECT statement, but it holds more than one: remove the ';' and what follows it.",
        '42601',
      );
    throw err;
  });
  if (alone === undefined)
    throw new RedshiftSqlError("UNLOAD's query must be a SELECT statement that returns rows.", '42601');
  const fields = await describeStatement(client, `SELECT * FROM (${query}\n) AS rt_unload_query`);
  if (fields === undefined || fields.length === 0) return [];
  const types = await client.query<{ t: string }>(
    'SELECT format_type(o, NULLIF(m, -1)) AS t FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY AS x(o, m, n) ORDER BY n',
    [fields.map((f) => f.dataTypeID), fields.map((f) => f.dataTypeModifier)],
  );
  return fields.map((f, i) => ({
    name: f.name,
    typeOid: f.dataTypeID,
    typmod: f.dataTypeModifier,
    typeName: types.rows[i]?.t ?? 'text',
    isCharacter: CHARACTER_OIDS.has(f.dataTypeID),
  }));
}
