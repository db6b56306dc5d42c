/**
 * LISTAGG(DISTINCT x, d) (r_LISTAGG, r_WF_LISTAGG): NULLs and empty strings are left out, values
 * equal but for trailing blanks are duplicates and the first one met (in the group's order) is
 * kept. The state is the delimiter followed by the values kept; no value gives NULL. (A function
 * of the schema name: compatFunctions.ts, which names it, imports this module.)
 */
export function listaggFunctionsDdl(schema: string): string[] {
  return [
    `CREATE OR REPLACE FUNCTION ${schema}.listagg_distinct_add(s text[], v text, d text) RETURNS text[]
   LANGUAGE sql IMMUTABLE AS $f$ SELECT CASE
     WHEN v IS NULL OR v = '' THEN coalesce(s, ARRAY[d])
     WHEN s IS NOT NULL AND rtrim(v) = ANY (SELECT rtrim(x) FROM unnest(s[2:]) x) THEN s
     ELSE coalesce(s, ARRAY[d]) || v END $f$`,
    `CREATE OR REPLACE FUNCTION ${schema}.listagg_distinct_final(s text[]) RETURNS text
   LANGUAGE sql IMMUTABLE AS $f$ SELECT CASE WHEN cardinality(s) > 1 THEN array_to_string(s[2:], coalesce(s[1], '')) END $f$`,
    `CREATE OR REPLACE AGGREGATE ${schema}.listagg_distinct(text, text) (
   sfunc = ${schema}.listagg_distinct_add, stype = text[], finalfunc = ${schema}.listagg_distinct_final)`,
  ];
}
