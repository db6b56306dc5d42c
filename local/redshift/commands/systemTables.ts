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
];
