// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings and ASL placeholders are the subject here
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIamCoverage } from '../../../deploy/check/iamCoverage.ts';
import { checkReferences } from '../../../deploy/check/references.ts';
import { checkSubstitutions } from '../../../deploy/check/substitutions.ts';
import { analyzeAwsCalls } from '../../../deploy/iam/awsCalls.ts';
import { authStatements } from '../../../deploy/iam/functionPolicy.ts';
import { buildStack } from '../../../deploy/stack/buildStack.ts';
import { fixtureTree, functionsYml, handlerCalling, settings, templateOf } from './fixtures.ts';

const asl = `StartAt: Start
States:
  Start:
    Type: Task
    Resource: \${StartThingFunctionArn}
    Next: Parts
  Parts:
    Type: Map
    ItemReader:
      Resource: arn:aws:states:::s3:getObject
      ReaderConfig: { InputType: JSON }
      Parameters: { Bucket: "\${StateBucket}", "Key.$": $.partsKey }
    ItemProcessor:
      ProcessorConfig: { Mode: DISTRIBUTED, ExecutionType: STANDARD }
      StartAt: Read
      States:
        Read: { Type: Task, Resource: "\${ReadPartFunctionArn}", End: true }
    End: true
`;

const files = {
  'functions/startThing.ts': handlerCalling('start', 'start'),
  'functions/readPart.ts': handlerCalling('parts', 'readPart'),
  'functions/s3EventTrigger.ts': handlerCalling('trigger', 'trigger'),
  'functions/submitSpark.ts': handlerCalling('spark', 'submit'),
  'functions/_shared/helper.ts': 'export const x = 1;\n',
  'src/start.ts':
    "import { ExecuteStatementCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';\nexport const start = (e: unknown) => new RedshiftDataClient({}).send(new ExecuteStatementCommand({ Sql: String(e) }));\n",
  'src/parts.ts':
    "import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';\nimport { Upload } from '@aws-sdk/lib-storage';\nexport async function readPart(e: unknown) { const s3 = new S3Client({}); await s3.send(new GetObjectCommand({ Bucket: 'b', Key: String(e) })); await new Upload({ client: s3, params: { Bucket: 'b', Key: 'k', Body: 'x' } }).done(); }\n",
  'src/trigger.ts':
    "import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';\nexport const trigger = (e: unknown) => new SFNClient({}).send(new StartExecutionCommand({ stateMachineArn: String(e) }));\n",
  'src/spark.ts':
    "import { AddJobFlowStepsCommand, EMRClient } from '@aws-sdk/client-emr';\nexport const submit = () => new EMRClient({}).send(new AddJobFlowStepsCommand({ JobFlowId: 'j', Steps: [] }));\n",
  'statemachines/load.asl.yml': asl,
  'statemachines/export.asl.yml':
    'StartAt: Go\nStates:\n  Go: { Type: Task, Resource: "${StartThingFunctionArn}", End: true }\n',
  'jobs/nightly-export.yml': [
    'kind: export',
    'name: nightly-export',
    'target: { clusterIdentifier: c1, database: dev, secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rs-AbCdEf" }',
    'iamRole: arn:aws:iam::123456789012:role/RedshiftS3Access',
    'query: SELECT 1',
    'staging: s3://staging-b/x/{runId}/',
    'destination: s3://exports-b/x/{runDate}/',
    'schedule: { expression: "cron(0 2 * * ? *)", timezone: Europe/Paris }',
    '',
  ].join('\n'),
  'jobs/orders-landing.yml': [
    'kind: load',
    'name: orders-landing',
    'target: { clusterIdentifier: c1, database: dev, secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rs-AbCdEf" }',
    'iamRole: arn:aws:iam::123456789012:role/RedshiftS3Access',
    'table: public.orders',
    'trigger: { bucket: landing-b, prefix: "orders/", suffix: .csv.gz }',
    'staging: s3://staging-b/load/',
    '',
  ].join('\n'),
  'deploy/functions.yml': `${functionsYml.replace('functions: {}', 'functions:\n  readPart:\n    memorySize: 1769\n    s3: { read: [landing], write: [staging] }\n  s3EventTrigger:\n    stateMachines: [load]\n')}`,
};

describe('buildStack', () => {
  let tree: Awaited<ReturnType<typeof fixtureTree>>;
  beforeAll(async () => {
    tree = await fixtureTree(files);
  });
  afterAll(async () => {
    await tree.remove();
  });

  it('builds a stack that passes the reference, placeholder and IAM checks', async () => {
    const stack = await buildStack(tree.root, settings());
    const template = templateOf(stack);
    const code = new Map(
      await Promise.all(
        Object.keys(stack.functions).map(
          async (n) => [n, await analyzeAwsCalls(tree.root, `functions/${n}.ts`)] as const,
        ),
      ),
    );
    expect(Object.keys(stack.functions)).toEqual(['readPart', 's3EventTrigger', 'startThing', 'submitSpark']);
    expect(checkReferences(template)).toEqual([]);
    expect(checkSubstitutions(template)).toEqual([]);
    expect(checkIamCoverage(template, code)).toEqual([]);
  });

  it('gives each function its own role with only its calls, on the resources of the stage', async () => {
    const stack = await buildStack(tree.root, settings());
    const R = stack.resources.Resources as Record<
      string,
      { Properties: { Policies: { PolicyDocument: { Statement: unknown } }[] } }
    >;
    const statements = (role: string) => R[role]?.Properties.Policies[0]?.PolicyDocument.Statement;
    const logGroup = (fn: string) => ({
      'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/rt-test-${fn}:*`,
    });
    expect(statements('ReadPartRole')).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject'],
        Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::staging-b/*' }],
      },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::landing-b/*' }],
      },
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [logGroup('readPart')],
      },
    ]);
    expect(statements('StartThingRole')).toEqual([
      {
        Effect: 'Allow',
        Action: ['redshift-data:ExecuteStatement'],
        Resource: [
          { 'Fn::Sub': 'arn:${AWS::Partition}:redshift:${AWS::Region}:${AWS::AccountId}:cluster:c1' },
        ],
      },
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: ['arn:aws:secretsmanager:us-east-1:123456789012:secret:rs-AbCdEf'],
      },
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [logGroup('startThing')],
      },
    ]);
    const loadArn = {
      'Fn::Sub': 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:rt-test-load',
    };
    expect(statements('S3EventTriggerRole')).toEqual([
      { Effect: 'Allow', Action: ['states:StartExecution'], Resource: [loadArn] },
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [logGroup('s3EventTrigger')],
      },
    ]);
    expect(stack.functions.s3EventTrigger).toEqual({
      handler: 'functions/s3EventTrigger.handler',
      role: 'S3EventTriggerRole',
      memorySize: 256,
      timeout: 30,
      environment: { RT_LOAD_STATE_MACHINE_ARN: loadArn, RT_JOBS_DIR: '/var/task/jobs' },
      package: { patterns: ['jobs/*.yml', 'jobs/*.yaml', 'jobs/*.json'] },
    });
    expect(stack.functions.readPart?.memorySize).toBe(1769);
  });

  it('wires the state machine: substitutions, its own Distributed Map, invoke on exactly its functions', async () => {
    const stack = await buildStack(tree.root, settings());
    const R = stack.resources.Resources as Record<string, { Properties: Record<string, unknown> }>;
    const sm = R.LoadStateMachine?.Properties;
    expect(sm?.StateMachineName).toBe('rt-test-load');
    expect(sm?.DefinitionSubstitutions).toEqual({
      ReadPartFunctionArn: { 'Fn::GetAtt': ['ReadPartLambdaFunction', 'Arn'] },
      StartThingFunctionArn: { 'Fn::GetAtt': ['StartThingLambdaFunction', 'Arn'] },
      StateBucket: 'state-b',
    });
    expect(sm?.LoggingConfiguration).toEqual({
      Level: 'ERROR',
      IncludeExecutionData: false,
      Destinations: [
        { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['LoadStateMachineLogGroup', 'Arn'] } } },
      ],
    });
    const role = R.LoadStateMachineRole?.Properties as {
      Policies: { PolicyDocument: { Statement: { Action: string[]; Resource: unknown[] }[] } }[];
    };
    const byAction = Object.fromEntries(
      role.Policies[0]?.PolicyDocument.Statement.map((s) => [s.Action.join(','), s.Resource]) ?? [],
    );
    expect(byAction['lambda:InvokeFunction']).toEqual([
      { 'Fn::GetAtt': ['ReadPartLambdaFunction', 'Arn'] },
      { 'Fn::GetAtt': ['StartThingLambdaFunction', 'Arn'] },
    ]);
    expect(byAction['states:DescribeExecution,states:StopExecution']).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:rt-test-load/*' },
    ]);
    expect(byAction['s3:GetObject']).toEqual([{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::state-b/*' }]);
  });

  it('alarms on failed runs of each job the stack starts (scheduled or S3-triggered)', async () => {
    const stack = await buildStack(tree.root, settings());
    const R = stack.resources.Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const alarms = Object.entries(R).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms.map(([id]) => id).sort()).toEqual([
      'NightlyExportFailedRunsAlarm',
      'OrdersLandingFailedRunsAlarm',
    ]);
    expect(R.NightlyExportFailedRunsAlarm?.Properties).toMatchObject({
      Namespace: 'RedshiftTransfer',
      MetricName: 'RunsFailed',
      Dimensions: [
        { Name: 'service', Value: 'redshift-transfer' },
        { Name: 'job', Value: 'nightly-export' },
      ],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('schedules the jobs that declare one, in their time zone, with {"job": document} as input', async () => {
    const stack = await buildStack(tree.root, settings());
    const R = stack.resources.Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    expect(Object.values(R).filter((r) => r.Type === 'AWS::Scheduler::Schedule')).toHaveLength(1);
    const target = R.NightlyExportSchedule?.Properties.Target as { Input: string } | undefined;
    const input = JSON.parse(String(target?.Input));
    expect(input).toEqual({
      job: {
        kind: 'export',
        name: 'nightly-export',
        target: {
          clusterIdentifier: 'c1',
          database: 'dev',
          secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rs-AbCdEf',
        },
        iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
        query: 'SELECT 1',
        staging: 's3://staging-b/x/{runId}/',
        destination: 's3://exports-b/x/{runDate}/',
      },
    });
    expect({
      ...R.NightlyExportSchedule?.Properties,
      Target: { ...(R.NightlyExportSchedule?.Properties.Target as object), Input: '...' },
    }).toEqual({
      Description: 'export job nightly-export (jobs/nightly-export.yml)',
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: { Ref: 'ExportStateMachine' },
        RoleArn: { 'Fn::GetAtt': ['SchedulerRole', 'Arn'] },
        Input: '...',
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      },
    });
    const disabled = await buildStack(tree.root, settings({ schedulesEnabled: 'false' }));
    const d = disabled.resources.Resources as Record<string, { Properties: Record<string, unknown> }>;
    expect(d.NightlyExportSchedule?.Properties.State).toBe('DISABLED');
  });

  it("routes S3 Object Created events matching a load job's trigger to s3EventTrigger", async () => {
    const stack = await buildStack(tree.root, settings({ landingBucket: 'landing-a, landing-b' }));
    const R = stack.resources.Resources as Record<string, { Properties: Record<string, unknown> }>;
    expect(R.OrdersLandingObjectCreatedRule?.Properties.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: ['landing-b'] }, object: { key: [{ wildcard: 'orders/*.csv.gz' }] } },
    });
    expect(R.OrdersLandingObjectCreatedRule?.Properties.Targets).toEqual([
      { Id: 's3EventTrigger', Arn: { 'Fn::GetAtt': ['S3EventTriggerLambdaFunction', 'Arn'] } },
    ]);
    expect(R.OrdersLandingObjectCreatedPermission?.Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { Ref: 'S3EventTriggerLambdaFunction' },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': ['OrdersLandingObjectCreatedRule', 'Arn'] },
    });
    await expect(buildStack(tree.root, settings({ landingBucket: 'landing-a' }))).rejects.toThrow(
      'jobs/orders-landing.yml: trigger.bucket landing-b is not a landing bucket of this stage (param landingBucket: landing-a); the load functions could not read its objects',
    );
  });

  it('records EMR calls as disabled when the stage has no EMR cluster', async () => {
    const stack = await buildStack(tree.root, settings({ emrClusterId: '' }));
    const role = (stack.resources.Resources as Record<string, { Metadata: { RedshiftTransfer: unknown } }>)
      .SubmitSparkRole;
    expect(role?.Metadata.RedshiftTransfer).toEqual({
      Function: 'submitSpark',
      Source: 'functions/submitSpark.ts',
      DisabledActions: ['elasticmapreduce:AddJobFlowSteps'],
    });
  });

  it('refuses deploy/functions.yml entries for functions that do not exist', async () => {
    const broken = await fixtureTree({
      ...files,
      'deploy/functions.yml': functionsYml.replace('functions: {}', 'functions:\n  gone: { timeout: 10 }\n'),
    });
    try {
      await expect(buildStack(broken.root, settings())).rejects.toThrow(
        'deploy/functions.yml:\n  - functions.gone: there is no functions/gone.ts; remove or rename the entry',
      );
    } finally {
      await broken.remove();
    }
  });

  it('refuses ASL placeholders that name no function or known bucket', async () => {
    const broken = await fixtureTree({
      ...files,
      'statemachines/load.asl.yml': asl
        .replace('${ReadPartFunctionArn}', '${ReadPartsFunctionArn}')
        .replace('${StateBucket}', '${DataBucket}'),
    });
    try {
      await expect(buildStack(broken.root, settings())).rejects.toThrow(
        [
          'Cannot build the stack:',
          '  - statemachines/load.asl.yml: unknown placeholder ${DataBucket}; use ${XxxFunctionArn} or one of ${StateBucket}, ${StagingBucket}, ${ExportsBucket}',
          '  - statemachines/load.asl.yml: ${ReadPartsFunctionArn} but there is no functions/readParts.ts',
        ].join('\n'),
      );
    } finally {
      await broken.remove();
    }
  });

  it('rejects a job document the job schema rejects, naming the file and field', async () => {
    const bad = await fixtureTree({
      ...files,
      'jobs/nightly-export.yml': String(files['jobs/nightly-export.yml']).replace(
        'cron(0 2 * * ? *)',
        'every night',
      ),
    });
    try {
      await expect(buildStack(bad.root, settings())).rejects.toThrow(
        'Invalid job file jobs/nightly-export.yml:\n  - schedule.expression: expected an EventBridge expression',
      );
    } finally {
      await bad.remove();
    }
  });
});

describe('authStatements', () => {
  it('grants exactly one auth path: secret, database user, cluster IAM identity or Serverless', () => {
    expect(authStatements(settings()).map((s) => s.Action)).toEqual([['secretsmanager:GetSecretValue']]);
    expect(
      authStatements(
        settings({ redshiftSecretArn: '', redshiftDbUser: 'etl', redshiftDatabase: 'dev,mart' }),
      ),
    ).toEqual([
      {
        Effect: 'Allow',
        Action: ['redshift:GetClusterCredentials'],
        Resource: [
          { 'Fn::Sub': 'arn:${AWS::Partition}:redshift:${AWS::Region}:${AWS::AccountId}:dbuser:c1/etl' },
          { 'Fn::Sub': 'arn:${AWS::Partition}:redshift:${AWS::Region}:${AWS::AccountId}:dbname:c1/dev' },
          { 'Fn::Sub': 'arn:${AWS::Partition}:redshift:${AWS::Region}:${AWS::AccountId}:dbname:c1/mart' },
        ],
      },
    ]);
    const wg =
      'arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/0f1e2d3c-aaaa-bbbb-cccc-123456789abc';
    expect(
      authStatements(
        settings({ redshiftSecretArn: '', redshiftClusterIdentifier: '', redshiftWorkgroupArn: wg }),
      ),
    ).toEqual([{ Effect: 'Allow', Action: ['redshift-serverless:GetCredentials'], Resource: [wg] }]);
    expect(() => settings({ redshiftWorkgroupArn: wg })).toThrow(
      'redshiftClusterIdentifier: set exactly one of redshiftClusterIdentifier (provisioned) or redshiftWorkgroupArn (Serverless)',
    );
  });
});
