// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings and ASL placeholders are the subject here
import { describe, expect, it } from 'vitest';
import { checkIamCoverage } from '../../../deploy/check/iamCoverage.ts';
import type { Template } from '../../../deploy/check/template.ts';
import { type AwsCallAnalysis, analyzeBundle } from '../../../deploy/iam/awsCalls.ts';

const logs = {
  Effect: 'Allow',
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Resource: [
    { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/x:*' },
  ],
};

/** One function `readPart` whose role holds `statements` (plus its log statement). */
function functionTemplate(statements: unknown[]): Template {
  return {
    Resources: {
      ReadPartRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Policies: [
            { PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: [...statements, logs] } },
          ],
        },
      },
      ReadPartLambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Handler: 'functions/readPart.handler',
          Role: { 'Fn::GetAtt': ['ReadPartRole', 'Arn'] },
        },
      },
    },
  };
}

const readPartCode: AwsCallAnalysis = analyzeBundle(
  [
    "import { GetObjectCommand } from '@aws-sdk/client-s3';",
    "import { ExecuteStatementCommand } from '@aws-sdk/client-redshift-data';",
    '// src/parts/readPart.ts',
    'new GetObjectCommand({}); new ExecuteStatementCommand({});',
  ].join('\n'),
);
const code = new Map([['readPart', readPartCode]]);
const s3Get = { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::staging/*'] };
const execute = {
  Effect: 'Allow',
  Action: ['redshift-data:ExecuteStatement'],
  Resource: ['arn:aws:redshift:r:1:cluster:c'],
};
const secret = {
  Effect: 'Allow',
  Action: ['secretsmanager:GetSecretValue'],
  Resource: ['arn:aws:secretsmanager:r:1:secret:s'],
};

describe('checkIamCoverage: functions', () => {
  it('accepts a role granting exactly what the code calls, its logs and one Data API auth path', () => {
    expect(checkIamCoverage(functionTemplate([s3Get, execute, secret]), code)).toEqual([]);
  });

  it('fails when a call the code makes is not granted, naming the call and its file', () => {
    expect(checkIamCoverage(functionTemplate([execute, secret]), code)).toEqual([
      'ReadPartRole: functions/readPart.ts needs s3:GetObject (GetObjectCommand in src/parts/readPart.ts) but its role does not grant it',
    ]);
  });

  it('fails when the Data API is called without an auth path', () => {
    expect(checkIamCoverage(functionTemplate([s3Get, execute]), code)).toEqual([
      'ReadPartRole: functions/readPart.ts calls the Data API but its role grants no auth path (one of redshift-serverless:GetCredentials, redshift:GetClusterCredentials, redshift:GetClusterCredentialsWithIAM, secretsmanager:GetSecretValue)',
    ]);
  });

  it('fails when a role grants an action no code path uses', () => {
    const extra = {
      Effect: 'Allow',
      Action: ['s3:DeleteObject', 's3:PutObject'],
      Resource: ['arn:aws:s3:::staging/*'],
    };
    expect(checkIamCoverage(functionTemplate([s3Get, execute, secret, extra]), code)).toEqual([
      'ReadPartRole: grants s3:DeleteObject but no code path of functions/readPart.ts uses it',
      'ReadPartRole: grants s3:PutObject but no code path of functions/readPart.ts uses it',
    ]);
  });

  it('fails on wildcard actions, "*" resources and managed policies', () => {
    const t = functionTemplate([{ Effect: 'Allow', Action: ['s3:Get*'], Resource: ['*'] }, execute, secret]);
    (t.Resources.ReadPartRole?.Properties as Record<string, unknown>).ManagedPolicyArns = [
      'arn:aws:iam::aws:policy/Admin',
    ];
    expect(checkIamCoverage(t, code)).toEqual([
      'ReadPartRole: managed policies are broader than the code; write the statements out',
      'ReadPartRole: wildcard action s3:Get*',
      'ReadPartRole: s3:Get* on "*"; scope it to the resources it needs',
      'ReadPartRole: functions/readPart.ts needs s3:GetObject (GetObjectCommand in src/parts/readPart.ts) but its role does not grant it',
      'ReadPartRole: grants s3:Get* but no code path of functions/readPart.ts uses it',
    ]);
  });

  it('fails on resources that name buckets or other resources by wildcard', () => {
    const t = functionTemplate([
      {
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: ['arn:aws:s3:::*', { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::rt-*/*' }],
      },
      {
        Effect: 'Allow',
        Action: ['redshift-data:ExecuteStatement'],
        Resource: ['arn:aws:redshift:r:1:cluster:*-prod'],
      },
      secret,
    ]);
    expect(checkIamCoverage(t, code)).toEqual([
      'ReadPartRole: resource arn:aws:s3:::* names buckets by wildcard; name the bucket',
      'ReadPartRole: resource arn:${AWS::Partition}:s3:::rt-*/* names buckets by wildcard; name the bucket',
      'ReadPartRole: resource arn:aws:redshift:r:1:cluster:*-prod has a wildcard before its last segment',
    ]);
  });

  it('accepts an action the stage switched off, recorded in the role metadata', () => {
    const t = functionTemplate([execute, secret]);
    (t.Resources.ReadPartRole as { Metadata?: unknown }).Metadata = {
      RedshiftTransfer: { DisabledActions: ['s3:GetObject'] },
    };
    expect(checkIamCoverage(t, code)).toEqual([]);
  });
});

describe('checkIamCoverage: state machines and schedules', () => {
  const machine = (invoke: string[], extra: unknown[] = []): Template => ({
    Resources: {
      SmRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Policies: [
            {
              PolicyName: 'p',
              PolicyDocument: {
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: ['lambda:InvokeFunction'],
                    Resource: invoke.map((f) => ({ 'Fn::GetAtt': [f, 'Arn'] })),
                  },
                  ...extra,
                ],
              },
            },
          ],
        },
      },
      Sm: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          RoleArn: { 'Fn::GetAtt': ['SmRole', 'Arn'] },
          Definition: {
            StartAt: 'A',
            States: { A: { Type: 'Task', Resource: '${AFunctionArn}', End: true } },
          },
          DefinitionSubstitutions: { AFunctionArn: { 'Fn::GetAtt': ['ALambdaFunction', 'Arn'] } },
        },
      },
      SchedulerRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Policies: [
            {
              PolicyName: 'p',
              PolicyDocument: {
                Statement: [
                  { Effect: 'Allow', Action: ['states:StartExecution'], Resource: [{ Ref: 'Other' }] },
                ],
              },
            },
          ],
        },
      },
      Nightly: {
        Type: 'AWS::Scheduler::Schedule',
        Properties: { Target: { Arn: { Ref: 'Sm' }, RoleArn: { 'Fn::GetAtt': ['SchedulerRole', 'Arn'] } } },
      },
    },
  });

  it('requires lambda:InvokeFunction on exactly the functions the definition calls', () => {
    expect(checkIamCoverage(machine(['ALambdaFunction', 'BLambdaFunction']), new Map())).toEqual([
      'SmRole: may invoke BLambdaFunction, which Sm never calls',
      'SchedulerRole: may not start Sm, which a schedule targets',
      'SchedulerRole: may start Other, which no schedule targets',
    ]);
  });

  it('fails when the state machine role grants what its definition does not need', () => {
    const problems = checkIamCoverage(
      machine(
        ['ALambdaFunction'],
        [{ Effect: 'Allow', Action: ['states:StartExecution'], Resource: ['arn:x'] }],
      ),
      new Map(),
    );
    expect(problems[0]).toBe("SmRole: grants states:StartExecution but Sm's definition does not need it");
  });
});
