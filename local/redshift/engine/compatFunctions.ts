import { COMPAT_SCHEMA } from './compatSchema.ts';
import { DATE_FORMAT_FUNCTIONS_DDL } from './dateFormatFunctions.ts';
import { DATE_FUNCTIONS_DDL } from './dateFunctions.ts';
import { listaggFunctionsDdl } from './listaggFunctions.ts';
import { mergeFunctionsDdl } from './mergeFunctions.ts';
import { REGEXP_FUNCTIONS_DDL } from './regexpFunctions.ts';
import { STRING_FUNCTIONS_DDL } from './stringFunctions.ts';
import { superFunctionsDdl } from './superFunctions.ts';

export { COMPAT_SCHEMA };

/**
 * AVG and SUM with Redshift's result types: AVG of an integer type is a BIGINT (integer
 * division), AVG of a DECIMAL keeps the argument's scale, SUM of any integer type is a BIGINT
 * (an overflow is an error) and SUM of a REAL is a DOUBLE PRECISION. The translation calls these
 * (redshift_compat.avg) instead of PostgreSQL's.
 */
const aggregates: string[] = [
  // State: {count, sum, largest scale seen}.
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.avg_accum(s numeric[], v numeric) RETURNS numeric[]
   LANGUAGE sql IMMUTABLE AS $f$
   SELECT CASE WHEN v IS NULL THEN s ELSE ARRAY[s[1] + 1, s[2] + v, greatest(s[3], scale(v))] END $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.avg_int_final(s numeric[]) RETURNS bigint
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT CASE WHEN s[1] = 0 THEN NULL ELSE trunc(s[2] / s[1])::bigint END $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.avg_numeric_final(s numeric[]) RETURNS numeric
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT CASE WHEN s[1] = 0 THEN NULL ELSE trunc(s[2] / s[1], s[3]::int) END $f$`,
  // SMALLINT and INTEGER on PostgreSQL's own accumulators ({count, sum} as int8[]): fast.
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.avg_int_final(s bigint[]) RETURNS bigint
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT CASE WHEN s[1] = 0 THEN NULL ELSE s[2] / s[1] END $f$`,
  `CREATE OR REPLACE AGGREGATE ${COMPAT_SCHEMA}.avg(smallint) (
     sfunc = pg_catalog.int2_avg_accum, stype = bigint[], finalfunc = ${COMPAT_SCHEMA}.avg_int_final,
     combinefunc = pg_catalog.int4_avg_combine, initcond = '{0,0}')`,
  `CREATE OR REPLACE AGGREGATE ${COMPAT_SCHEMA}.avg(integer) (
     sfunc = pg_catalog.int4_avg_accum, stype = bigint[], finalfunc = ${COMPAT_SCHEMA}.avg_int_final,
     combinefunc = pg_catalog.int4_avg_combine, initcond = '{0,0}')`,
  ...['bigint'].flatMap((type) => [
    `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.avg_accum(s numeric[], v ${type}) RETURNS numeric[]
     LANGUAGE sql IMMUTABLE AS $f$ SELECT ${COMPAT_SCHEMA}.avg_accum(s, v::numeric) $f$`,
    `CREATE OR REPLACE AGGREGATE ${COMPAT_SCHEMA}.avg(${type}) (
       sfunc = ${COMPAT_SCHEMA}.avg_accum, stype = numeric[], finalfunc = ${COMPAT_SCHEMA}.avg_int_final,
       initcond = '{0,0,0}')`,
  ]),
  `CREATE OR REPLACE AGGREGATE ${COMPAT_SCHEMA}.avg(numeric) (
     sfunc = ${COMPAT_SCHEMA}.avg_accum, stype = numeric[], finalfunc = ${COMPAT_SCHEMA}.avg_numeric_final,
     initcond = '{0,0,0}')`,
  `CREATE OR REPLACE AGGREGATE ${COMPAT_SCHEMA}.avg(real) (
     sfunc = pg_catalog.float4_accum, stype = float8[], finalfunc = pg_catalog.float8_avg,
     combinefunc = pg_catalog.float8_combine, initcond = '{0,0,0}')`,
  `CREATE OR REPLACE AGGREGATE ${COMPAT_SCHEMA}.avg(double precision) (
     sfunc = pg_catalog.float8_accum, stype = float8[], finalfunc = pg_catalog.float8_avg,
     combinefunc = pg_catalog.float8_combine, initcond = '{0,0,0}')`,
  `CREATE OR REPLACE AGGREGATE ${COMPAT_SCHEMA}.sum(smallint) (sfunc = pg_catalog.int2_sum, stype = bigint)`,
  `CREATE OR REPLACE AGGREGATE ${COMPAT_SCHEMA}.sum(integer) (sfunc = pg_catalog.int4_sum, stype = bigint)`,
  `CREATE OR REPLACE AGGREGATE ${COMPAT_SCHEMA}.sum(bigint) (sfunc = pg_catalog.int8pl, stype = bigint)`,
  `CREATE OR REPLACE AGGREGATE ${COMPAT_SCHEMA}.sum(numeric) (sfunc = pg_catalog.numeric_add, stype = numeric)`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.sum_real(s float8, v real) RETURNS float8
   LANGUAGE sql IMMUTABLE AS $f$ SELECT CASE WHEN v IS NULL THEN s ELSE coalesce(s, 0) + v END $f$`,
  `CREATE OR REPLACE AGGREGATE ${COMPAT_SCHEMA}.sum(real) (sfunc = ${COMPAT_SCHEMA}.sum_real, stype = float8)`,
  `CREATE OR REPLACE AGGREGATE ${COMPAT_SCHEMA}.sum(double precision) (sfunc = pg_catalog.float8pl, stype = float8)`,
];

/** How many path elements JSON_EXTRACT_PATH_TEXT takes here (Redshift: up to five levels deep in practice). */
const JSON_PATH_ARITY = 8;

/**
 * Redshift's JSON functions on VARCHAR holding JSON text. Invalid JSON is an error, or NULL with
 * the trailing `null_if_invalid` argument true. SUPER values are jsonb here (JSON_PARSE,
 * JSON_SERIALIZE).
 */
const jsonFunctions: string[] = [
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.json_or_null(j text, null_if_invalid boolean) RETURNS json
   LANGUAGE plpgsql IMMUTABLE AS $f$
   BEGIN
     RETURN j::json;
   EXCEPTION WHEN invalid_text_representation THEN
     IF null_if_invalid THEN RETURN NULL; END IF;
     RAISE;
   END $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.is_valid_json(j text) RETURNS boolean
   LANGUAGE plpgsql IMMUTABLE STRICT AS $f$
   BEGIN PERFORM j::json; RETURN true; EXCEPTION WHEN invalid_text_representation THEN RETURN false; END $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.is_valid_json_array(j text) RETURNS boolean
   LANGUAGE plpgsql IMMUTABLE STRICT AS $f$
   BEGIN RETURN json_typeof(j::json) = 'array'; EXCEPTION WHEN invalid_text_representation THEN RETURN false; END $f$`,
  ...Array.from({ length: JSON_PATH_ARITY }, (_, k) => {
    const params = Array.from({ length: k + 1 }, (_, i) => `p${i} text`).join(', ');
    const args = Array.from({ length: k + 1 }, (_, i) => `p${i}`).join(', ');
    return [
      `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.json_extract_path_text(j text, ${params}, null_if_invalid boolean) RETURNS varchar
       LANGUAGE sql IMMUTABLE AS $f$ SELECT pg_catalog.json_extract_path_text(${COMPAT_SCHEMA}.json_or_null(j, null_if_invalid), ${args}) $f$`,
      `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.json_extract_path_text(j text, ${params}) RETURNS varchar
       LANGUAGE sql IMMUTABLE AS $f$ SELECT pg_catalog.json_extract_path_text(j::json, ${args}) $f$`,
    ];
  }).flat(),
  // Zero-based; a negative or out-of-bounds position gives an empty string.
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.json_extract_array_element_text(j text, pos integer, null_if_invalid boolean) RETURNS varchar
   LANGUAGE sql IMMUTABLE AS $f$
   SELECT CASE WHEN js IS NULL THEN NULL WHEN pos < 0 OR pos >= json_array_length(js) THEN '' ELSE js ->> pos END
   FROM (SELECT ${COMPAT_SCHEMA}.json_or_null(j, null_if_invalid) AS js) v $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.json_extract_array_element_text(j text, pos integer) RETURNS varchar
   LANGUAGE sql IMMUTABLE AS $f$ SELECT ${COMPAT_SCHEMA}.json_extract_array_element_text(j, pos, false) $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.json_array_length(j text, null_if_invalid boolean) RETURNS integer
   LANGUAGE sql IMMUTABLE AS $f$ SELECT pg_catalog.json_array_length(${COMPAT_SCHEMA}.json_or_null(j, null_if_invalid)) $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.json_array_length(j text) RETURNS integer
   LANGUAGE sql IMMUTABLE AS $f$ SELECT pg_catalog.json_array_length(j::json) $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.json_parse(j text) RETURNS jsonb
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT j::jsonb $f$`,
  // Without jsonb's space after ',' and ':' between values (as results/superText.ts does).
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.json_serialize(s jsonb) RETURNS varchar
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT regexp_replace(s::text, E'("(?:[^"\\\\\\\\]|\\\\\\\\.)*")|([,:]) ', E'\\\\1\\\\2', 'g') $f$`,
];

/**
 * ALTER TABLE target APPEND FROM source [IGNOREEXTRA | FILLTARGET] (r_ALTER_TABLE_APPEND.html):
 * moves the rows of like-named columns (column order does not matter) and leaves the source
 * empty. Like-named columns must have the same type and size; extra source columns need
 * IGNOREEXTRA, extra target columns FILLTARGET (defaults, identity or NULL); an IDENTITY column
 * (not GENERATED BY DEFAULT) cannot be appended. Touches no other table.
 */
const alterTableAppend = `
CREATE OR REPLACE PROCEDURE ${COMPAT_SCHEMA}.alter_table_append(target_name text, source_name text, mode text)
LANGUAGE plpgsql AS $f$
DECLARE
  target regclass := target_name::regclass;
  source regclass := source_name::regclass;
  cols text;
  bad text;
BEGIN
  IF target = source THEN
    RAISE EXCEPTION 'ALTER TABLE APPEND: the source and the target are the same table' USING ERRCODE = '42809';
  END IF;
  SELECT string_agg(format('%I: %s in the target, %s in the source', t.attname,
           format_type(t.atttypid, t.atttypmod), format_type(s.atttypid, s.atttypmod)), '; ')
    INTO bad
    FROM pg_attribute t JOIN pg_attribute s ON s.attname = t.attname
   WHERE t.attrelid = target AND s.attrelid = source AND t.attnum > 0 AND s.attnum > 0
     AND NOT t.attisdropped AND NOT s.attisdropped
     AND (t.atttypid, t.atttypmod) IS DISTINCT FROM (s.atttypid, s.atttypmod);
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'ALTER TABLE APPEND: like-named columns must have the same type and size (%)', bad USING ERRCODE = '42804';
  END IF;
  SELECT string_agg(quote_ident(attname), ', ') INTO bad FROM pg_attribute s
   WHERE attrelid = source AND attnum > 0 AND NOT attisdropped
     AND NOT EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = target AND t.attname = s.attname AND NOT t.attisdropped);
  IF bad IS NOT NULL AND mode <> 'ignoreextra' THEN
    RAISE EXCEPTION 'ALTER TABLE APPEND: the source has columns the target lacks (%): add IGNOREEXTRA to discard them', bad USING ERRCODE = '42703';
  END IF;
  SELECT string_agg(quote_ident(attname), ', ') INTO bad FROM pg_attribute t
   WHERE attrelid = target AND attnum > 0 AND NOT attisdropped
     AND NOT EXISTS (SELECT 1 FROM pg_attribute s WHERE s.attrelid = source AND s.attname = t.attname AND NOT s.attisdropped);
  IF bad IS NOT NULL AND mode <> 'filltarget' THEN
    RAISE EXCEPTION 'ALTER TABLE APPEND: the target has columns the source lacks (%): add FILLTARGET to fill them with their defaults', bad USING ERRCODE = '42703';
  END IF;
  SELECT string_agg(quote_ident(t.attname), ', ') INTO bad
    FROM pg_attribute t JOIN pg_attribute s ON s.attname = t.attname
   WHERE t.attrelid = target AND s.attrelid = source AND NOT t.attisdropped AND NOT s.attisdropped
     AND t.attnum > 0 AND (t.attidentity = 'a' OR s.attidentity = 'a');
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'ALTER TABLE APPEND: you can''t append an identity column (%)', bad USING ERRCODE = '428C9';
  END IF;
  SELECT string_agg(quote_ident(t.attname), ', ' ORDER BY t.attnum) INTO cols
    FROM pg_attribute t JOIN pg_attribute s ON s.attname = t.attname
   WHERE t.attrelid = target AND s.attrelid = source AND t.attnum > 0 AND NOT t.attisdropped AND NOT s.attisdropped;
  EXECUTE format('INSERT INTO %s (%s) SELECT %s FROM %s', target, cols, cols, source);
  EXECUTE format('DELETE FROM %s', source);
END $f$`;

/** IGNORE NULLS (lowerIgnoreNulls) and MEDIAN / PERCENTILE_CONT as windows (rewriteRedshiftSql). */
const windowHelpers: string[] = [
  // IGNORE NULLS (see lowerIgnoreNulls): the first/last non-NULL value of the frame; the n-th
  // non-NULL value before (LAG: the array's end) or after (LEAD: its start) the row.
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.first_nonnull(s anyelement, v anyelement) RETURNS anyelement
   LANGUAGE sql IMMUTABLE AS $f$ SELECT CASE WHEN s IS NULL THEN v ELSE s END $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.last_nonnull(s anyelement, v anyelement) RETURNS anyelement
   LANGUAGE sql IMMUTABLE AS $f$ SELECT coalesce(v, s) $f$`,
  `CREATE OR REPLACE AGGREGATE ${COMPAT_SCHEMA}.first_value(anyelement) (sfunc = ${COMPAT_SCHEMA}.first_nonnull, stype = anyelement)`,
  `CREATE OR REPLACE AGGREGATE ${COMPAT_SCHEMA}.last_value(anyelement) (sfunc = ${COMPAT_SCHEMA}.last_nonnull, stype = anyelement)`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.lag(a anyarray, n bigint) RETURNS anyelement
   LANGUAGE sql IMMUTABLE AS $f$ SELECT x[cardinality(x) - n + 1] FROM (SELECT array_remove(a, NULL) AS x) s $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.lead(a anyarray, n bigint) RETURNS anyelement
   LANGUAGE sql IMMUTABLE AS $f$ SELECT x[n] FROM (SELECT array_remove(a, NULL) AS x) s $f$`,
  // MEDIAN / PERCENTILE_CONT as windows (PARTITION BY only): plain aggregates collecting the
  // partition's non-NULL values, interpolated by PostgreSQL's own percentile_cont. The state's
  // first element is the fraction.
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.percentile_collect(s float8[], f float8, v float8) RETURNS float8[]
   LANGUAGE sql IMMUTABLE AS $f$ SELECT CASE WHEN v IS NULL THEN coalesce(s, ARRAY[f]) ELSE coalesce(s, ARRAY[f]) || v END $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.percentile_interpolate(s float8[]) RETURNS float8
   LANGUAGE sql IMMUTABLE AS $f$ SELECT percentile_cont(s[1]) WITHIN GROUP (ORDER BY x) FROM unnest(s[2:]) x $f$`,
  `CREATE OR REPLACE AGGREGATE ${COMPAT_SCHEMA}.percentile_cont(float8, float8) (
   sfunc = ${COMPAT_SCHEMA}.percentile_collect, stype = float8[], finalfunc = ${COMPAT_SCHEMA}.percentile_interpolate)`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.median_collect(s float8[], v float8) RETURNS float8[]
   LANGUAGE sql IMMUTABLE AS $f$ SELECT ${COMPAT_SCHEMA}.percentile_collect(s, 0.5, v) $f$`,
  `CREATE OR REPLACE AGGREGATE ${COMPAT_SCHEMA}.median(float8) (
   sfunc = ${COMPAT_SCHEMA}.median_collect, stype = float8[], finalfunc = ${COMPAT_SCHEMA}.percentile_interpolate)`,
];

/**
 * Idempotent DDL run once per database before its first statement: the Redshift functions
 * PostgreSQL lacks, and the session-level counters UNLOAD/COPY set
 * (`set_config('redshift.last_copy_count', ...)`).
 */
export const COMPAT_FUNCTIONS_DDL: readonly string[] = [
  `CREATE SCHEMA IF NOT EXISTS ${COMPAT_SCHEMA}`,
  ...DATE_FUNCTIONS_DDL,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.getdate() RETURNS timestamp
   LANGUAGE sql STABLE AS $f$ SELECT date_trunc('second', statement_timestamp() AT TIME ZONE 'UTC') $f$`,
  ...STRING_FUNCTIONS_DDL,
  ...windowHelpers,
  ...listaggFunctionsDdl(COMPAT_SCHEMA),
  ...mergeFunctionsDdl(COMPAT_SCHEMA),
  ...superFunctionsDdl(COMPAT_SCHEMA),
  ...aggregates,
  ...REGEXP_FUNCTIONS_DDL,
  ...jsonFunctions,
  alterTableAppend,
  ...DATE_FORMAT_FUNCTIONS_DDL,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.pg_last_copy_count() RETURNS bigint
   LANGUAGE sql STABLE AS $f$ SELECT coalesce(nullif(current_setting('redshift.last_copy_count', true), ''), '0')::bigint $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.pg_last_unload_count() RETURNS bigint
   LANGUAGE sql STABLE AS $f$ SELECT coalesce(nullif(current_setting('redshift.last_unload_count', true), ''), '0')::bigint $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.pg_last_copy_id() RETURNS integer
   LANGUAGE sql STABLE AS $f$ SELECT coalesce(nullif(current_setting('redshift.last_copy_id', true), ''), '-1')::integer $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.pg_last_query_id() RETURNS integer
   LANGUAGE sql STABLE AS $f$ SELECT coalesce(nullif(current_setting('redshift.last_query_id', true), ''), '-1')::integer $f$`,
  // information_schema.columns as Redshift reports it: SUPER and VARBYTE columns are jsonb and
  // bytea here, but Redshift says data_type "super" and "binary varying". Every other column is
  // PostgreSQL's own, in its order (read from the view itself, so `SELECT *` keeps its shape).
  `DO $do$ DECLARE cols text; BEGIN
  SELECT string_agg(CASE WHEN column_name = 'data_type'
      THEN $c$(CASE data_type WHEN 'jsonb' THEN 'super' WHEN 'bytea' THEN 'binary varying' ELSE data_type END)::information_schema.character_data AS data_type$c$
      ELSE quote_ident(column_name) END, ', ' ORDER BY ordinal_position) INTO cols
    FROM information_schema.columns WHERE table_schema = 'information_schema' AND table_name = 'columns';
  EXECUTE format('CREATE OR REPLACE VIEW ${COMPAT_SCHEMA}.columns AS SELECT %s FROM information_schema.columns', cols);
END $do$`,
];
