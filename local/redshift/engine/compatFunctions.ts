import { COMPAT_SCHEMA } from './compatSchema.ts';
import { DATE_FORMAT_FUNCTIONS_DDL } from './dateFormatFunctions.ts';
import { listaggFunctionsDdl } from './listaggFunctions.ts';
import { mergeFunctionsDdl } from './mergeFunctions.ts';
import { REGEXP_FUNCTIONS_DDL } from './regexpFunctions.ts';
import { STRING_FUNCTIONS_DDL } from './stringFunctions.ts';
import { superFunctionsDdl } from './superFunctions.ts';

export { COMPAT_SCHEMA };

const datepartNormaliser = `
CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.normalize_datepart(part text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $f$
  SELECT CASE lower(trim(part))
    WHEN 'millennium' THEN 'millennium' WHEN 'millennia' THEN 'millennium' WHEN 'mil' THEN 'millennium' WHEN 'mils' THEN 'millennium'
    WHEN 'century' THEN 'century' WHEN 'centuries' THEN 'century' WHEN 'c' THEN 'century' WHEN 'cent' THEN 'century' WHEN 'cents' THEN 'century'
    WHEN 'decade' THEN 'decade' WHEN 'decades' THEN 'decade' WHEN 'dec' THEN 'decade' WHEN 'decs' THEN 'decade'
    WHEN 'year' THEN 'year' WHEN 'years' THEN 'year' WHEN 'y' THEN 'year' WHEN 'yr' THEN 'year' WHEN 'yrs' THEN 'year' WHEN 'yy' THEN 'year' WHEN 'yyyy' THEN 'year'
    WHEN 'quarter' THEN 'quarter' WHEN 'quarters' THEN 'quarter' WHEN 'qtr' THEN 'quarter' WHEN 'qtrs' THEN 'quarter' WHEN 'q' THEN 'quarter'
    WHEN 'month' THEN 'month' WHEN 'months' THEN 'month' WHEN 'mon' THEN 'month' WHEN 'mons' THEN 'month' WHEN 'mm' THEN 'month'
    WHEN 'week' THEN 'week' WHEN 'weeks' THEN 'week' WHEN 'w' THEN 'week' WHEN 'wk' THEN 'week' WHEN 'wks' THEN 'week'
    WHEN 'dayofweek' THEN 'dow' WHEN 'dow' THEN 'dow' WHEN 'dw' THEN 'dow' WHEN 'weekday' THEN 'dow'
    WHEN 'dayofyear' THEN 'doy' WHEN 'doy' THEN 'doy' WHEN 'dy' THEN 'doy' WHEN 'yearday' THEN 'doy'
    WHEN 'epoch' THEN 'epoch'
    WHEN 'timezone' THEN 'timezone' WHEN 'timezone_hour' THEN 'timezone_hour' WHEN 'timezone_minute' THEN 'timezone_minute'
    WHEN 'day' THEN 'day' WHEN 'days' THEN 'day' WHEN 'd' THEN 'day' WHEN 'dd' THEN 'day'
    WHEN 'hour' THEN 'hour' WHEN 'hours' THEN 'hour' WHEN 'h' THEN 'hour' WHEN 'hh' THEN 'hour' WHEN 'hr' THEN 'hour' WHEN 'hrs' THEN 'hour'
    WHEN 'minute' THEN 'minute' WHEN 'minutes' THEN 'minute' WHEN 'm' THEN 'minute' WHEN 'mi' THEN 'minute' WHEN 'min' THEN 'minute' WHEN 'mins' THEN 'minute'
    WHEN 'second' THEN 'second' WHEN 'seconds' THEN 'second' WHEN 's' THEN 'second' WHEN 'sec' THEN 'second' WHEN 'secs' THEN 'second'
    WHEN 'millisecond' THEN 'millisecond' WHEN 'milliseconds' THEN 'millisecond' WHEN 'ms' THEN 'millisecond' WHEN 'msec' THEN 'millisecond'
      WHEN 'msecs' THEN 'millisecond' WHEN 'msecond' THEN 'millisecond' WHEN 'mseconds' THEN 'millisecond' WHEN 'millisec' THEN 'millisecond'
      WHEN 'millisecs' THEN 'millisecond' WHEN 'millisecon' THEN 'millisecond'
    WHEN 'microsecond' THEN 'microsecond' WHEN 'microseconds' THEN 'microsecond' WHEN 'microsec' THEN 'microsecond' WHEN 'microsecs' THEN 'microsecond'
      WHEN 'usecond' THEN 'microsecond' WHEN 'useconds' THEN 'microsecond' WHEN 'us' THEN 'microsecond'
      WHEN 'usec' THEN 'microsecond' WHEN 'usecs' THEN 'microsecond'
    ELSE NULL END
$f$`;

/** DATEADD: Redshift returns a timestamp; months keep the end of month as Redshift does (PG interval arithmetic). */
const dateadd = (type: string) => `
CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.dateadd(part text, n bigint, ts ${type}) RETURNS ${type}
LANGUAGE plpgsql IMMUTABLE STRICT AS $f$
DECLARE p text := ${COMPAT_SCHEMA}.normalize_datepart(part);
BEGIN
  IF p IS NULL OR p IN ('dow', 'doy', 'epoch', 'timezone', 'timezone_hour', 'timezone_minute') THEN
    RAISE EXCEPTION 'Invalid datepart for dateadd: %', part USING ERRCODE = '22023';
  END IF;
  IF p IN ('millennium', 'century', 'decade', 'year') THEN
    -- Years move the day within the month as a count: 2016-02-29 + 1 year is 2017-03-01 on
    -- Redshift, where 12 months give 2017-02-28.
    RETURN date_trunc('month', ts) + (ts - date_trunc('day', ts)) + make_interval(
      years => (n * CASE p WHEN 'millennium' THEN 1000 WHEN 'century' THEN 100 WHEN 'decade' THEN 10 ELSE 1 END)::int,
      days => extract(day FROM ts)::int - 1);
  END IF;
  RETURN ts + CASE p
    WHEN 'quarter' THEN make_interval(months => (n * 3)::int)
    WHEN 'month' THEN make_interval(months => n::int)
    WHEN 'week' THEN make_interval(weeks => n::int)
    WHEN 'day' THEN make_interval(days => n::int)
    WHEN 'hour' THEN make_interval(hours => n::int)
    WHEN 'minute' THEN make_interval(mins => n::int)
    WHEN 'second' THEN make_interval(secs => n)
    WHEN 'millisecond' THEN make_interval(secs => n / 1000.0)
    WHEN 'microsecond' THEN make_interval(secs => n / 1000000.0)
  END;
END
$f$`;

/** DATEDIFF counts the boundaries of `part` crossed between the two values, like Redshift. */
const datediff = (type: string) => `
CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.datediff(part text, a ${type}, b ${type}) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT AS $f$
DECLARE p text := ${COMPAT_SCHEMA}.normalize_datepart(part);
BEGIN
  IF p IS NULL OR p IN ('dow', 'doy', 'epoch', 'timezone', 'timezone_hour', 'timezone_minute') THEN
    RAISE EXCEPTION 'Invalid datepart for datediff: %', part USING ERRCODE = '22023';
  END IF;
  RETURN CASE p
    WHEN 'millennium' THEN floor(extract(year FROM b) / 1000) - floor(extract(year FROM a) / 1000)
    WHEN 'century' THEN floor(extract(year FROM b) / 100) - floor(extract(year FROM a) / 100)
    WHEN 'decade' THEN floor(extract(year FROM b) / 10) - floor(extract(year FROM a) / 10)
    WHEN 'year' THEN extract(year FROM b) - extract(year FROM a)
    WHEN 'quarter' THEN (extract(year FROM b) * 4 + extract(quarter FROM b)) - (extract(year FROM a) * 4 + extract(quarter FROM a))
    WHEN 'month' THEN (extract(year FROM b) * 12 + extract(month FROM b)) - (extract(year FROM a) * 12 + extract(month FROM a))
    WHEN 'week' THEN (date_trunc('week', b)::date - date_trunc('week', a)::date) / 7
    WHEN 'day' THEN b::date - a::date
    WHEN 'hour' THEN (extract(epoch FROM date_trunc('hour', b)) - extract(epoch FROM date_trunc('hour', a))) / 3600
    WHEN 'minute' THEN (extract(epoch FROM date_trunc('minute', b)) - extract(epoch FROM date_trunc('minute', a))) / 60
    WHEN 'second' THEN extract(epoch FROM date_trunc('second', b)) - extract(epoch FROM date_trunc('second', a))
    WHEN 'millisecond' THEN floor(extract(epoch FROM b) * 1000) - floor(extract(epoch FROM a) * 1000)
    WHEN 'microsecond' THEN floor(extract(epoch FROM b) * 1000000) - floor(extract(epoch FROM a) * 1000000)
  END;
END
$f$`;

/**
 * A date part as Redshift reads it from a value: milliseconds and microseconds are the fraction
 * of the second (12:08:43.101 has 101 ms, not 43101), seconds are whole.
 */
const datePartOf = (source: string) => `
   DECLARE p text := ${COMPAT_SCHEMA}.normalize_datepart(part);
   BEGIN
     IF p IS NULL OR p IN ('timezone', 'timezone_hour', 'timezone_minute') AND '${source}' <> 'timestamptz' THEN
       RAISE EXCEPTION 'Invalid datepart: %', part USING ERRCODE = '22023';
     END IF;
     RETURN CASE p
       WHEN 'millisecond' THEN floor(pg_catalog.date_part('microseconds', v)::numeric % 1000000 / 1000)
       WHEN 'microsecond' THEN pg_catalog.date_part('microseconds', v)::numeric % 1000000
       WHEN 'second' THEN floor(pg_catalog.date_part('second', v))
       ELSE pg_catalog.date_part(p, v) END;
   END`;

/**
 * EXTRACT: INTEGER for TIMESTAMP, TIME, TIMETZ and INTERVAL, DOUBLE PRECISION for TIMESTAMPTZ.
 * DATE_PART: DOUBLE PRECISION. Both read Redshift's date part names (dayofweek, dw, ...).
 */
const extractFunctions: string[] = [
  ...['timestamp', 'date', 'time', 'timetz', 'interval'].map(
    (type) => `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.extract(part text, v ${type}) RETURNS integer
   LANGUAGE plpgsql IMMUTABLE STRICT AS $f$${datePartOf(type)} $f$`,
  ),
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.extract(part text, v timestamptz) RETURNS float8
   LANGUAGE plpgsql STABLE STRICT AS $f$${datePartOf('timestamptz')} $f$`,
  // An untyped literal ('2008-01-01') is a TIMESTAMP, as on Redshift.
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.extract(part text, v text) RETURNS integer
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT ${COMPAT_SCHEMA}.extract(part, v::timestamp) $f$`,
  ...['timestamp', 'date', 'time', 'timetz', 'interval', 'timestamptz'].map(
    (type) => `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.date_part(part text, v ${type}) RETURNS float8
   LANGUAGE plpgsql ${type === 'timestamptz' ? 'STABLE' : 'IMMUTABLE'} STRICT AS $f$${datePartOf(type)} $f$`,
  ),
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.date_part(part text, v text) RETURNS float8
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT ${COMPAT_SCHEMA}.date_part(part, v::timestamp) $f$`,
];

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
  datepartNormaliser,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.getdate() RETURNS timestamp
   LANGUAGE sql STABLE AS $f$ SELECT date_trunc('second', statement_timestamp() AT TIME ZONE 'UTC') $f$`,
  ...STRING_FUNCTIONS_DDL,
  ...windowHelpers,
  ...listaggFunctionsDdl(COMPAT_SCHEMA),
  ...mergeFunctionsDdl(COMPAT_SCHEMA),
  ...superFunctionsDdl(COMPAT_SCHEMA),
  // The last day of a month stays the last day of the target month (2008-04-30 + 1 = 2008-05-31).
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.add_months(ts timestamp, n bigint) RETURNS timestamp
   LANGUAGE sql IMMUTABLE STRICT AS $f$
   SELECT CASE WHEN ts::date = (date_trunc('month', ts) + interval '1 month - 1 day')::date
     THEN date_trunc('month', ts) + make_interval(months => n::int + 1) - interval '1 day' + ts::time
     ELSE ts + make_interval(months => n::int) END $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.last_day(ts timestamp) RETURNS date
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT (date_trunc('month', ts) + interval '1 month - 1 day')::date $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.next_day(ts timestamp, day text) RETURNS date
   LANGUAGE plpgsql IMMUTABLE STRICT AS $f$
   DECLARE target int := CASE left(lower(trim(day)), 2)
       WHEN 'su' THEN 0 WHEN 'mo' THEN 1 WHEN 'tu' THEN 2 WHEN 'we' THEN 3
       WHEN 'th' THEN 4 WHEN 'fr' THEN 5 WHEN 'sa' THEN 6 END;
   BEGIN
     IF target IS NULL OR length(trim(day)) < 2 THEN
       RAISE EXCEPTION 'Invalid day of week: "%"', day USING ERRCODE = '22023';
     END IF;
     RETURN ts::date + ((target - extract(dow FROM ts)::int + 6) % 7 + 1);
   END $f$`,
  ...extractFunctions,
  ...aggregates,
  ...REGEXP_FUNCTIONS_DDL,
  ...jsonFunctions,
  alterTableAppend,
  ...DATE_FORMAT_FUNCTIONS_DDL,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.months_between(a date, b date) RETURNS float8
   LANGUAGE sql IMMUTABLE STRICT AS $f$
   SELECT CASE WHEN extract(day FROM a) = extract(day FROM b)
                 OR (a = (date_trunc('month', a) + interval '1 month - 1 day')::date
                     AND b = (date_trunc('month', b) + interval '1 month - 1 day')::date)
               THEN ((extract(year FROM a) - extract(year FROM b)) * 12 + extract(month FROM a) - extract(month FROM b))::float8
               ELSE ((extract(year FROM a) - extract(year FROM b)) * 12 + extract(month FROM a) - extract(month FROM b)
                     + (extract(day FROM a) - extract(day FROM b)) / 31.0)::float8 END $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.trunc(ts timestamp) RETURNS date
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT ts::date $f$`,
  dateadd('timestamp'),
  dateadd('timestamptz'),
  // A date or an untyped literal ('2008-01-31') gives a timestamp, as on Redshift.
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.dateadd(part text, n bigint, d date) RETURNS timestamp
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT ${COMPAT_SCHEMA}.dateadd(part, n, d::timestamp) $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.dateadd(part text, n bigint, s text) RETURNS timestamp
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT ${COMPAT_SCHEMA}.dateadd(part, n, s::timestamp) $f$`,
  datediff('timestamp'),
  datediff('timestamptz'),
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.datediff(part text, a date, b date) RETURNS bigint
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT ${COMPAT_SCHEMA}.datediff(part, a::timestamp, b::timestamp) $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.datediff(part text, a text, b text) RETURNS bigint
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT ${COMPAT_SCHEMA}.datediff(part, a::timestamp, b::timestamp) $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.datediff(part text, a time, b time) RETURNS bigint
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT ${COMPAT_SCHEMA}.datediff(part, '2000-01-01'::date + a, '2000-01-01'::date + b) $f$`,
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
