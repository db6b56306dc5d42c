import { COMPAT_SCHEMA } from './compatSchema.ts';

/**
 * The fields of `s` read with `fmt` without range checks, as {year, month, day, hour, minute,
 * second}: Redshift's TO_DATE/TO_TIMESTAMP accept overflowing values (June 31 is July 1, 24:38 is
 * the next day's 00:38) unless is_strict is true, where PostgreSQL's always fail. Reads the
 * numeric and month-name templates (YYYY YY MM DD HH24 HH12 HH MI SS MS US Mon Month AM PM);
 * NULL for any other template, so the caller reports PostgreSQL's own error.
 */
const lenientFields = String.raw`
CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.datetime_fields(s text, fmt text) RETURNS numeric[]
LANGUAGE plpgsql IMMUTABLE STRICT AS $f$
DECLARE
  re text := E'^\\s*'; kinds text[] := '{}'; i int := 1; n int := length(fmt); tok text; t text; nx text;
  m text[]; v numeric[] := ARRAY[1, 1, 1, 0, 0, 0]; pm text; k int;
  templates text[] := ARRAY['YYYY', 'HH24', 'HH12', 'MONTH', 'Month', 'month', 'MON', 'Mon', 'mon', 'YY', 'MM', 'DD',
                            'HH', 'MI', 'SS', 'MS', 'US', 'AM', 'PM', 'am', 'pm'];
BEGIN
  WHILE i <= n LOOP
    t := NULL;
    FOREACH tok IN ARRAY templates LOOP
      IF substr(fmt, i, length(tok)) = tok THEN t := tok; EXIT; END IF;
    END LOOP;
    IF t IS NULL THEN
      IF substr(fmt, i, 1) ~ '[A-Za-z0-9"]' THEN RETURN NULL; END IF;
      -- A run of separators matches any run of non-alphanumeric characters, as to_timestamp does.
      WHILE i <= n AND substr(fmt, i, 1) !~ '[A-Za-z0-9"]' LOOP i := i + 1; END LOOP;
      re := re || '[^0-9A-Za-z]*';
      CONTINUE;
    END IF;
    i := i + length(t);
    nx := substr(fmt, i, 1);
    kinds := kinds || upper(t);
    re := re || CASE upper(t)
      WHEN 'YYYY' THEN E'(\\d{4})' WHEN 'YY' THEN E'(\\d{2})'
      WHEN 'MONTH' THEN '([A-Za-z]+)' WHEN 'MON' THEN '([A-Za-z]{3})'
      WHEN 'MS' THEN E'(\\d{1,3})' WHEN 'US' THEN E'(\\d{1,6})'
      WHEN 'AM' THEN '([AaPp][Mm])' WHEN 'PM' THEN '([AaPp][Mm])'
      ELSE CASE WHEN nx ~ '[A-Za-z0-9]' THEN E'(\\d{2})' ELSE E'(\\d{1,2})' END END;
  END LOOP;
  m := regexp_match(s, re);
  IF m IS NULL THEN RETURN NULL; END IF;
  FOR k IN 1 .. array_length(kinds, 1) LOOP
    CASE kinds[k]
      WHEN 'YYYY' THEN v[1] := m[k]::numeric;
      WHEN 'YY' THEN v[1] := 2000 + m[k]::numeric;
      WHEN 'MM' THEN v[2] := m[k]::numeric;
      WHEN 'MON', 'MONTH' THEN
        v[2] := (position(lower(left(m[k], 3)) IN 'janfebmaraprmayjunjulaugsepoctnovdec') + 2) / 3;
        IF v[2] = 0 THEN RETURN NULL; END IF;
      WHEN 'DD' THEN v[3] := m[k]::numeric;
      WHEN 'HH24', 'HH12', 'HH' THEN v[4] := m[k]::numeric;
      WHEN 'MI' THEN v[5] := m[k]::numeric;
      WHEN 'SS' THEN v[6] := v[6] + m[k]::numeric;
      WHEN 'MS' THEN v[6] := v[6] + rpad(m[k], 3, '0')::numeric / 1000;
      WHEN 'US' THEN v[6] := v[6] + rpad(m[k], 6, '0')::numeric / 1000000;
      ELSE pm := lower(m[k]);
    END CASE;
  END LOOP;
  IF pm = 'pm' AND v[4] < 12 THEN v[4] := v[4] + 12; ELSIF pm = 'am' AND v[4] = 12 THEN v[4] := 0; END IF;
  RETURN v;
END $f$`;

/** The timestamp of lenient fields; with is_strict, Redshift's out-of-range errors (r_TO_DATE_function, r_TO_TIMESTAMP). */
const fieldsTimestamp = `
CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.datetime_from_fields(v numeric[], is_strict boolean) RETURNS timestamp
LANGUAGE plpgsql IMMUTABLE STRICT AS $f$
DECLARE first timestamp := make_timestamp(v[1]::int, 1, 1, 0, 0, 0);
BEGIN
  IF is_strict AND (v[2] NOT BETWEEN 1 AND 12 OR v[3] < 1
      OR v[3] > extract(day FROM first + make_interval(months => v[2]::int) - interval '1 day')) THEN
    RAISE EXCEPTION 'date/time field date value out of range: %-%-%', v[1], v[2], v[3] USING ERRCODE = '22008';
  END IF;
  IF is_strict AND (v[4] >= 24 OR v[5] >= 60 OR v[6] >= 60) THEN
    RAISE EXCEPTION 'date/time field time value out of range: %:%:%', lpad(v[4]::text, 2, '0'), lpad(v[5]::text, 2, '0'),
      to_char(v[6], 'FM00.0999') USING ERRCODE = '22008';
  END IF;
  RETURN first + make_interval(months => v[2]::int - 1, days => v[3]::int - 1, hours => v[4]::int, mins => v[5]::int,
    secs => v[6]::float8);
END $f$`;

/**
 * CONVERT_TIMEZONE's zones: names and abbreviations as PostgreSQL reads them; a name followed by
 * an offset ('NEWZONE +2', 'America/Los_Angeles+2', 'GMT-2:15') is that POSIX offset, hours
 * west of UTC, the name ignored (CONVERT_TIMEZONE.html's offset example).
 */
const zoneOffset = String.raw`
CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.zone_posix_offset(zone text) RETURNS interval
LANGUAGE sql IMMUTABLE STRICT AS $f$
  SELECT CASE WHEN m IS NULL THEN NULL
    ELSE (CASE WHEN m[1] = '-' THEN -1 ELSE 1 END) * make_interval(hours => m[2]::int, mins => coalesce(m[3], '0')::int) END
  FROM (SELECT regexp_match(zone, E'^\\s*[A-Za-z_/]*\\s*([+-])(\\d{1,2})(?::(\\d{2}))?\\s*$') AS m) z $f$`;

export const DATE_FORMAT_FUNCTIONS_DDL: readonly string[] = [
  lenientFields,
  fieldsTimestamp,
  zoneOffset,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.to_timestamp(s text, fmt text, is_strict boolean DEFAULT false) RETURNS timestamptz
   LANGUAGE plpgsql STABLE STRICT AS $f$
   DECLARE v numeric[];
   BEGIN
     IF fmt ~ '(TZ|tz|OF)' THEN
       RAISE EXCEPTION 'TO_TIMESTAMP: formats that include a time zone (TZ, tz, OF) are not supported as input' USING ERRCODE = '22007';
     END IF;
     RETURN pg_catalog.to_timestamp(s, fmt);
   EXCEPTION WHEN datetime_field_overflow THEN
     v := ${COMPAT_SCHEMA}.datetime_fields(s, fmt);
     IF v IS NULL THEN RAISE; END IF;
     RETURN ${COMPAT_SCHEMA}.datetime_from_fields(v, is_strict) AT TIME ZONE 'UTC';
   END $f$`,
  // A TIMESTAMP argument (to_timestamp(sysdate, ...)) is read as its text.
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.to_timestamp(ts timestamp, fmt text, is_strict boolean DEFAULT false) RETURNS timestamptz
   LANGUAGE sql STABLE STRICT AS $f$ SELECT ${COMPAT_SCHEMA}.to_timestamp(ts::text, fmt, is_strict) $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.to_timestamp(epoch float8) RETURNS timestamptz
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT pg_catalog.to_timestamp(epoch) $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.to_date(s text, fmt text, is_strict boolean DEFAULT false) RETURNS date
   LANGUAGE plpgsql STABLE STRICT AS $f$
   DECLARE v numeric[];
   BEGIN
     RETURN pg_catalog.to_date(s, fmt);
   EXCEPTION WHEN datetime_field_overflow THEN
     v := ${COMPAT_SCHEMA}.datetime_fields(s, fmt);
     IF v IS NULL THEN RAISE; END IF;
     RETURN ${COMPAT_SCHEMA}.datetime_from_fields(v, is_strict)::date;
   END $f$`,
  // A TIMESTAMP is UTC on Redshift: TZ prints UTC and OF +00 (PostgreSQL prints nothing).
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.to_char(ts timestamp, fmt text) RETURNS varchar
   LANGUAGE sql STABLE STRICT SET timezone = 'UTC' AS $f$ SELECT pg_catalog.to_char(ts AT TIME ZONE 'UTC', fmt) $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.to_char(ts timestamptz, fmt text) RETURNS varchar
   LANGUAGE sql STABLE STRICT AS $f$ SELECT pg_catalog.to_char(ts, fmt) $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.to_char(d date, fmt text) RETURNS varchar
   LANGUAGE sql STABLE STRICT AS $f$ SELECT ${COMPAT_SCHEMA}.to_char(d::timestamp, fmt) $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.to_char(x numeric, fmt text) RETURNS varchar
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT pg_catalog.to_char(x, fmt) $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.to_char(x float8, fmt text) RETURNS varchar
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT pg_catalog.to_char(x, fmt) $f$`,
  ...['smallint', 'integer', 'bigint'].map(
    (type) => `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.to_char(x ${type}, fmt text) RETURNS varchar
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT pg_catalog.to_char(x, fmt) $f$`,
  ),
  // An untyped literal ('2009-12-31') is a TIMESTAMP.
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.to_char(s text, fmt text) RETURNS varchar
   LANGUAGE sql STABLE STRICT AS $f$ SELECT ${COMPAT_SCHEMA}.to_char(s::timestamp, fmt) $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.to_char(x interval, fmt text) RETURNS varchar
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT pg_catalog.to_char(x, fmt) $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.convert_timezone(source text, target text, ts timestamp) RETURNS timestamp
   LANGUAGE sql STABLE STRICT AS $f$
   SELECT CASE WHEN ${COMPAT_SCHEMA}.zone_posix_offset(target) IS NOT NULL THEN utc - ${COMPAT_SCHEMA}.zone_posix_offset(target)
               ELSE utc AT TIME ZONE 'UTC' AT TIME ZONE target END
   FROM (SELECT CASE WHEN ${COMPAT_SCHEMA}.zone_posix_offset(source) IS NOT NULL THEN ts + ${COMPAT_SCHEMA}.zone_posix_offset(source)
                     ELSE (ts AT TIME ZONE source) AT TIME ZONE 'UTC' END AS utc) u $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.convert_timezone(target text, ts timestamp) RETURNS timestamp
   LANGUAGE sql STABLE STRICT AS $f$ SELECT ${COMPAT_SCHEMA}.convert_timezone('UTC', target, ts) $f$`,
];
