import { findLocalSpark, type LocalSparkLookup } from '../../local/emr/localSparkInstall.ts';

/**
 * The PySpark install the Spark e2e tests run on. CI installs it (spark/setup.sh from .ci/run), so
 * there a missing install fails the run; elsewhere the test file says why it skips.
 */
export function localSparkFor(testFile: string): LocalSparkLookup {
  const spark = findLocalSpark();
  if (!spark.ok && process.env.CI) throw new Error(spark.reason);
  if (!spark.ok) console.warn(`${testFile} skipped: ${spark.reason}`);
  return spark;
}
