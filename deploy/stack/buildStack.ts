import { ConfigError } from '../../src/errors.ts';
import { JOB_FILE_ENDINGS } from '../../src/job/jobFiles.ts';
import { METRIC_NAMESPACE, METRIC_SERVICE, type RunMetricName } from '../../src/metrics/runMetrics.ts';
import { analyzeAsl } from '../iam/aslCalls.ts';
import { analyzeAwsCalls } from '../iam/awsCalls.ts';
import { assumedBy, functionPolicy, sameAccount } from '../iam/functionPolicy.ts';
import { stateMachinePolicy } from '../iam/stateMachinePolicy.ts';
import { type Cfn, type CfnObject, getAtt, type PolicyStatement, ref, regionalArn, s3Arn } from './cfn.ts';
import {
  discoverFunctions,
  discoverJobs,
  discoverStateMachines,
  type JobSource,
  readYamlObject,
  type StateMachineSource,
} from './discover.ts';
import { resolveFunctionConfigs } from './functionConfig.ts';
import {
  functionLogicalId,
  functionNameFromPlaceholder,
  functionRoleLogicalId,
  pascalCase,
  stateMachineArnEnvVar,
  stateMachineKindFromPlaceholder,
  stateMachineLogGroupLogicalId,
  stateMachineLogicalId,
  stateMachineName,
  stateMachineRoleLogicalId,
} from './naming.ts';
import type { DeploySettings } from './settings.ts';

/** The function that turns S3 "Object Created" events into load executions (by convention). */
export const S3_EVENT_TRIGGER = 's3EventTrigger';

/** The osls `functions` block and CloudFormation `resources` block of the stack. */
export interface Stack {
  functions: Record<string, CfnObject>;
  resources: { Conditions: CfnObject; Resources: CfnObject; Outputs: CfnObject; Parameters: CfnObject };
  /** What each function's code calls, for reports. */
  codeActions: Record<string, string[]>;
}

/**
 * Builds the whole stack from what is in the tree: one Lambda (and one role) per
 * `functions/*.ts`, one state machine per `statemachines/*.asl.yml`, one schedule per job in
 * `jobs/` that declares `schedule`, the S3 event rule, and the optional Redshift role.
 */
export async function buildStack(rootDir: string, settings: DeploySettings): Promise<Stack> {
  const [functionSources, machines, jobs, configRaw] = await Promise.all([
    discoverFunctions(rootDir),
    discoverStateMachines(rootDir),
    discoverJobs(rootDir),
    readYamlObject(rootDir, 'deploy/functions.yml'),
  ]);
  const names = functionSources.map((f) => f.name);
  const kinds = machines.map((m) => m.kind);
  const configs = resolveFunctionConfigs(configRaw, names, kinds);
  const problems: string[] = [];

  const functions: Record<string, CfnObject> = {};
  const Resources: CfnObject = {};
  const Outputs: CfnObject = {};
  const codeActions: Record<string, string[]> = {};

  const analyses = await Promise.all(functionSources.map((f) => analyzeAwsCalls(rootDir, f.file)));
  functionSources.forEach((source, i) => {
    const analysis = analyses[i];
    const config = configs.get(source.name);
    if (analysis === undefined || config === undefined) return;
    problems.push(...analysis.problems);
    codeActions[source.name] = analysis.actions;
    const policy = functionPolicy({
      settings,
      name: source.name,
      codeActions: analysis.actions,
      config,
      stateMachineKinds: kinds,
    });
    problems.push(...policy.problems);
    Resources[functionRoleLogicalId(source.name)] = role(
      assumedBy('lambda.amazonaws.com'),
      policy.statements,
      { Function: source.name, Source: source.file, DisabledActions: policy.disabled },
    );
    // A function that starts executions (the S3-event trigger) resolves jobs by name: it gets
    // the state machine ARNs and ships with the job documents.
    const startsExecutions = analysis.actions.includes('states:StartExecution');
    const environment: CfnObject = {};
    if (startsExecutions) {
      for (const kind of config.stateMachines ?? kinds) {
        environment[stateMachineArnEnvVar(kind)] = regionalArn(
          'states',
          `stateMachine:${stateMachineName(settings.service, settings.stage, kind)}`,
        );
      }
      environment.RT_JOBS_DIR = '/var/task/jobs';
    }
    functions[source.name] = {
      handler: `functions/${source.name}.handler`,
      role: functionRoleLogicalId(source.name),
      memorySize: config.memorySize,
      timeout: config.timeout,
      ...(config.description === undefined ? {} : { description: config.description }),
      ...(Object.keys(environment).length > 0 ? { environment } : {}),
      ...(startsExecutions ? { package: { patterns: JOB_FILE_ENDINGS.map((e) => `jobs/*${e}`) } } : {}),
    };
  });

  for (const machine of machines) {
    problems.push(...addStateMachine(Resources, Outputs, settings, machine, names, kinds));
  }
  addSchedules(Resources, settings, jobs, kinds, problems);
  addS3EventRules(Resources, settings, jobs, names, kinds, problems);
  addFailedRunAlarms(Resources, settings, jobs);
  addRedshiftRole(Resources, Outputs, settings);

  if (problems.length > 0) {
    throw new ConfigError(`Cannot build the stack:\n  - ${problems.join('\n  - ')}`);
  }
  return {
    functions,
    resources: {
      Parameters: {
        CreateRedshiftRole: {
          Type: 'String',
          AllowedValues: ['true', 'false'],
          Default: String(settings.createRedshiftRole),
          Description: 'Create the IAM role Redshift assumes for UNLOAD/COPY (see docs/deploy.md)',
        },
      },
      Conditions: { CreateRedshiftRole: { 'Fn::Equals': [ref('CreateRedshiftRole'), 'true'] } },
      Resources,
      Outputs,
    },
    codeActions,
  };
}

function role(trust: CfnObject, statements: PolicyStatement[], metadata?: CfnObject): CfnObject {
  return {
    Type: 'AWS::IAM::Role',
    ...(metadata ? { Metadata: { RedshiftTransfer: metadata } } : {}),
    Properties: {
      AssumeRolePolicyDocument: trust,
      Policies: [
        {
          PolicyName: 'least-privilege',
          PolicyDocument: { Version: '2012-10-17', Statement: statements as unknown as Cfn[] },
        },
      ],
    },
  };
}

/** Bucket placeholders the ASL may use besides `${XxxFunctionArn}`. */
function bucketPlaceholders(s: DeploySettings): Record<string, string> {
  return {
    StateBucket: s.stateBucket,
    StagingBucket: s.stagingBucket,
    ExportsBucket: s.exportsBucket,
  };
}

function addStateMachine(
  Resources: CfnObject,
  Outputs: CfnObject,
  settings: DeploySettings,
  machine: StateMachineSource,
  functionNames: readonly string[],
  stateMachineKinds: readonly string[],
): string[] {
  const problems: string[] = [];
  const calls = analyzeAsl(machine.definition);
  problems.push(...calls.problems.map((p) => `${machine.file}: ${p}`));
  const buckets = bucketPlaceholders(settings);
  const substitutions: CfnObject = {};
  for (const placeholder of calls.placeholders) {
    const fn = functionNameFromPlaceholder(placeholder);
    if (fn !== undefined) {
      if (functionNames.includes(fn)) substitutions[placeholder] = getAtt(functionLogicalId(fn), 'Arn');
      else problems.push(`${machine.file}: \${${placeholder}} but there is no functions/${fn}.ts`);
    } else if (stateMachineKindFromPlaceholder(placeholder) !== undefined) {
      const kind = stateMachineKindFromPlaceholder(placeholder) as string;
      // By name, not Ref: a state machine may start another without a dependency between them.
      if (stateMachineKinds.includes(kind))
        substitutions[placeholder] = regionalArn(
          'states',
          `stateMachine:${stateMachineName(settings.service, settings.stage, kind)}`,
        );
      else problems.push(`${machine.file}: \${${placeholder}} but there is no statemachines/${kind}.asl.yml`);
    } else if (buckets[placeholder] !== undefined) {
      substitutions[placeholder] = buckets[placeholder];
    } else {
      problems.push(
        `${machine.file}: unknown placeholder \${${placeholder}}; use \${XxxFunctionArn} or one of ${Object.keys(
          buckets,
        )
          .map((b) => `\${${b}}`)
          .join(', ')}`,
      );
    }
  }
  const bucketFor = (expression: string) => {
    const m = /^\$\{([A-Za-z]+)\}$/.exec(expression);
    return (m?.[1] === undefined ? undefined : buckets[m[1]]) ?? expression;
  };
  const name = stateMachineName(settings.service, settings.stage, machine.kind);
  const logGroup = stateMachineLogGroupLogicalId(machine.kind);
  const logging = settings.stateMachineLogLevel !== 'OFF';
  if (logging) {
    Resources[logGroup] = {
      Type: 'AWS::Logs::LogGroup',
      Properties: {
        // The /aws/vendedlogs/ prefix keeps CloudWatch's resource policy small (one entry for all).
        LogGroupName: `/aws/vendedlogs/states/${name}`,
        RetentionInDays: settings.logRetentionInDays,
      },
    };
  }
  Resources[stateMachineRoleLogicalId(machine.kind)] = role(
    assumedBy('states.amazonaws.com', sameAccount),
    stateMachinePolicy(settings, machine.kind, calls, bucketFor),
    { StateMachine: machine.kind, Source: machine.file },
  );
  Resources[stateMachineLogicalId(machine.kind)] = {
    Type: 'AWS::StepFunctions::StateMachine',
    Properties: {
      StateMachineName: name,
      StateMachineType: 'STANDARD',
      RoleArn: getAtt(stateMachineRoleLogicalId(machine.kind), 'Arn'),
      Definition: machine.definition as CfnObject,
      DefinitionSubstitutions: substitutions,
      ...(logging
        ? {
            LoggingConfiguration: {
              Level: settings.stateMachineLogLevel,
              // Execution data holds job documents and S3 keys, never credentials; off by default
              // all the same, so that logs carry no data.
              IncludeExecutionData: false,
              Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: getAtt(logGroup, 'Arn') } }],
            },
          }
        : {}),
    },
  };
  Outputs[`${pascalCase(machine.kind)}StateMachineArn`] = {
    Description: `Start a ${machine.kind} run from the console with {"job": {...}} (docs/deploy.md)`,
    Value: ref(stateMachineLogicalId(machine.kind)),
  };
  return problems;
}

/** `nightly-sales-export` -> `NightlySalesExport`. */
function jobLogicalName(name: string): string {
  return pascalCase(name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
}

/**
 * A sample alarm per job the stack starts by itself (schedule or S3 trigger): any failed run in
 * five minutes, on the RunsFailed metric the cleanup tasks emit (src/metrics/runMetrics.ts). Add
 * AlarmActions (an SNS topic) to be told; the metric needs no IAM: it is a log line.
 */
function addFailedRunAlarms(
  Resources: CfnObject,
  settings: DeploySettings,
  jobs: readonly JobSource[],
): void {
  for (const job of jobs) {
    if (job.schedule === undefined && job.trigger === undefined) continue;
    Resources[`${jobLogicalName(job.name)}FailedRunsAlarm`] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `${settings.service}-${settings.stage}-${job.name}-failed-runs`,
        AlarmDescription: `A run of ${job.kind} job ${job.name} (${job.file}) failed: see redshift-transfer runs ${job.name} --stage ${settings.stage}`,
        Namespace: METRIC_NAMESPACE,
        MetricName: 'RunsFailed' satisfies RunMetricName,
        Dimensions: [
          { Name: 'service', Value: METRIC_SERVICE },
          { Name: 'job', Value: job.name },
        ],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      },
    };
  }
}

function addSchedules(
  Resources: CfnObject,
  settings: DeploySettings,
  jobs: readonly JobSource[],
  kinds: readonly string[],
  problems: string[],
): void {
  const targets = new Set<string>();
  for (const job of jobs) {
    if (job.schedule === undefined) continue;
    if (!kinds.includes(job.kind)) {
      problems.push(`${job.file}: kind "${job.kind}" has no statemachines/${job.kind}.asl.yml to schedule`);
      continue;
    }
    targets.add(job.kind);
    const enabled = settings.schedulesEnabled && job.schedule.enabled;
    Resources[`${jobLogicalName(job.name)}Schedule`] = {
      Type: 'AWS::Scheduler::Schedule',
      Properties: {
        Description: `${job.kind} job ${job.name} (${job.file})`,
        ScheduleExpression: job.schedule.expression,
        ScheduleExpressionTimezone: job.schedule.timezone ?? settings.scheduleTimezone,
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: enabled ? 'ENABLED' : 'DISABLED',
        Target: {
          Arn: ref(stateMachineLogicalId(job.kind)),
          RoleArn: getAtt('SchedulerRole', 'Arn'),
          Input: JSON.stringify({ job: job.document }),
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        },
      },
    };
  }
  if (targets.size === 0) return;
  Resources.SchedulerRole = role(assumedBy('scheduler.amazonaws.com', sameAccount), [
    {
      Effect: 'Allow',
      Action: ['states:StartExecution'],
      Resource: [...targets].sort().map((k) => ref(stateMachineLogicalId(k))),
    },
  ]);
}

/** EventBridge content filter for a key: prefix, suffix or both (a wildcard with `*` escaped). */
function keyFilter(prefix: string | undefined, suffix: string | undefined): Cfn[] | undefined {
  const p = prefix ?? '';
  const x = suffix ?? '';
  if (p === '' && x === '') return undefined;
  if (x === '') return [{ prefix: p }];
  if (p === '') return [{ suffix: x }];
  const escapeWildcard = (v: string) => v.replaceAll('\\', '\\\\').replaceAll('*', '\\*');
  return [{ wildcard: `${escapeWildcard(p)}*${escapeWildcard(x)}` }];
}

/**
 * One EventBridge rule per load job that declares a `trigger`: S3 "Object Created" events of its
 * bucket (and key prefix/suffix) go to the s3EventTrigger function, which starts one load per
 * object version. The bucket must send events to EventBridge (docs/deploy.md).
 */
function addS3EventRules(
  Resources: CfnObject,
  settings: DeploySettings,
  jobs: readonly JobSource[],
  functionNames: readonly string[],
  kinds: readonly string[],
  problems: string[],
): void {
  for (const job of jobs) {
    if (job.trigger === undefined) continue;
    const { bucket, prefix, suffix } = job.trigger;
    if (!functionNames.includes(S3_EVENT_TRIGGER)) {
      problems.push(`${job.file}: declares a trigger but there is no functions/${S3_EVENT_TRIGGER}.ts`);
      continue;
    }
    if (!kinds.includes(job.kind)) {
      problems.push(`${job.file}: declares a trigger but there is no statemachines/${job.kind}.asl.yml`);
      continue;
    }
    if (!settings.landingBucket.includes(bucket)) {
      problems.push(
        `${job.file}: trigger.bucket ${bucket} is not a landing bucket of this stage (param landingBucket: ${settings.landingBucket.join(', ') || 'none'}); the load functions could not read its objects`,
      );
      continue;
    }
    const key = keyFilter(prefix, suffix);
    const name = jobLogicalName(job.name);
    Resources[`${name}ObjectCreatedRule`] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: `S3 Object Created in ${bucket}/${prefix ?? ''}*${suffix ?? ''} -> ${S3_EVENT_TRIGGER} (${job.file})`,
        State: 'ENABLED',
        EventPattern: {
          source: ['aws.s3'],
          'detail-type': ['Object Created'],
          detail: { bucket: { name: [bucket] }, ...(key === undefined ? {} : { object: { key } }) },
        },
        Targets: [{ Id: S3_EVENT_TRIGGER, Arn: getAtt(functionLogicalId(S3_EVENT_TRIGGER), 'Arn') }],
      },
    };
    Resources[`${name}ObjectCreatedPermission`] = {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: ref(functionLogicalId(S3_EVENT_TRIGGER)),
        Principal: 'events.amazonaws.com',
        SourceArn: getAtt(`${name}ObjectCreatedRule`, 'Arn'),
      },
    };
  }
}

/**
 * The role Redshift itself assumes for UNLOAD (write to staging) and COPY (read staging and
 * landing): created only when CreateRedshiftRole is true; associate it with the cluster or
 * namespace yourself (docs/deploy.md).
 */
function addRedshiftRole(Resources: CfnObject, Outputs: CfnObject, s: DeploySettings): void {
  const readBuckets = [...new Set([s.stagingBucket, ...s.landingBucket])].sort();
  const principals =
    s.redshiftWorkgroupArn.length > 0
      ? ['redshift.amazonaws.com', 'redshift-serverless.amazonaws.com']
      : ['redshift.amazonaws.com'];
  const statements: PolicyStatement[] = [
    {
      Effect: 'Allow',
      Action: ['s3:GetBucketLocation', 's3:ListBucket'],
      Resource: readBuckets.map((b) => s3Arn(b)),
    },
    { Effect: 'Allow', Action: ['s3:GetObject'], Resource: readBuckets.map((b) => s3Arn(`${b}/*`)) },
    // UNLOAD writes only into staging; DeleteObject is for UNLOAD ... CLEANPATH.
    {
      Effect: 'Allow',
      Action: ['s3:DeleteObject', 's3:PutObject'],
      Resource: [s3Arn(`${s.stagingBucket}/*`)],
    },
  ];
  if (s.kmsKeyArn !== undefined) {
    statements.push({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: [s.kmsKeyArn],
    });
  }
  Resources.RedshiftRole = {
    Type: 'AWS::IAM::Role',
    Condition: 'CreateRedshiftRole',
    Properties: {
      Description: 'Assumed by Redshift for UNLOAD/COPY (IAM_ROLE in the SQL)',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: principals },
            Action: 'sts:AssumeRole',
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'unload-copy',
          PolicyDocument: { Version: '2012-10-17', Statement: statements as unknown as Cfn[] },
        },
      ],
    },
  };
  Outputs.RedshiftRoleArn = {
    Condition: 'CreateRedshiftRole',
    Description: 'Use as iamRole in job documents after associating it with the cluster or namespace',
    Value: getAtt('RedshiftRole', 'Arn'),
  };
}
