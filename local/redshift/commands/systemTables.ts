/** Tables and views of this module: the catalog views leave them out, as Redshift's do. */
const SYSTEM_RELATIONS = [
  'stl_load_errors',
  'sys_load_error_detail',
  'stl_load_commits',
  'sys_unload_history',
  'sys_unload_detail',
  'sys_query_history',
  'pg_table_def',
  'svv_table_info',
  'svv_columns',
];
const SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'redshift_compat', 'pg_toast')";
/** SQL condition: the schema `schema` (an SQL expression) is the user's, not PostgreSQL's or the emulator's. */
export const userSchema = (schema: string) =>
  `${schema} NOT IN ${SYSTEM_SCHEMAS} AND ${schema} NOT LIKE 'pg\\_temp%' AND ${schema} NOT LIKE 'pg\\_toast%'`;
/**
 * SQL condition: `schema`.`name` is one of the Redshift system tables and views emulated here
 * (they live in `public` locally, in `pg_catalog` on Redshift).
 */
export const emulatedSystemRelation = (schema: string, name: string) =>
  `(${schema} = 'public' AND ${name} IN (${SYSTEM_RELATIONS.map((r) => `'${r}'`).join(', ')}))`;
/** The names of those relations (the Data API catalog lists them under `pg_catalog`). */
export const EMULATED_SYSTEM_RELATIONS: readonly string[] = SYSTEM_RELATIONS;
/** SQL condition: the relation `schema`.`name` (SQL expressions) is the user's, not the emulator's. */
export const userRelation = (schema: string, name: string) =>
  `${userSchema(schema)}
   AND NOT ${emulatedSystemRelation(schema, name)}`;

/**
 * The catalog views users query on Redshift, with its column names and types, over PostgreSQL's
 * catalog. Physical attributes are not kept locally: PG_TABLE_DEF shows encoding `none`, distkey
 * false, sortkey 0, SVV_TABLE_INFO diststyle `AUTO(EVEN)` and no sort key.
 */
const SYSTEM_VIEWS_DDL: string[] = [
  // PG_TABLE_DEF: the tables on the search path (r_PG_TABLE_DEF.html).
  `CREATE VIEW public.pg_table_def AS
SELECT n.nspname::name AS schemaname, c.relname::name AS tablename, a.attname::name AS "column",
  format_type(a.atttypid, a.atttypmod)::varchar AS type, 'none'::char(32) AS encoding,
  false AS distkey, 0 AS sortkey, a.attnotnull AS "notnull"
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND pg_table_is_visible(c.oid)
  AND ${userRelation('n.nspname', 'c.relname')}`,
  // SVV_TABLE_INFO: one row per non-empty user table (r_SVV_TABLE_INFO.html), row counts exact.
  `CREATE VIEW public.svv_table_info AS
SELECT * FROM (
  SELECT current_database()::varchar AS database, n.nspname::varchar AS schema, c.oid::int AS table_id,
    c.relname::varchar AS "table", 'N'::char(1) AS encoded, 'AUTO(EVEN)'::varchar AS diststyle,
    NULL::varchar AS sortkey1, NULL::int AS max_varchar, NULL::varchar AS sortkey1_enc, 0 AS sortkey_num,
    ceil(pg_total_relation_size(c.oid) / 1048576.0)::bigint AS size, NULL::numeric(10,4) AS pct_used,
    NULL::numeric(10,4) AS unsorted, NULL::numeric(5,2) AS stats_off,
    (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::numeric(38,0) AS tbl_rows,
    NULL::numeric(38,0) AS estimated_visible_rows
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND ${userRelation('n.nspname', 'c.relname')}
) t WHERE tbl_rows > 0`,
  // SVV_COLUMNS (r_SVV_COLUMNS.html).
  `CREATE VIEW public.svv_columns AS
SELECT table_catalog::varchar AS table_catalog, table_schema::varchar AS table_schema, table_name::varchar AS table_name,
  column_name::varchar AS column_name, ordinal_position::int AS ordinal_position, column_default::varchar AS column_default,
  is_nullable::varchar AS is_nullable, data_type::varchar AS data_type,
  character_maximum_length::int AS character_maximum_length, numeric_precision::int AS numeric_precision,
  numeric_precision_radix::int AS numeric_precision_radix, numeric_scale::int AS numeric_scale,
  datetime_precision::int AS datetime_precision, interval_type::varchar AS interval_type,
  interval_precision::varchar AS interval_precision, NULL::varchar AS character_set_catalog,
  NULL::varchar AS character_set_schema, NULL::varchar AS character_set_name, NULL::varchar AS collation_catalog,
  NULL::varchar AS collation_schema, NULL::varchar AS collation_name, NULL::varchar AS domain_name,
  NULL::varchar AS remarks
FROM information_schema.columns
WHERE ${userRelation('table_schema', 'table_name')}`,
].map(
  // Created once: servers and wire sessions bootstrap a database concurrently, without a lock.
  (ddl) => {
    const name = /VIEW (\S+) AS/.exec(ddl)?.[1] as string;
    return `DO $do$ BEGIN
  IF to_regclass('${name}') IS NULL THEN EXECUTE $v$${ddl}$v$; END IF;
EXCEPTION WHEN duplicate_table OR unique_violation THEN NULL;
END $do$`;
  },
);

/**
 * Redshift system tables that UNLOAD and COPY write to, as ordinary tables in `public` (on every
 * search path). Column names and types follow the Redshift documentation (STL_LOAD_ERRORS,
 * SYS_LOAD_ERROR_DETAIL, SYS_UNLOAD_HISTORY, SYS_UNLOAD_DETAIL, STL_LOAD_COMMITS); the fixed-width
 * CHAR columns are kept CHAR so that values come back blank-padded, as users see them on Redshift
 * (and why they write `trim(filename)`).
 *
 * Idempotent: the Data API server runs every statement when it bootstraps a database.
 */
export const SYSTEM_TABLES_DDL: string[] = [
  // (The catalog views, SYSTEM_VIEWS_DDL, follow the tables.)
  `CREATE TABLE IF NOT EXISTS public.stl_load_errors (
  userid integer,
  slice integer,
  tbl integer,
  starttime timestamp without time zone,
  session integer,
  query integer,
  filename character(256),
  line_number bigint,
  colname character(127),
  type character(10),
  col_length character(10),
  position integer,
  raw_line character(1024),
  raw_field_value character(1024),
  err_code integer,
  err_reason character(100),
  is_partial integer DEFAULT 0,
  start_offset bigint DEFAULT 0
)`,
  `CREATE TABLE IF NOT EXISTS public.sys_load_error_detail (
  user_id integer,
  query_id bigint,
  transaction_id bigint,
  session_id integer,
  database_name character(64),
  table_id integer,
  start_time timestamp without time zone,
  file_name character(256),
  line_number bigint,
  column_name character(127),
  column_type character(10),
  column_length character(10),
  position integer,
  error_code integer,
  error_message character(512)
)`,
  `CREATE TABLE IF NOT EXISTS public.stl_load_commits (
  userid integer,
  query integer,
  slice integer,
  name character(256),
  filename character(256),
  byte_offset integer,
  lines_scanned integer,
  errors integer,
  curtime timestamp without time zone,
  status integer,
  file_format character(16),
  is_partial integer DEFAULT 0,
  start_offset bigint DEFAULT 0
)`,
  // Written by the Data API for each statement that ended (statements/queryHistory.ts).
  `CREATE TABLE IF NOT EXISTS public.sys_query_history (
  user_id integer,
  query_id bigint,
  query_label character(320),
  transaction_id bigint,
  session_id integer,
  database_name character(128),
  query_type character(32),
  status character(10),
  result_cache_hit boolean,
  start_time timestamp without time zone,
  end_time timestamp without time zone,
  elapsed_time bigint,
  queue_time bigint,
  execution_time bigint,
  error_message character(512),
  returned_rows bigint,
  returned_bytes bigint,
  query_text character(4000)
)`,
  `CREATE TABLE IF NOT EXISTS public.sys_unload_history (
  user_id integer,
  query_id bigint,
  transaction_id bigint,
  session_id integer,
  database_name text,
  status text,
  start_time timestamp without time zone,
  end_time timestamp without time zone,
  duration bigint,
  file_format text,
  compression_type text,
  unloaded_location text,
  unloaded_rows bigint,
  unloaded_files_count bigint,
  unloaded_files_size bigint,
  error_message text
)`,
  `CREATE TABLE IF NOT EXISTS public.sys_unload_detail (
  user_id integer,
  query_id integer,
  session_id integer,
  transaction_id bigint,
  file_name character(1280),
  start_time timestamp without time zone,
  end_time timestamp without time zone,
  line_count bigint,
  transfer_size bigint,
  file_format character(10)
)`,
  ...SYSTEM_VIEWS_DDL,
];
