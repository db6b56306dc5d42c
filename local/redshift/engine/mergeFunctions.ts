/**
 * The checks of `MERGE ... REMOVE DUPLICATES` (see sql/lowerMergeRemoveDuplicates.ts), run by
 * the statement itself so that a failed check leaves both tables as they were. (A function of the
 * schema name: compatFunctions.ts, which names it, imports this module.)
 */
export function mergeFunctionsDdl(schema: string): string[] {
  return [
    `CREATE OR REPLACE FUNCTION ${schema}.merge_remove_duplicates_check(target regclass, source regclass, multiple_matches bigint)
   RETURNS boolean LANGUAGE plpgsql STABLE AS $f$
   DECLARE t int; s int;
   BEGIN
     SELECT count(*) INTO t FROM pg_attribute WHERE attrelid = target AND attnum > 0 AND NOT attisdropped;
     SELECT count(*) INTO s FROM pg_attribute WHERE attrelid = source AND attnum > 0 AND NOT attisdropped;
     IF t <> s THEN
       RAISE EXCEPTION 'MERGE with REMOVE DUPLICATES needs the same number of columns in the target and source tables: % has %, % has %', target, t, source, s
         USING ERRCODE = '42601';
     END IF;
     IF multiple_matches > 0 THEN
       RAISE EXCEPTION 'Found multiple matches to update the same tuple.' USING ERRCODE = 'XX000';
     END IF;
     RETURN true;
   END $f$`,
  ];
}
