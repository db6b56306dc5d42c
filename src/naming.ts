/**
 * Naming rules shared by the local runner (local/sfn) and the deployed stack (deploy/stack):
 * `functions/<camelName>.ts` is the Lambda function `<camelName>`, which the ASL refers to as
 * `${<PascalName>FunctionArn}`; functions that start executions of `statemachines/<kind>.asl.yml`
 * find its ARN in `RT_<KIND>_STATE_MACHINE_ARN`. One home, so the two cannot drift apart.
 */

/** `pollStatement` -> `PollStatement` (osls normalises function keys the same way). */
export function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1).replaceAll('-', 'Dash').replaceAll('_', 'Underscore');
}

const FUNCTION_PLACEHOLDER = /^([A-Z][A-Za-z0-9]*)FunctionArn$/;

/** `PollStatementFunctionArn` -> `pollStatement`; undefined when the name is not a function placeholder. */
export function functionNameFromPlaceholder(placeholder: string): string | undefined {
  const pascal = FUNCTION_PLACEHOLDER.exec(placeholder)?.[1];
  return pascal === undefined ? undefined : pascal.charAt(0).toLowerCase() + pascal.slice(1);
}

/** Step Functions' own integration: start a child execution and wait for it, Output as JSON. */
export const START_EXECUTION_SYNC_RESOURCE = 'arn:aws:states:::states:startExecution.sync:2';

const STATE_MACHINE_PLACEHOLDER = /^([A-Z][A-Za-z0-9]*)StateMachineArn$/;

/**
 * `LoadStateMachineArn` -> `load`: a state machine that starts another as a child execution
 * (`states:startExecution.sync:2`) names it `${<Kind>StateMachineArn}`; undefined otherwise.
 */
export function stateMachineKindFromPlaceholder(placeholder: string): string | undefined {
  const pascal = STATE_MACHINE_PLACEHOLDER.exec(placeholder)?.[1];
  return pascal === undefined ? undefined : pascal.charAt(0).toLowerCase() + pascal.slice(1);
}

/** `RT_LOAD_STATE_MACHINE_ARN` for `load`: how functions that start executions find them. */
export function stateMachineArnEnvVar(kind: string): string {
  return `RT_${kind.replaceAll(/[^A-Za-z0-9]/g, '_').toUpperCase()}_STATE_MACHINE_ARN`;
}

/**
 * The deployed state machine's name, `<service>-<stage>-<kind>`: fixed so that ARNs can be
 * written without a Ref cycle, and so that the CLI finds a stage's state machine by name.
 */
export function stateMachineName(service: string, stage: string, kind: string): string {
  return `${service}-${stage}-${kind}`;
}
