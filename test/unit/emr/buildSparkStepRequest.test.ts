import { describe, expect, it } from 'vitest';
import { buildSparkStepRequest, sparkStepName } from '../../../src/emr/buildSparkStepRequest.ts';
import { runOutputArgs } from '../../../src/emr/runOutputArgs.ts';
import { JobValidationError } from '../../../src/errors.ts';
import { sparkStepSchema } from '../../../src/job/sparkStep.ts';

const spark = (block: Record<string, unknown>) =>
  sparkStepSchema.parse({ clusterId: 'j-2AXXXXXXGAPLF', script: 's3://scripts/redshift.py', ...block });

describe('Function: buildSparkStepRequest', () => {
  it('builds the whole AddJobFlowSteps request with the default RedshiftJDBC42.jar', () => {
    const request = buildSparkStepRequest({
      spark: spark({
        args: ['--sql', 'SELECT region, count(*) FROM input GROUP BY region', '--output', 's3://out/agg/'],
      }),
      runId: 'orders-20261124-ab12cd',
      runArgs: ['--manifest', 's3://exports/orders/_manifest.json'],
    });
    expect(request).toEqual({
      JobFlowId: 'j-2AXXXXXXGAPLF',
      Steps: [
        {
          Name: 'redshift-transfer-orders-20261124-ab12cd-spark',
          ActionOnFailure: 'CONTINUE',
          HadoopJarStep: {
            Jar: 'command-runner.jar',
            Args: [
              'spark-submit',
              '--deploy-mode',
              'cluster',
              '--driver-class-path',
              '/usr/share/aws/redshift/jdbc/RedshiftJDBC42.jar',
              '--jars',
              '/usr/share/aws/redshift/jdbc/RedshiftJDBC42.jar',
              's3://scripts/redshift.py',
              '--sql',
              'SELECT region, count(*) FROM input GROUP BY region',
              '--output',
              's3://out/agg/',
              '--manifest',
              's3://exports/orders/_manifest.json',
            ],
          },
        },
      ],
    });
  });

  it('uses the job jar, extra jars, sorted --conf pairs, deploy mode, action on failure and name', () => {
    const request = buildSparkStepRequest({
      spark: spark({
        jdbcJar: '/usr/share/aws/redshift/jdbc/RedshiftJDBC.jar',
        extraJars: [
          '/usr/share/aws/redshift/spark-redshift/lib/spark-redshift.jar',
          '/usr/share/aws/redshift/jdbc/RedshiftJDBC.jar',
        ],
        sparkConf: { 'spark.executor.memory': '4g', 'spark.dynamicAllocation.enabled': 'false' },
        deployMode: 'client',
        actionOnFailure: 'CANCEL_AND_WAIT',
        name: 'nightly orders aggregate',
      }),
      runId: 'r1',
    });
    expect(request.Steps?.[0]).toEqual({
      Name: 'nightly orders aggregate',
      ActionOnFailure: 'CANCEL_AND_WAIT',
      HadoopJarStep: {
        Jar: 'command-runner.jar',
        Args: [
          'spark-submit',
          '--deploy-mode',
          'client',
          '--driver-class-path',
          '/usr/share/aws/redshift/jdbc/RedshiftJDBC.jar',
          '--jars',
          '/usr/share/aws/redshift/jdbc/RedshiftJDBC.jar,/usr/share/aws/redshift/spark-redshift/lib/spark-redshift.jar',
          '--conf',
          'spark.dynamicAllocation.enabled=false',
          '--conf',
          'spark.executor.memory=4g',
          's3://scripts/redshift.py',
        ],
      },
    });
  });

  it("keeps step names within EMR's 256 characters", () => {
    expect(sparkStepName('x'.repeat(300))).toHaveLength(256);
    expect(sparkStepName('r1')).toBe('redshift-transfer-r1-spark');
  });

  it('refuses arguments that would need a shell, listing each by path', () => {
    const call = () =>
      buildSparkStepRequest({
        spark: spark({
          args: ['--output', '$HOME/out', '|', 'tee', '*.py', 'ok value with spaces', '~/x', 'a\u0000b'],
          sparkConf: { 'bad key': 'v', 'spark.x': '$(id)' },
          extraJars: ['a.jar,b.jar'],
        }),
        runId: 'r1',
      });
    expect(call).toThrow(JobValidationError);
    try {
      call();
    } catch (error) {
      expect((error as JobValidationError).issues).toEqual([
        'spark.extraJars[0]: one jar path per entry, without commas',
        'spark.args[1]: "$HOME/out" uses shell expansion ($VAR, $(...) or backquotes)',
        'spark.args[2]: "|" is the shell operator "|"',
        'spark.args[4]: "*.py" looks like a local file glob (globs need a shell)',
        'spark.args[6]: "~/x" starts with "~" (home-directory expansion needs a shell)',
        'spark.args[7]: "a\\u0000b" contains a control character (NUL, carriage return, escape...)',
        'spark.sparkConf.bad key: expected a Spark property name like "spark.executor.memory"',
        'spark.sparkConf.spark.x: "$(id)" uses shell expansion ($VAR, $(...) or backquotes)',
      ]);
    }
  });

  it('accepts what only looks odd: S3 globs (Hadoop expands them), SQL with * and newlines, quotes', () => {
    const request = buildSparkStepRequest({
      spark: spark({
        args: ['--input', 's3://b/2026/*/part-*.csv', '--sql', "SELECT count(*)\nFROM input WHERE k = 'a;b'"],
      }),
      runId: 'r1',
    });
    expect(request.Steps?.[0]?.HadoopJarStep?.Args?.slice(-4)).toEqual([
      '--input',
      's3://b/2026/*/part-*.csv',
      '--sql',
      "SELECT count(*)\nFROM input WHERE k = 'a;b'",
    ]);
  });
});

describe('Function: runOutputArgs', () => {
  it('points the script at an export manifest unless the job already passes --manifest', () => {
    expect(runOutputArgs({ manifestUri: 's3://b/e/_manifest.json', rows: 3 }, [])).toEqual([
      '--manifest',
      's3://b/e/_manifest.json',
    ]);
    expect(
      runOutputArgs({ manifestUri: 's3://b/e/_manifest.json' }, ['--manifest=s3://other/m.json']),
    ).toEqual([]);
    expect(runOutputArgs({ table: 'public.orders', rows: 3 }, [])).toEqual([]);
    expect(runOutputArgs(undefined, [])).toEqual([]);
  });

  it('adds the layout of delimited parts, which _manifest.json does not record', () => {
    const result = { manifestUri: 's3://b/e/_manifest.json' };
    expect(runOutputArgs(result, [], { unload: { format: 'csv', header: true } })).toEqual([
      '--manifest',
      's3://b/e/_manifest.json',
      '--csv-header',
      'true',
    ]);
    expect(
      runOutputArgs(result, ['--csv-null', 'x'], {
        unload: { format: 'text', header: false, nullAs: '\\N' },
      }),
    ).toEqual(['--manifest', 's3://b/e/_manifest.json', '--csv-header', 'false', '--csv-delimiter', '|']);
    expect(
      runOutputArgs(result, [], {
        unload: { format: 'csv', header: true },
        process: { convert: 'csv-to-jsonl' },
      }),
    ).toEqual(['--manifest', 's3://b/e/_manifest.json']);
    expect(runOutputArgs(result, [], { unload: { format: 'parquet' } })).toEqual([
      '--manifest',
      's3://b/e/_manifest.json',
    ]);
  });
});
