import { COMPAT_SCHEMA } from './compatSchema.ts';

/** `name(anycompatible, ...)`: PostgreSQL's function of the same name on the argument's text. */
function stringFunctionsWithImplicitCast(): string[] {
  const fn = (name: string, params: string[], returns = 'text') => {
    const args = params
      .map((p, i) => `${p === 'anycompatible' ? `$${i + 1}::text` : `$${i + 1}`}`)
      .join(', ');
    return `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.${name}(${params.join(', ')}) RETURNS ${returns}
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT pg_catalog.${name}(${args}) $f$`;
  };
  return [
    fn('split_part', ['anycompatible', 'text', 'integer']),
    fn('ltrim', ['anycompatible']),
    fn('ltrim', ['anycompatible', 'text']),
    fn('rtrim', ['anycompatible']),
    fn('rtrim', ['anycompatible', 'text']),
    fn('btrim', ['anycompatible']),
    fn('btrim', ['anycompatible', 'text']),
    fn('repeat', ['anycompatible', 'integer']),
    fn('reverse', ['anycompatible']),
    fn('left', ['anycompatible', 'integer']),
    fn('right', ['anycompatible', 'integer']),
    fn('substring', ['anycompatible', 'integer']),
    fn('substring', ['anycompatible', 'integer', 'integer']),
    // CHARINDEX/POSITION/STRPOS on a DECIMAL or a DATE search its text (c_String_functions).
    fn('strpos', ['anycompatible', 'text'], 'integer'),
    fn('lpad', ['anycompatible', 'integer']),
    fn('lpad', ['anycompatible', 'integer', 'text']),
    fn('rpad', ['anycompatible', 'integer']),
    fn('rpad', ['anycompatible', 'integer', 'text']),
    fn('replace', ['anycompatible', 'text', 'text']),
    fn('translate', ['anycompatible', 'text', 'text']),
    fn('upper', ['anycompatible']),
    fn('lower', ['anycompatible']),
    fn('initcap', ['anycompatible']),
    `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.substring(bytea, integer) RETURNS bytea
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT pg_catalog.substring($1, $2) $f$`,
    `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.substring(bytea, integer, integer) RETURNS bytea
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT pg_catalog.substring($1, $2, $3) $f$`,
  ];
}

/**
 * Redshift's string functions as PostgreSQL lacks them: a non-text argument read as its text
 * (SPLIT_PART(listtime, '-', 1), REPEAT(catid, 3), CHARINDEX('.', commission)), VARBYTE keeping
 * its own SUBSTRING, LEN, CHARINDEX, POSITION, `+` between strings, STRTOL.
 */
export const STRING_FUNCTIONS_DDL: readonly string[] = [
  ...stringFunctionsWithImplicitCast(),
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.len(s anycompatible) RETURNS integer
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT length(s::text) $f$`,
  // `firstname + ' ' + lastname` (r_NVL2.html): + between strings concatenates. Operators are
  // found through the search_path like functions; numbers keep PostgreSQL's + (no implicit cast
  // from a number to text).
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.concat_plus(a text, b text) RETURNS text
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT a || b $f$`,
  `DO $f$ BEGIN
     CREATE OPERATOR ${COMPAT_SCHEMA}.+ (LEFTARG = text, RIGHTARG = text, FUNCTION = ${COMPAT_SCHEMA}.concat_plus);
   EXCEPTION WHEN duplicate_function THEN NULL;
   END $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.charindex(needle text, haystack anycompatible) RETURNS integer
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT strpos(haystack::text, needle) $f$`,
  // POSITION(needle IN haystack), written as a call by the translation (positionEdits).
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.position(needle text, haystack anycompatible) RETURNS integer
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT strpos(haystack::text, needle) $f$`,
  // r_STRTOL: leading white space, a sign, '0x' in base 16; '' is 0; outside BIGINT is an error.
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.strtol(s text, base integer) RETURNS bigint
   LANGUAGE plpgsql IMMUTABLE STRICT AS $f$
   DECLARE r bigint := 0; t text := lower(ltrim(s, E' \t\n\r\f\v')); negative boolean := false; c text; d int;
   BEGIN
     IF base NOT BETWEEN 2 AND 36 THEN
       RAISE EXCEPTION 'STRTOL: base % is not between 2 and 36', base USING ERRCODE = '22023';
     END IF;
     IF left(t, 1) IN ('+', '-') THEN negative := left(t, 1) = '-'; t := substr(t, 2); END IF;
     IF base = 16 AND left(t, 2) = '0x' THEN t := substr(t, 3); END IF;
     FOREACH c IN ARRAY regexp_split_to_array(t, '') LOOP
       d := strpos('0123456789abcdefghijklmnopqrstuvwxyz', c) - 1;
       IF d < 0 OR d >= base THEN RETURN NULL; END IF;
       r := r * base + d;
     END LOOP;
     RETURN CASE WHEN negative THEN -r ELSE r END;
   END $f$`,
];
