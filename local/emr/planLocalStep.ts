import { basename, join } from 'node:path';
import type { LocalSparkInstall } from './localSparkInstall.ts';

/** A step the local EMR cannot run: the reason goes into the step's FailureDetails. */
export class LocalStepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalStepError';
  }
}

export interface LocalCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** s3:// objects to fetch into the step's work dir before it starts (scripts, py-files). */
  downloads: { uri: string; path: string }[];
  /** Lines for the step's stderr log explaining what was mapped. */
  notes: string[];
}

export interface PlanContext {
  s3Endpoint: string;
  workDir: string;
  exists: (path: string) => boolean;
  /** Cores given to local[N]. */
  cores: number;
}

const VALUE_OPTIONS = new Set([
  '--master',
  '--deploy-mode',
  '--class',
  '--name',
  '--jars',
  '--packages',
  '--exclude-packages',
  '--repositories',
  '--py-files',
  '--files',
  '--archives',
  '--conf',
  '-c',
  '--properties-file',
  '--driver-memory',
  '--driver-java-options',
  '--driver-library-path',
  '--driver-class-path',
  '--executor-memory',
  '--proxy-user',
  '--driver-cores',
  '--total-executor-cores',
  '--executor-cores',
  '--num-executors',
  '--queue',
  '--principal',
  '--keytab',
]);

/** Where EMR keeps the Redshift JDBC driver and the connector (reference/spark-redshift.md §4). */
const EMR_REDSHIFT_JDBC = /^\/usr\/share\/aws\/redshift\/jdbc\/RedshiftJDBC[0-9]*\.jar$/;
const EMR_CONNECTOR = /^\/usr\/share\/aws\/redshift\/spark-redshift\/lib\/[^/]+\.jar$/;

/**
 * Turns an EMR command-runner.jar argv into the local command. `spark-submit` runs the local
 * PySpark in `local[N]` client mode (cluster mode does not exist without YARN) with the EMR jar
 * paths mapped to the jars spark/setup.sh fetched, and `s3://`/`s3a://` served by hadoop-aws
 * against the local S3 (path style), so the script and its arguments are exactly EMR's. Any
 * other command runs as given, as command-runner.jar does.
 */
export function planLocalStep(
  args: readonly string[],
  install: LocalSparkInstall | undefined,
  ctx: PlanContext,
): LocalCommand {
  const [command, ...rest] = args;
  if (command === undefined)
    throw new LocalStepError('command-runner.jar was given no command (HadoopJarStep.Args is empty)');
  if (command !== 'spark-submit') return { command, args: rest, env: {}, downloads: [], notes: [] };
  if (install === undefined) throw new LocalStepError('unreachable: spark-submit planned without PySpark');

  const notes: string[] = [];
  const downloads: LocalCommand['downloads'] = [];
  const fetched = (uri: string) => {
    const path = join(ctx.workDir, 'files', `${downloads.length}-${basename(uri)}`);
    downloads.push({ uri, path });
    return path;
  };
  const mapJar = (jar: string): string[] => {
    if (EMR_REDSHIFT_JDBC.test(jar)) {
      if (install.redshiftJdbcJar === undefined)
        throw new LocalStepError(
          `${jar} has no local stand-in: the Redshift JDBC driver is missing from spark/jars; run \`bash spark/setup.sh\``,
        );
      notes.push(`local EMR: ${jar} -> ${install.redshiftJdbcJar}`);
      return [install.redshiftJdbcJar];
    }
    if (EMR_CONNECTOR.test(jar)) {
      if (install.connectorJars.length === 0) {
        notes.push(
          `local EMR: ${jar} is not available locally (the spark-redshift connector does not resolve from Maven Central here); reading through the connector will fail`,
        );
        return [];
      }
      const match = install.connectorJars.filter((j) => basename(j).startsWith(basename(jar, '.jar')));
      return match.length > 0 ? match : install.connectorJars;
    }
    if (/^s3a?:\/\//.test(jar)) return [fetched(jar)];
    if (!ctx.exists(jar))
      throw new LocalStepError(
        `jar ${jar} does not exist on the local EMR (only the EMR paths of the Redshift driver and connector are mapped)`,
      );
    return [jar];
  };
  const mapList = (value: string, sep: string) =>
    value
      .split(sep)
      .filter((v) => v !== '')
      .flatMap(mapJar);

  const jars: string[] = [];
  const driverClassPath: string[] = [];
  const confs: string[] = [];
  const passThrough: string[] = [];
  let i = 0;
  for (; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (!arg.startsWith('-')) break;
    const [flag, inline] =
      arg.includes('=') && arg.startsWith('--')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    if (!VALUE_OPTIONS.has(flag)) {
      passThrough.push(arg);
      continue;
    }
    const value = inline ?? rest[++i];
    if (value === undefined) throw new LocalStepError(`spark-submit option ${flag} has no value`);
    switch (flag) {
      case '--master':
      case '--deploy-mode':
        notes.push(
          `local EMR: ${flag} ${value} replaced by --master local[${ctx.cores}] --deploy-mode client`,
        );
        break;
      case '--jars':
        jars.push(...mapList(value, ','));
        break;
      case '--driver-class-path':
        driverClassPath.push(...mapList(value, ':'));
        break;
      case '--conf':
      case '-c':
        confs.push('--conf', value);
        break;
      case '--py-files':
      case '--files':
        passThrough.push(
          flag,
          value
            .split(',')
            .map((f) => (/^s3a?:\/\//.test(f) ? fetched(f) : f))
            .join(','),
        );
        break;
      default:
        passThrough.push(flag, value);
    }
  }
  const script = rest[i];
  if (script === undefined)
    throw new LocalStepError('spark-submit was given no application (script or jar) to run');
  const appArgs = rest.slice(i + 1);
  let localScript = script;
  if (/^s3a?:\/\//.test(script)) localScript = fetched(script);
  else if (!ctx.exists(script))
    throw new LocalStepError(
      `the application ${script} does not exist on the local EMR: upload it to S3 and pass its s3:// URI as spark.script`,
    );

  const extra = [install.postgresJdbcJar, ...install.s3aJars].filter((j): j is string => j !== undefined);
  const allJars = unique([...jars, ...extra]);
  const classPath = unique([
    ...driverClassPath,
    ...(install.postgresJdbcJar === undefined ? [] : [install.postgresJdbcJar]),
  ]);
  const s3Conf = {
    'spark.hadoop.fs.s3.impl': 'org.apache.hadoop.fs.s3a.S3AFileSystem',
    'spark.hadoop.fs.s3a.endpoint': ctx.s3Endpoint,
    'spark.hadoop.fs.s3a.path.style.access': 'true',
    'spark.hadoop.fs.s3a.connection.ssl.enabled': String(ctx.s3Endpoint.startsWith('https:')),
    'spark.hadoop.fs.s3a.access.key': 'local',
    'spark.hadoop.fs.s3a.secret.key': 'local',
    'spark.hadoop.fs.s3a.aws.credentials.provider': 'org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider',
    'spark.driver.host': '127.0.0.1',
    'spark.driver.bindAddress': '127.0.0.1',
  };
  // Small-machine defaults the step's own --conf may override.
  const defaults = {
    'spark.ui.enabled': 'false',
    'spark.sql.shuffle.partitions': String(Math.max(2, ctx.cores)),
  };
  return {
    command: install.sparkSubmit,
    args: [
      '--master',
      `local[${ctx.cores}]`,
      '--deploy-mode',
      'client',
      ...(classPath.length > 0 ? ['--driver-class-path', classPath.join(':')] : []),
      ...(allJars.length > 0 ? ['--jars', allJars.join(',')] : []),
      ...passThrough,
      ...Object.entries(defaults).flatMap(([k, v]) => ['--conf', `${k}=${v}`]),
      ...confs,
      // Last, so that they win over the step's own --conf: the local S3 is the only S3 here.
      ...Object.entries(s3Conf).flatMap(([k, v]) => ['--conf', `${k}=${v}`]),
      localScript,
      ...appArgs,
    ],
    env: {
      SPARK_HOME: install.sparkHome,
      PYSPARK_PYTHON: install.python,
      PYSPARK_DRIVER_PYTHON: install.python,
      SPARK_LOCAL_IP: '127.0.0.1',
      SPARK_LOCAL_HOSTNAME: 'localhost',
      PATH: `${install.venvBin}:${process.env.PATH ?? ''}`,
    },
    downloads,
    notes: unique(notes),
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
