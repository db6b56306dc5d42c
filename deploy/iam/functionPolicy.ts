import {
  type Cfn,
  type CfnObject,
  mergeStatements,
  type PolicyStatement,
  ref,
  regionalArn,
  s3Arn,
} from '../stack/cfn.ts';
import type { BucketRole, FunctionConfig, S3Class } from '../stack/functionConfig.ts';
import { stateMachineName } from '../stack/naming.ts';
import { authPath, type DeploySettings } from '../stack/settings.ts';
import { connectingDataApiActions, impliedActions } from './implied.ts';

export interface FunctionPolicyInput {
  settings: DeploySettings;
  /** The function key (`pollStatement`); its log group is `/aws/lambda/<service>-<stage>-<name>`. */
  name: string;
  /** The IAM actions its code needs (from `analyzeAwsCalls`). */
  codeActions: readonly string[];
  config: FunctionConfig;
  /** Kinds of the state machines in the stack. */
  stateMachineKinds: readonly string[];
}

export interface FunctionPolicy {
  statements: PolicyStatement[];
  /** Actions the code uses but this stage switched off (no EMR cluster, no KMS key...). */
  disabled: string[];
  /** Actions we cannot scope: fix the code or teach this module the resource. */
  problems: string[];
}

const bucketLevelS3 = new Set([
  's3:ListBucket',
  's3:ListBucketVersions',
  's3:ListBucketMultipartUploads',
  's3:GetBucketLocation',
]);

function s3Class(action: string): S3Class {
  if (bucketLevelS3.has(action)) return 'list';
  if (/^s3:(Put|Abort)/.test(action)) return 'write';
  if (/^s3:Delete/.test(action)) return 'delete';
  return 'read';
}

const statementLevelDataApi = new Set([
  'redshift-data:CancelStatement',
  'redshift-data:DescribeStatement',
  'redshift-data:GetStatementResult',
  'redshift-data:ListStatements',
]);

/**
 * The least-privilege statements of one function's role: each action its code uses, on only the
 * resources this stage names (the target cluster or workgroup, the stage's buckets narrowed by
 * `deploy/functions.yml`, the stack's state machines, the EMR cluster), plus the Data API auth
 * path in use, SSE-KMS on the key when one is set, and its own log group.
 */
export function functionPolicy(input: FunctionPolicyInput): FunctionPolicy {
  const { settings: s, name, codeActions, config, stateMachineKinds } = input;
  const statements: PolicyStatement[] = [];
  const disabled: string[] = [];
  const problems: string[] = [];
  const allow = (actions: string[], resources: Cfn[], condition?: CfnObject) => {
    if (resources.length === 0) return;
    statements.push({
      Effect: 'Allow',
      Action: actions,
      Resource: resources,
      ...(condition ? { Condition: condition } : {}),
    });
  };

  const bucketName: Record<BucketRole, string[]> = {
    staging: [s.stagingBucket],
    exports: [s.exportsBucket],
    landing: s.landingBucket,
    state: [s.stateBucket],
  };
  const bucketsFor = (cls: S3Class) => [...new Set(config.s3[cls].flatMap((r) => bucketName[r]))].sort();
  const targetArns: Cfn[] = [
    ...s.redshiftClusterIdentifier.map((c) => regionalArn('redshift', `cluster:${c}`)),
    ...s.redshiftWorkgroupArn,
  ];
  const machines = (config.stateMachines ?? [...stateMachineKinds]).map((k) =>
    stateMachineName(s.service, s.stage, k),
  );

  let readsS3 = false;
  let writesS3 = false;
  for (const action of codeActions) {
    const [service] = action.split(':');
    if (service === 's3') {
      const cls = s3Class(action);
      const buckets = bucketsFor(cls);
      if (buckets.length === 0) {
        problems.push(
          `${name}: its code needs ${action} but deploy/functions.yml gives it no "${cls}" buckets`,
        );
        continue;
      }
      if (cls === 'read') readsS3 = true;
      if (cls === 'write') writesS3 = true;
      allow(
        [action],
        buckets.map((b) => s3Arn(cls === 'list' ? b : `${b}/*`)),
      );
    } else if (connectingDataApiActions.includes(action)) {
      allow([action], targetArns);
    } else if (statementLevelDataApi.has(action)) {
      // These actions have no resource type: "*" is the only valid resource (Service
      // Authorization Reference, Redshift Data API). Statements are owned by the role that ran
      // them; the poll and cancel functions have their own roles, so no owner condition here.
      allow([action], ['*']);
    } else if (action === 'states:StartExecution' || action === 'states:StartSyncExecution') {
      allow(
        [action],
        machines.map((m) => regionalArn('states', `stateMachine:${m}`)),
      );
    } else if (
      /^states:(DescribeExecution|StopExecution|GetExecutionHistory|RedriveExecution)$/.test(action)
    ) {
      allow(
        [action],
        machines.map((m) => regionalArn('states', `execution:${m}:*`)),
      );
    } else if (service === 'elasticmapreduce') {
      if (s.emrClusterId === undefined) disabled.push(action);
      else allow([action], [regionalArn('elasticmapreduce', `cluster/${s.emrClusterId}`)]);
    } else if (action === 'secretsmanager:GetSecretValue' && s.redshiftSecretArn.length > 0) {
      allow([action], [...s.redshiftSecretArn]);
    } else {
      problems.push(
        `${name}: no resource scope for ${action}; scope it in deploy/iam/functionPolicy.ts (never "*")`,
      );
    }
  }

  const implied = impliedActions(codeActions);
  if (implied.oneOf.length > 0) statements.push(...authStatements(s));
  if (s.kmsKeyArn !== undefined && (readsS3 || writesS3)) {
    const kms = implied.optional.filter((a) => (writesS3 ? true : a === 'kms:Decrypt'));
    allow(kms, [s.kmsKeyArn]);
  }
  allow(
    [...implied.required],
    [regionalArn('logs', `log-group:/aws/lambda/${s.service}-${s.stage}-${name}:*`)],
  );

  return { statements: mergeStatements(statements), disabled: [...new Set(disabled)].sort(), problems };
}

/** The Data API's one authentication path for this stage (see docs/deploy.md "Authentication"). */
export function authStatements(s: DeploySettings): PolicyStatement[] {
  const auth = authPath(s);
  const clusters = s.redshiftClusterIdentifier;
  switch (auth.kind) {
    case 'secret':
      return [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: auth.secretArns }];
    case 'dbUser':
      return [
        {
          Effect: 'Allow',
          Action: ['redshift:GetClusterCredentials'],
          Resource: clusters.flatMap((c) => [
            regionalArn('redshift', `dbuser:${c}/${auth.dbUser}`),
            ...s.redshiftDatabase.map((d) => regionalArn('redshift', `dbname:${c}/${d}`)),
          ]),
        },
      ];
    case 'clusterIam':
      return [
        {
          Effect: 'Allow',
          Action: ['redshift:GetClusterCredentialsWithIAM'],
          Resource: clusters.flatMap((c) =>
            s.redshiftDatabase.map((d) => regionalArn('redshift', `dbname:${c}/${d}`)),
          ),
        },
      ];
    case 'serverlessIam':
      return [
        {
          Effect: 'Allow',
          Action: ['redshift-serverless:GetCredentials'],
          Resource: [...s.redshiftWorkgroupArn],
        },
      ];
  }
}

/** The trust policy of a role assumed by `service` (e.g. `lambda.amazonaws.com`). */
export function assumedBy(service: string, condition?: CfnObject): CfnObject {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  };
}

/** Condition limiting a service principal to this account (confused-deputy protection). */
export const sameAccount: CfnObject = { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } };
