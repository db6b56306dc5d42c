/**
 * The deployed stack's names: `functions/<camelName>.ts` is the Lambda function `<camelName>`,
 * whose CloudFormation logical id (given by osls) is `<PascalName>LambdaFunction`. The rules the
 * local runner applies too (placeholders, env var names) live in src/naming.ts, re-exported here.
 */

import { pascalCase } from '../../src/naming.ts';

export {
  functionNameFromPlaceholder,
  pascalCase,
  START_EXECUTION_SYNC_RESOURCE,
  stateMachineArnEnvVar,
  stateMachineKindFromPlaceholder,
  stateMachineName,
} from '../../src/naming.ts';

/** osls' logical id of the Lambda function built from `functions/<name>.ts`. */
export function functionLogicalId(name: string): string {
  return `${pascalCase(name)}LambdaFunction`;
}

/** Our logical id of the function's own IAM role. */
export function functionRoleLogicalId(name: string): string {
  return `${pascalCase(name)}Role`;
}

/** `export` -> `ExportStateMachine` (logical id), for `statemachines/export.asl.yml`. */
export function stateMachineLogicalId(kind: string): string {
  return `${pascalCase(kind)}StateMachine`;
}

export function stateMachineRoleLogicalId(kind: string): string {
  return `${pascalCase(kind)}StateMachineRole`;
}

export function stateMachineLogGroupLogicalId(kind: string): string {
  return `${pascalCase(kind)}StateMachineLogGroup`;
}
