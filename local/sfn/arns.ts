/** The account id the local stack uses in every ARN it makes. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** Prefix of every local name: functions, state machines (`redshift-transfer-<kind>`). */
export const LOCAL_NAME_PREFIX = 'redshift-transfer';

/** The local Lambda ARN of `functions/<camelName>.ts`. */
export function localFunctionArn(region: string, camelName: string): string {
  return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${LOCAL_NAME_PREFIX}-local-${camelName}`;
}

const localFunctionArnPattern =
  /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:redshift-transfer-local-([A-Za-z][A-Za-z0-9]*)(?::[A-Za-z0-9$_-]+)?$/;

/** The `functions/` module name a local Lambda ARN points at, or undefined for any other ARN. */
export function functionNameFromArn(arn: string): string | undefined {
  return localFunctionArnPattern.exec(arn)?.[1];
}

export function stateMachineArn(region: string, kind: string): string {
  return `arn:aws:states:${region}:${LOCAL_ACCOUNT_ID}:stateMachine:${LOCAL_NAME_PREFIX}-${kind}`;
}

export function stateMachineNameFromArn(arn: string): string | undefined {
  return /^arn:aws:states:[a-z0-9-]+:\d{12}:stateMachine:([^:]+)$/.exec(arn)?.[1];
}

export function executionArn(stateMachine: string, name: string): string {
  return `${stateMachine.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** The ARN of a Distributed Map run: `mapRun:<stateMachineName>/<label>:<id>`, as AWS builds it. */
export function mapRunArn(stateMachine: string, label: string, id: string): string {
  return `${stateMachine.replace(':stateMachine:', ':mapRun:')}/${label}:${id}`;
}

/** A child execution of a map run: `execution:<stateMachineName>/<label>:<childId>`. */
export function childExecutionArn(stateMachine: string, label: string, childId: string): string {
  return `${stateMachine.replace(':stateMachine:', ':execution:')}/${label}:${childId}`;
}
