import { describe, expect, it } from 'vitest';
import type { LocalSparkInstall } from '../../../../local/emr/localSparkInstall.ts';
import { LocalStepError, planLocalStep } from '../../../../local/emr/planLocalStep.ts';

const install: LocalSparkInstall = {
  sparkHome: '/p/spark/.venv/lib/python3.11/site-packages/pyspark',
  sparkSubmit: '/p/spark/.venv/lib/python3.11/site-packages/pyspark/bin/spark-submit',
  python: '/p/spark/.venv/bin/python',
  venvBin: '/p/spark/.venv/bin',
  redshiftJdbcJar: '/p/spark/jars/redshift-jdbc42-2.2.5.jar',
  postgresJdbcJar: '/p/spark/jars/postgresql-42.7.7.jar',
  connectorJars: [],
  s3aJars: ['/p/spark/jars/hadoop-aws-3.3.4.jar', '/p/spark/jars/aws-java-sdk-s3-1.12.262.jar'],
};
const ctx = {
  s3Endpoint: 'http://127.0.0.1:4569',
  workDir: '/w/s-1',
  exists: (p: string) => p.startsWith('/local/'),
  cores: 2,
};

describe('Function: planLocalStep', () => {
  it('maps an EMR spark-submit to local[N] client mode with local jars and s3:// on the local S3', () => {
    const plan = planLocalStep(
      [
        'spark-submit',
        '--deploy-mode',
        'cluster',
        '--driver-class-path',
        '/usr/share/aws/redshift/jdbc/RedshiftJDBC42.jar',
        '--jars',
        '/usr/share/aws/redshift/jdbc/RedshiftJDBC42.jar,/local/extra.jar',
        '--conf',
        'spark.executor.memory=4g',
        's3://scripts/redshift.py',
        '--manifest',
        's3://b/e/_manifest.json',
      ],
      install,
      ctx,
    );
    expect(plan).toEqual({
      command: install.sparkSubmit,
      args: [
        '--master',
        'local[2]',
        '--deploy-mode',
        'client',
        '--driver-class-path',
        '/p/spark/jars/redshift-jdbc42-2.2.5.jar:/p/spark/jars/postgresql-42.7.7.jar',
        '--jars',
        '/p/spark/jars/redshift-jdbc42-2.2.5.jar,/local/extra.jar,/p/spark/jars/postgresql-42.7.7.jar,/p/spark/jars/hadoop-aws-3.3.4.jar,/p/spark/jars/aws-java-sdk-s3-1.12.262.jar',
        '--conf',
        'spark.ui.enabled=false',
        '--conf',
        'spark.sql.shuffle.partitions=2',
        '--conf',
        'spark.executor.memory=4g',
        '--conf',
        'spark.hadoop.fs.s3.impl=org.apache.hadoop.fs.s3a.S3AFileSystem',
        '--conf',
        'spark.hadoop.fs.s3a.endpoint=http://127.0.0.1:4569',
        '--conf',
        'spark.hadoop.fs.s3a.path.style.access=true',
        '--conf',
        'spark.hadoop.fs.s3a.connection.ssl.enabled=false',
        '--conf',
        'spark.hadoop.fs.s3a.access.key=local',
        '--conf',
        'spark.hadoop.fs.s3a.secret.key=local',
        '--conf',
        'spark.hadoop.fs.s3a.aws.credentials.provider=org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider',
        '--conf',
        'spark.driver.host=127.0.0.1',
        '--conf',
        'spark.driver.bindAddress=127.0.0.1',
        '/w/s-1/files/0-redshift.py',
        '--manifest',
        's3://b/e/_manifest.json',
      ],
      env: {
        SPARK_HOME: install.sparkHome,
        PYSPARK_PYTHON: install.python,
        PYSPARK_DRIVER_PYTHON: install.python,
        SPARK_LOCAL_IP: '127.0.0.1',
        SPARK_LOCAL_HOSTNAME: 'localhost',
        PATH: expect.stringMatching(/^\/p\/spark\/\.venv\/bin:/),
      },
      downloads: [{ uri: 's3://scripts/redshift.py', path: '/w/s-1/files/0-redshift.py' }],
      notes: [
        'local EMR: --deploy-mode cluster replaced by --master local[2] --deploy-mode client',
        'local EMR: /usr/share/aws/redshift/jdbc/RedshiftJDBC42.jar -> /p/spark/jars/redshift-jdbc42-2.2.5.jar',
      ],
    });
  });

  it('maps the newer RedshiftJDBC.jar path too and notes a connector jar it does not have', () => {
    const plan = planLocalStep(
      [
        'spark-submit',
        '--jars',
        '/usr/share/aws/redshift/jdbc/RedshiftJDBC.jar,/usr/share/aws/redshift/spark-redshift/lib/spark-redshift.jar',
        '/local/job.py',
      ],
      install,
      ctx,
    );
    expect(plan.args).toContain('/local/job.py');
    expect(plan.notes).toEqual([
      'local EMR: /usr/share/aws/redshift/jdbc/RedshiftJDBC.jar -> /p/spark/jars/redshift-jdbc42-2.2.5.jar',
      'local EMR: /usr/share/aws/redshift/spark-redshift/lib/spark-redshift.jar is not available locally (the spark-redshift connector does not resolve from Maven Central here); reading through the connector will fail',
    ]);
  });

  it('runs any other command-runner.jar command as given', () => {
    expect(planLocalStep(['python3', '-c', 'print(1)'], undefined, ctx)).toEqual({
      command: 'python3',
      args: ['-c', 'print(1)'],
      env: {},
      downloads: [],
      notes: [],
    });
  });

  it.each([
    [[], 'command-runner.jar was given no command (HadoopJarStep.Args is empty)'],
    [['spark-submit', '--deploy-mode'], 'spark-submit option --deploy-mode has no value'],
    [
      ['spark-submit', '--deploy-mode', 'cluster'],
      'spark-submit was given no application (script or jar) to run',
    ],
    [
      ['spark-submit', '/home/hadoop/job.py'],
      'the application /home/hadoop/job.py does not exist on the local EMR: upload it to S3 and pass its s3:// URI as spark.script',
    ],
    [
      ['spark-submit', '--jars', '/opt/missing.jar', 's3://b/j.py'],
      'jar /opt/missing.jar does not exist on the local EMR (only the EMR paths of the Redshift driver and connector are mapped)',
    ],
  ])('refuses %j: %s', (args, message) => {
    expect(() => planLocalStep(args, install, ctx)).toThrow(new LocalStepError(message));
  });
});
