/**
 * The one naming rule shared by the local runner and the deployed stack: `functions/<camelName>.ts`
 * is the Lambda function `<camelName>`, whose CloudFormation logical id (given by osls) is
 * `<PascalName>LambdaFunction` and whose ARN the ASL refers to as `${<PascalName>FunctionArn}`.
 */

/** `pollStatement` -> `PollStatement` (osls normalises function keys the same way). */
export function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1).replaceAll('-', 'Dash').replaceAll('_', 'Underscore');
}

/** osls' logical id of the Lambda function built from `functions/<name>.ts`. */
export function functionLogicalId(name: string): string {
  return `${pascalCase(name)}LambdaFunction`;
}

/** Our logical id of the function's own IAM role. */
export function functionRoleLogicalId(name: string): string {
  return `${pascalCase(name)}Role`;
}

const PLACEHOLDER_SUFFIX = 'FunctionArn';

/** `PollStatementFunctionArn` -> `pollStatement`; undefined when the name is not a function placeholder. */
export function functionNameFromPlaceholder(placeholder: string): string | undefined {
  if (!placeholder.endsWith(PLACEHOLDER_SUFFIX) || placeholder.length === PLACEHOLDER_SUFFIX.length) {
    return undefined;
  }
  const pascal = placeholder.slice(0, -PLACEHOLDER_SUFFIX.length);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
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

/** The deployed state machine's name; fixed so that ARNs can be written without a Ref cycle. */
export function stateMachineName(service: string, stage: string, kind: string): string {
  return `${service}-${stage}-${kind}`;
}

/** `RT_LOAD_STATE_MACHINE_ARN` for `load`: how functions that start executions find them. */
export function stateMachineArnEnvVar(kind: string): string {
  return `RT_${kind.replaceAll(/[^A-Za-z0-9]/g, '_').toUpperCase()}_STATE_MACHINE_ARN`;
}
