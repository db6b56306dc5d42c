import { type Cfn, getAtt, mergeStatements, type PolicyStatement, regionalArn, s3Arn } from '../stack/cfn.ts';
import { functionLogicalId, stateMachineName } from '../stack/naming.ts';
import type { DeploySettings } from '../stack/settings.ts';
import {
  type AslCalls,
  SYNC_EXECUTION_RULE,
  stateMachineLoggingActions,
  syncExecutionRuleActions,
} from './aslCalls.ts';

/**
 * The state machine role: `lambda:InvokeFunction` on exactly the functions its definition
 * calls, Distributed Map child executions of itself and its S3 reader/writer
 * on the named bucket, the state machines it starts as child executions (and the managed rule
 * `.sync` waits through), and log delivery when logging is on.
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
  for (const kind of calls.childStateMachines) {
    const child = stateMachineName(settings.service, settings.stage, kind);
    statements.push(
      {
        Effect: 'Allow',
        Action: ['states:StartExecution'],
        Resource: [regionalArn('states', `stateMachine:${child}`)],
      },
      {
        Effect: 'Allow',
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Resource: [regionalArn('states', `execution:${child}:*`)],
      },
    );
  }
  if (calls.childStateMachines.length > 0) {
    statements.push({
      Effect: 'Allow',
      Action: [...syncExecutionRuleActions],
      Resource: [regionalArn('events', `rule/${SYNC_EXECUTION_RULE}`)],
    });
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
