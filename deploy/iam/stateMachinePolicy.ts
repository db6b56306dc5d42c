import { type Cfn, getAtt, mergeStatements, type PolicyStatement, regionalArn, s3Arn } from '../stack/cfn.ts';
import { functionLogicalId, stateMachineName } from '../stack/naming.ts';
import type { DeploySettings } from '../stack/settings.ts';
import { type AslCalls, stateMachineLoggingActions } from './aslCalls.ts';

/**
 * The state machine role: `lambda:InvokeFunction` on exactly the functions its definition
 * calls, Distributed Map child executions of itself and its S3 reader/writer
 * on the named bucket, and log delivery when logging is on.
 */
export function stateMachinePolicy(
  settings: DeploySettings,
  kind: string,
  calls: AslCalls,
  bucketFor: (expression: string) => string,
): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  if (calls.functions.length > 0) {
    statements.push({
      Effect: 'Allow',
      Action: ['lambda:InvokeFunction'],
      // Unqualified ARNs only: functions are not versioned (provider.versionFunctions: false).
      Resource: calls.functions.map((f): Cfn => getAtt(functionLogicalId(f), 'Arn')),
    });
  }
  const name = stateMachineName(settings.service, settings.stage, kind);
  if (calls.distributedMap) {
    statements.push(
      {
        Effect: 'Allow',
        Action: ['states:StartExecution'],
        Resource: [regionalArn('states', `stateMachine:${name}`)],
      },
      {
        Effect: 'Allow',
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Resource: [regionalArn('states', `execution:${name}/*`)],
      },
    );
  }
  for (const { action, bucket } of calls.s3) {
    const b = bucketFor(bucket);
    statements.push({
      Effect: 'Allow',
      Action: [action],
      Resource: [s3Arn(action === 's3:ListBucket' ? b : `${b}/*`)],
    });
  }
  if (calls.s3.length > 0 && settings.kmsKeyArn !== undefined) {
    statements.push({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: [settings.kmsKeyArn],
    });
  }
  if (settings.stateMachineLogLevel !== 'OFF') {
    statements.push({ Effect: 'Allow', Action: [...stateMachineLoggingActions], Resource: ['*'] });
  }
  return mergeStatements(statements);
}
