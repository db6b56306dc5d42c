import { JobValidationError } from '../errors.ts';
import type { SparkStep } from '../job/sparkStep.ts';

/**
 * Tokens that only mean something to a shell. command-runner.jar hands the argv to the process
 * as is (no shell), so an argument like `$HOME`, `*.py`, `a|b` or `> out.log` would reach
 * spark-submit literally: that is never what the author meant, so it is refused up front.
 */
const SHELL_OPERATORS = new Set([
  '|',
  '||',
  '&',
  '&&',
  ';',
  ';;',
  '<',
  '<<',
  '>',
  '>>',
  '2>',
  '2>&1',
  '(',
  ')',
]);
const LOCAL_GLOB = /^[\w./-]*[*?][\w./*?-]*$/;
const SHELL_EXPANSION = /\$[A-Za-z_{(]|`/;
// Newlines and tabs are fine in an argv entry (a multi-line --sql); other control characters are not.
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/**
 * Why `arg` would need a shell to mean what it says, or undefined when it is a plain argv entry.
 * Pure, so the rules are tested table-driven.
 */
export function shellProblem(arg: string): string | undefined {
  if (CONTROL_CHARS.test(arg)) return 'contains a control character (NUL, carriage return, escape...)';
  if (SHELL_OPERATORS.has(arg.trim())) return `is the shell operator "${arg.trim()}"`;
  if (SHELL_EXPANSION.test(arg)) return 'uses shell expansion ($VAR, $(...) or backquotes)';
  if (arg.startsWith('~')) return 'starts with "~" (home-directory expansion needs a shell)';
  // Hadoop expands globs in URIs itself (s3://b/*.csv is fine); a bare local glob is the shell's job.
  if (LOCAL_GLOB.test(arg)) return 'looks like a local file glob (globs need a shell)';
  return undefined;
}

const SPARK_CONF_KEY = /^spark\.[A-Za-z0-9_.-]+$/;

/** Every argv entry of the step, checked; throws one JobValidationError listing every problem by path. */
export function assertStepArgs(spark: SparkStep, extraArgs: readonly string[] = []): void {
  const issues: string[] = [];
  const check = (path: string, value: string) => {
    const problem = shellProblem(value);
    if (problem !== undefined) issues.push(`${path}: ${JSON.stringify(value)} ${problem}`);
  };
  check('spark.script', spark.script);
  check('spark.jdbcJar', spark.jdbcJar);
  if (spark.jdbcJar.includes(',')) issues.push('spark.jdbcJar: one jar path, without commas');
  spark.extraJars.forEach((jar, i) => {
    check(`spark.extraJars[${i}]`, jar);
    if (jar.includes(',')) issues.push(`spark.extraJars[${i}]: one jar path per entry, without commas`);
  });
  for (const [i, arg] of spark.args.entries()) check(`spark.args[${i}]`, arg);
  for (const [i, arg] of extraArgs.entries()) check(`run output argument [${i}]`, arg);
  for (const [key, value] of Object.entries(spark.sparkConf)) {
    if (!SPARK_CONF_KEY.test(key)) {
      issues.push(`spark.sparkConf.${key}: expected a Spark property name like "spark.executor.memory"`);
    }
    check(`spark.sparkConf.${key}`, value);
  }
  if (issues.length > 0) {
    throw new JobValidationError(
      'The Spark step cannot be passed to spark-submit without a shell: fix these arguments (each entry is one argv item, no quoting or expansion happens)',
      issues,
    );
  }
}

/**
 * The argv of command-runner.jar: `spark-submit --deploy-mode <mode> --driver-class-path <jar>
 * --jars <jar>[,<extra>...] [--conf k=v ...] <script> <args...> <run output args...>`.
 * The JDBC jar goes on the driver class path too because java.sql.DriverManager only sees
 * drivers loaded by the system class loader (the classic "No suitable driver" on EMR).
 */
export function buildSparkSubmitArgs(spark: SparkStep, extraArgs: readonly string[] = []): string[] {
  assertStepArgs(spark, extraArgs);
  const jars = [spark.jdbcJar, ...spark.extraJars.filter((jar) => jar !== spark.jdbcJar)];
  const conf = Object.entries(spark.sparkConf)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([key, value]) => ['--conf', `${key}=${value}`]);
  return [
    'spark-submit',
    '--deploy-mode',
    spark.deployMode,
    '--driver-class-path',
    spark.jdbcJar,
    '--jars',
    jars.join(','),
    ...conf,
    spark.script,
    ...spark.args,
    ...extraArgs,
  ];
}
