import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's spark/ folder: spark/setup.sh installs PySpark into spark/.venv and jars into spark/jars. */
export const DEFAULT_SPARK_DIR = resolve(fileURLToPath(new URL('../../spark', import.meta.url)));

export const SETUP_HINT =
  'install it with `bash spark/setup.sh` (PySpark from PyPI into spark/.venv, jars from Maven Central into spark/jars)';

export interface LocalSparkInstall {
  sparkHome: string;
  sparkSubmit: string;
  python: string;
  venvBin: string;
  /** The Redshift JDBC driver standing in for /usr/share/aws/redshift/jdbc/RedshiftJDBC*.jar. */
  redshiftJdbcJar: string | undefined;
  postgresJdbcJar: string | undefined;
  /** The spark-redshift connector and its dependencies, when Maven resolved them. */
  connectorJars: string[];
  /** hadoop-aws and the AWS SDK modules it needs, so s3:// and s3a:// reach the local S3. */
  s3aJars: string[];
}

export type LocalSparkLookup = { ok: true; install: LocalSparkInstall } | { ok: false; reason: string };

/** Finds PySpark and the jars under `sparkDir`; says what is missing and how to install it. */
export function findLocalSpark(sparkDir: string = DEFAULT_SPARK_DIR): LocalSparkLookup {
  const venv = join(sparkDir, '.venv');
  const venvBin = join(venv, 'bin');
  const python = join(venvBin, 'python');
  const libDir = join(venv, 'lib');
  const pyDirs = existsSync(libDir) ? readdirSync(libDir).filter((d) => d.startsWith('python')) : [];
  const sparkHome = pyDirs
    .map((d) => join(libDir, d, 'site-packages', 'pyspark'))
    .find((d) => existsSync(join(d, 'bin', 'spark-submit')));
  if (!existsSync(python) || sparkHome === undefined) {
    return {
      ok: false,
      reason: `PySpark is not installed for the local EMR (looked in ${venv}): ${SETUP_HINT}.`,
    };
  }
  const jarsDir = join(sparkDir, 'jars');
  const jars = existsSync(jarsDir)
    ? readdirSync(jarsDir)
        .filter((f) => f.endsWith('.jar'))
        .sort()
    : [];
  const path = (f: string) => join(jarsDir, f);
  const s3aJars = jars
    .filter((f) => /^(hadoop-aws|aws-java-sdk|jmespath-java|ion-java|wildfly-openssl)-/.test(f))
    .map(path);
  if (!s3aJars.some((f) => f.includes('hadoop-aws'))) {
    return {
      ok: false,
      reason: `hadoop-aws is missing from ${jarsDir}, so the local EMR cannot read s3:// paths: ${SETUP_HINT}.`,
    };
  }
  const redshift = jars.find((f) => f.startsWith('redshift-jdbc42-'));
  const postgres = jars.find((f) => f.startsWith('postgresql-'));
  return {
    ok: true,
    install: {
      sparkHome,
      sparkSubmit: join(sparkHome, 'bin', 'spark-submit'),
      python,
      venvBin,
      redshiftJdbcJar: redshift === undefined ? undefined : path(redshift),
      postgresJdbcJar: postgres === undefined ? undefined : path(postgres),
      connectorJars: jars.filter((f) => /^(spark-redshift|spark-avro|minimal-json)/.test(f)).map(path),
      s3aJars,
    },
  };
}
