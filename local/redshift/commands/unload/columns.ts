import type pg from 'pg';

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

/**
 * Column names and types of a query, read from the row description of a zero-row execution (the
 * planner runs, no row is produced).
 */
export async function describeQuery(client: pg.ClientBase, query: string): Promise<ResultColumn[]> {
  const res = await client.query({
    text: `SELECT * FROM (${query}\n) AS rt_unload_query LIMIT 0`,
    rowMode: 'array',
  });
  const fields = res.fields;
  if (fields.length === 0) return [];
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
