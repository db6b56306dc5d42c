import type pg from 'pg';
import type { z } from 'zod';
import { DataApiError, validation } from '../api/dataApiError.ts';
import { type catalogInput, checkTarget } from '../api/inputSchemas.ts';
import {
  EMULATED_SYSTEM_RELATIONS,
  emulatedSystemRelation,
  userRelation,
  userSchema,
} from '../commands/systemTables.ts';
import { MissingDatabaseError } from '../engine/databasePools.ts';
import { paged } from './pageTokens.ts';
import { checkKnownTarget, type Json, type ServiceState } from './serviceState.ts';

type CatalogInput = z.infer<typeof catalogInput>;

/** Runs a catalog query on the database the request names (ConnectedDatabase first). */
async function catalogQuery<T extends pg.QueryResultRow>(
  state: ServiceState,
  input: {
    ClusterIdentifier?: string | undefined;
    WorkgroupName?: string | undefined;
    Database?: string | undefined;
    ConnectedDatabase?: string | undefined;
  },
  sql: string,
  params: unknown[],
): Promise<T[]> {
  checkTarget(input);
  checkKnownTarget(state.options, input);
  const database = input.ConnectedDatabase ?? input.Database ?? state.options.defaultDatabase;
  try {
    const pool = await state.options.pools.pool(database);
    return (await pool.query<T>(sql, params)).rows;
  } catch (error) {
    if (error instanceof MissingDatabaseError) {
      throw new DataApiError(
        'DatabaseConnectionException',
        500,
        `FATAL: database "${database}" does not exist`,
      );
    }
    throw error;
  }
}

export async function listDatabases(state: ServiceState, input: CatalogInput): Promise<Json> {
  const rows = await catalogQuery<{ datname: string }>(
    state,
    input,
    // PostgreSQL's maintenance database is not Redshift's, unless it is the one we serve.
    `SELECT datname FROM pg_database WHERE NOT datistemplate AND (datname <> 'postgres' OR datname = $1)
      ORDER BY datname`,
    [state.options.defaultDatabase],
  );
  return paged(
    rows.map((r) => r.datname),
    'Databases',
    input,
  );
}

export async function listSchemas(state: ServiceState, input: CatalogInput): Promise<Json> {
  const rows = await catalogQuery<{ nspname: string }>(
    state,
    input,
    // The user's schemas, and pg_catalog where Redshift keeps the system views users query.
    `SELECT nspname FROM pg_namespace WHERE nspname LIKE $1 AND (nspname = 'pg_catalog' OR ${userSchema('nspname')})
      ORDER BY nspname`,
    [input.SchemaPattern ?? '%'],
  );
  return paged(
    rows.map((r) => r.nspname),
    'Schemas',
    input,
  );
}

export async function listTables(state: ServiceState, input: CatalogInput): Promise<Json> {
  const rows = await catalogQuery<{ name: string; schema: string; type: string }>(
    state,
    input,
    // The user's tables and views, and the Redshift system views emulated here, listed where
    // Redshift has them (pg_catalog); PostgreSQL's own catalogs and our helpers are left out.
    `SELECT name, schema, type FROM (
       SELECT c.relname AS name,
              CASE WHEN ${emulatedSystemRelation('n.nspname', 'c.relname')} THEN 'pg_catalog' ELSE n.nspname END AS schema,
              CASE WHEN ${emulatedSystemRelation('n.nspname', 'c.relname')} THEN 'VIEW' WHEN c.relkind = 'v' THEN 'VIEW'
                   WHEN c.relkind = 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END AS type
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm')
          AND (${userRelation('n.nspname', 'c.relname')} OR ${emulatedSystemRelation('n.nspname', 'c.relname')})
     ) t
      WHERE schema LIKE $1 AND name LIKE $2
      ORDER BY schema, name`,
    [input.SchemaPattern ?? '%', input.TablePattern ?? '%'],
  );
  return paged(rows, 'Tables', input);
}

export async function describeTable(state: ServiceState, input: CatalogInput): Promise<Json> {
  if (input.Table === undefined) throw validation('Table is required for DescribeTable.');
  const schema = input.Schema ?? 'public';
  // The emulated Redshift system views are described where ListTables shows them (pg_catalog).
  const emulated = schema === 'pg_catalog' && EMULATED_SYSTEM_RELATIONS.includes(input.Table);
  const rows = await catalogQuery<{
    name: string;
    type: string;
    notnull: boolean;
    def: string | null;
    schema: string;
    precision: number;
    scale: number;
  }>(
    state,
    input,
    `SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type, a.attnotnull AS notnull,
            pg_get_expr(d.adbin, d.adrelid) AS def, n.nspname AS schema,
            CASE WHEN a.atttypid = 1700 AND a.atttypmod >= 4 THEN ((a.atttypmod - 4) >> 16) & 65535
                 WHEN a.atttypid IN (1042, 1043) AND a.atttypmod >= 4 THEN a.atttypmod - 4 ELSE 0 END AS precision,
            CASE WHEN a.atttypid = 1700 AND a.atttypmod >= 4 THEN (a.atttypmod - 4) & 65535 ELSE 0 END AS scale
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relname = $1 AND n.nspname = $2 AND a.attnum > 0 AND NOT a.attisdropped
        AND (${emulated ? emulatedSystemRelation('n.nspname', 'c.relname') : userRelation('n.nspname', 'c.relname')})
      ORDER BY a.attnum`,
    [input.Table, emulated ? 'public' : schema],
  );
  const columns = rows.map((r) => ({
    name: r.name,
    label: r.name,
    typeName: r.type,
    nullable: r.notnull ? 0 : 1,
    precision: r.precision,
    scale: r.scale,
    schemaName: emulated ? 'pg_catalog' : r.schema,
    tableName: input.Table,
    columnDefault: r.def ?? undefined,
    isCaseSensitive: /char|text/.test(r.type),
    isCurrency: false,
    isSigned: /int|numeric|double|real/.test(r.type),
    length: 0,
  }));
  const result = paged(columns, 'ColumnList', input);
  return { TableName: input.Table, ...result };
}
