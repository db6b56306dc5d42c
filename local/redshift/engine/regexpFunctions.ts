import { COMPAT_SCHEMA } from './compatSchema.ts';

/**
 * REGEXP_COUNT / REGEXP_INSTR / REGEXP_SUBSTR / REGEXP_REPLACE with Redshift's arguments
 * (REGEXP_*.html): position, occurrence, option and the parameters `c`, `i`, `e`, `p`, on
 * PostgreSQL's advanced regular expressions (AREs).
 *
 * Where they differ from PostgreSQL's functions of the same name: REGEXP_REPLACE replaces every
 * match (PostgreSQL: the first only), its replacement defaults to ''; REGEXP_SUBSTR returns ''
 * when nothing matches (PostgreSQL: NULL); `e` takes the first parenthesised subexpression.
 *
 * `p` (PCRE): AREs read lookahead `(?=`, `(?!`, lookbehind, non-greedy quantifiers, `\d\w\s`
 * as PCRE does; PCRE's word boundary `\b`/`\B` is the ARE's `\y`/`\Y` (an ARE's `\b` is a
 * backspace), translated here. PCRE-only constructs an ARE would read differently or not at all
 * (named and atomic groups, possessive quantifiers, `\K`, `\p{..}`, recursion, `\z`, `\h`, `\R`)
 * fail with an error naming the construct, never with a different match.
 */
const regexpFlags = `
CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.regexp_flags(fn text, params text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $f$
DECLARE flags text := ''; c text;
BEGIN
  FOREACH c IN ARRAY regexp_split_to_array(coalesce(params, ''), '') LOOP
    IF c IN ('c', 'i') THEN flags := flags || c;
    ELSIF c NOT IN ('e', 'p') THEN
      RAISE EXCEPTION '%: invalid regular expression parameter "%" (use c, i, e or p)', fn, c USING ERRCODE = '22023';
    END IF;
  END LOOP;
  RETURN flags;
END $f$`;

/** The pattern as an ARE: PCRE's `\b`/`\B` translated, PCRE-only constructs refused. */
const regexpPattern = String.raw`
CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.regexp_pattern(fn text, pattern text, params text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $f$
DECLARE
  out text := ''; i int := 1; n int := length(pattern); c text; nx text; in_class boolean := false; bad text;
BEGIN
  IF position('p' IN coalesce(params, '')) = 0 THEN RETURN pattern; END IF;
  bad := substring(pattern FROM E'(\\(\\?<[A-Za-z_]|\\(\\?P|\\(\\?>|\\(\\?R\\)|\\(\\?[0-9]|[*+?}]\\+|\\\\[KpPzhHRXgk])');
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION '%: the PCRE construct "%" is not supported by the local Redshift (PostgreSQL regular expressions)', fn, bad
      USING ERRCODE = '0A000';
  END IF;
  WHILE i <= n LOOP
    c := substr(pattern, i, 1);
    nx := substr(pattern, i + 1, 1);
    IF c = E'\\' THEN
      IF NOT in_class AND nx = 'b' THEN out := out || E'\\y';
      ELSIF NOT in_class AND nx = 'B' THEN out := out || E'\\Y';
      ELSE out := out || c || nx; END IF;
      i := i + 2;
      CONTINUE;
    END IF;
    IF c = '[' AND NOT in_class THEN
      in_class := true;
      out := out || c;
      i := i + 1;
      -- A ']' right after '[' or '[^' is a member, not the end of the class.
      IF substr(pattern, i, 1) = '^' THEN out := out || '^'; i := i + 1; END IF;
      IF substr(pattern, i, 1) = ']' THEN out := out || ']'; i := i + 1; END IF;
      CONTINUE;
    END IF;
    IF c = ']' AND in_class THEN in_class := false; END IF;
    out := out || c;
    i := i + 1;
  END LOOP;
  RETURN out;
END $f$`;

/** 1 when the pattern has a capturing subexpression and `e` asks for it, else 0 (the whole match). */
const regexpSubexpr = String.raw`
CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.regexp_subexpr(pattern text, params text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $f$
  SELECT CASE WHEN position('e' IN coalesce(params, '')) > 0
               AND pattern ~ E'(^|[^\\\\])\\((?!\\?)' THEN 1 ELSE 0 END $f$`;

export const REGEXP_FUNCTIONS_DDL: readonly string[] = [
  regexpFlags,
  regexpPattern,
  regexpSubexpr,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.regexp_count(s text, pattern text, pos integer DEFAULT 1, params text DEFAULT 'c')
   RETURNS integer LANGUAGE sql IMMUTABLE AS $f$
   SELECT CASE WHEN s IS NULL OR pattern IS NULL THEN NULL
               WHEN greatest(pos, 1) > length(s) THEN 0
               ELSE pg_catalog.regexp_count(s, ${COMPAT_SCHEMA}.regexp_pattern('REGEXP_COUNT', pattern, params), greatest(pos, 1),
                      ${COMPAT_SCHEMA}.regexp_flags('REGEXP_COUNT', params)) END $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.regexp_instr(s text, pattern text, pos integer DEFAULT 1, occurrence integer DEFAULT 1,
     opt integer DEFAULT 0, params text DEFAULT 'c')
   RETURNS integer LANGUAGE sql IMMUTABLE AS $f$
   SELECT CASE WHEN s IS NULL OR pattern IS NULL THEN NULL
               WHEN greatest(pos, 1) > length(s) OR occurrence < 1 OR occurrence > length(s) THEN 0
               ELSE pg_catalog.regexp_instr(s, ${COMPAT_SCHEMA}.regexp_pattern('REGEXP_INSTR', pattern, params), greatest(pos, 1),
                      occurrence, CASE WHEN opt = 0 THEN 0 ELSE 1 END, ${COMPAT_SCHEMA}.regexp_flags('REGEXP_INSTR', params),
                      ${COMPAT_SCHEMA}.regexp_subexpr(pattern, params)) END $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.regexp_substr(s text, pattern text, pos integer DEFAULT 1, occurrence integer DEFAULT 1,
     params text DEFAULT 'c')
   RETURNS varchar LANGUAGE sql IMMUTABLE AS $f$
   SELECT CASE WHEN s IS NULL OR pattern IS NULL THEN NULL
               WHEN occurrence < 1 OR occurrence > length(s) THEN NULL
               WHEN greatest(pos, 1) > length(s) THEN ''
               ELSE coalesce(pg_catalog.regexp_substr(s, ${COMPAT_SCHEMA}.regexp_pattern('REGEXP_SUBSTR', pattern, params),
                      greatest(pos, 1), occurrence, ${COMPAT_SCHEMA}.regexp_flags('REGEXP_SUBSTR', params),
                      ${COMPAT_SCHEMA}.regexp_subexpr(pattern, params)), '') END $f$`,
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.regexp_replace(s text, pattern text, replacement text DEFAULT '', pos integer DEFAULT 1,
     params text DEFAULT 'c')
   RETURNS varchar LANGUAGE sql IMMUTABLE AS $f$
   SELECT CASE WHEN s IS NULL OR pattern IS NULL OR replacement IS NULL THEN NULL
               WHEN greatest(pos, 1) > length(s) THEN s
               ELSE pg_catalog.regexp_replace(s, ${COMPAT_SCHEMA}.regexp_pattern('REGEXP_REPLACE', pattern, params), replacement,
                      greatest(pos, 1), 0, ${COMPAT_SCHEMA}.regexp_flags('REGEXP_REPLACE', params)) END $f$`,
];
