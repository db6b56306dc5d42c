import { COMPAT_SCHEMA } from './compatSchema.ts';

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
 * Redshift's date and time functions PostgreSQL lacks or computes otherwise (DATEADD, DATEDIFF,
 * DATE_PART/EXTRACT, ADD_MONTHS, LAST_DAY, NEXT_DAY, MONTHS_BETWEEN, TRUNC), in the order they
 * must be created: a SQL function's body names only functions made before it.
 */
export const DATE_FUNCTIONS_DDL: readonly string[] = [
  datepartNormaliser,
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
];
