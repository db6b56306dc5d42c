/**
 * The SUPER introspection functions (query-super "Types of introspection", r_JSON_TYPEOF,
 * r_is_array...) over jsonb, SUPER's local form. They return false for NULL, and JSON null is
 * neither scalar, array nor object. (A function of the schema name: compatFunctions.ts, which
 * names it, imports this module.)
 */
export function superFunctionsDdl(schema: string): string[] {
  const predicate = (name: string, body: string) =>
    `CREATE OR REPLACE FUNCTION ${schema}.${name}(s jsonb) RETURNS boolean
   LANGUAGE sql IMMUTABLE AS $f$ SELECT coalesce(${body}, false) $f$`;
  // An integral JSON number (1, not 1.0) within the type's range.
  const integral = (name: string, min: string, max: string) =>
    predicate(
      name,
      `jsonb_typeof(s) = 'number' AND scale(s::numeric) = 0 AND s::numeric BETWEEN ${min} AND ${max}`,
    );
  return [
    `CREATE OR REPLACE FUNCTION ${schema}.json_typeof(s jsonb) RETURNS varchar
   LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT jsonb_typeof(s)::varchar $f$`,
    predicate('is_array', "jsonb_typeof(s) = 'array'"),
    predicate('is_object', "jsonb_typeof(s) = 'object'"),
    predicate('is_scalar', "jsonb_typeof(s) IN ('string', 'number', 'boolean')"),
    predicate('is_varchar', "jsonb_typeof(s) = 'string'"),
    predicate('is_boolean', "jsonb_typeof(s) = 'boolean'"),
    integral('is_smallint', '-32768', '32767'),
    integral('is_integer', '-2147483648', '2147483647'),
    integral('is_bigint', '-9223372036854775808', '9223372036854775807'),
  ];
}
