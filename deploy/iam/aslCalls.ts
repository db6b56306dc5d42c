import {
  functionNameFromPlaceholder,
  START_EXECUTION_SYNC_RESOURCE,
  stateMachineKindFromPlaceholder,
} from '../stack/naming.ts';

/** What a state machine definition makes its role do. */
export interface AslCalls {
  /** Function names whose `${XxxFunctionArn}` the definition invokes. */
  functions: string[];
  /** True when a Map runs in DISTRIBUTED mode (child executions of the machine itself). */
  distributedMap: boolean;
  /** Kinds of the state machines it starts as child executions (`startExecution.sync:2`). */
  childStateMachines: string[];
  /** S3 actions of Distributed Map readers and writers, with the bucket expression they use. */
  s3: { action: string; bucket: string }[];
  /** Every `${Name}` placeholder in the definition. */
  placeholders: string[];
  /** Resources we do not know how to grant. */
  problems: string[];
}

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/**
 * Walks an ASL definition (JSONPath) for the resources its role must reach: Lambda tasks written
 * as `"Resource": "${FooFunctionArn}"` (or `lambda:invoke` with that FunctionName), Distributed
 * Maps (StartExecution on itself, ItemReader/ResultWriter on S3), child executions of another of
 * our state machines (`startExecution.sync:2` on `${XxxStateMachineArn}`). Any other service
 * integration is reported, not guessed.
 */
export function analyzeAsl(definition: unknown): AslCalls {
  const functions = new Set<string>();
  const placeholders = new Set<string>();
  const s3: { action: string; bucket: string }[] = [];
  const problems: string[] = [];
  const childStateMachines = new Set<string>();
  let distributedMap = false;

  const collectPlaceholders = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(PLACEHOLDER)) if (m[1]) placeholders.add(m[1]);
    } else if (Array.isArray(value)) {
      value.forEach(collectPlaceholders);
    } else if (value !== null && typeof value === 'object') {
      Object.values(value).forEach(collectPlaceholders);
    }
  };
  collectPlaceholders(definition);

  const functionOf = (value: unknown): string | undefined => {
    if (typeof value !== 'string') return undefined;
    const m = /^\$\{([A-Za-z0-9_]+)\}(:[$A-Za-z0-9_]+)?$/.exec(value);
    return m?.[1] === undefined ? undefined : functionNameFromPlaceholder(m[1]);
  };

  const bucketOf = (params: unknown): string => {
    const p = (params ?? {}) as Record<string, unknown>;
    if (typeof p.Bucket === 'string') return p.Bucket;
    // A dynamic bucket (Bucket.$) is read from the state; Distributed Map I/O lives in the state bucket.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL placeholder, not a template
    return '${StateBucket}';
  };

  const visitStates = (states: unknown, where: string): void => {
    if (states === null || typeof states !== 'object') return;
    for (const [stateName, raw] of Object.entries(states as Record<string, unknown>)) {
      const state = (raw ?? {}) as Record<string, unknown>;
      const at = `${where}${stateName}`;
      if (state.Type === 'Task') {
        const resource = state.Resource;
        const direct = functionOf(resource);
        if (direct !== undefined) {
          functions.add(direct);
        } else if (resource === START_EXECUTION_SYNC_RESOURCE) {
          const params = (state.Parameters ?? {}) as Record<string, unknown>;
          const m = /^\$\{([A-Za-z0-9_]+)\}$/.exec(String(params.StateMachineArn));
          const kind = m?.[1] === undefined ? undefined : stateMachineKindFromPlaceholder(m[1]);
          if (kind === undefined)
            problems.push(`${at}: startExecution.sync:2 without a \${XxxStateMachineArn} StateMachineArn`);
          else childStateMachines.add(kind);
        } else if (typeof resource === 'string' && /^arn:aws[a-z-]*:states:::lambda:invoke/.test(resource)) {
          const params = (state.Parameters ?? {}) as Record<string, unknown>;
          const fn = functionOf(params.FunctionName);
          if (fn === undefined)
            problems.push(`${at}: lambda:invoke without a \${XxxFunctionArn} FunctionName`);
          else functions.add(fn);
        } else {
          problems.push(
            `${at}: Resource ${String(resource)} is neither \${XxxFunctionArn} nor lambda:invoke; grant it in deploy/iam/stateMachinePolicy.ts`,
          );
        }
      }
      if (state.Type === 'Map') {
        const processor = (state.ItemProcessor ?? state.Iterator ?? {}) as Record<string, unknown>;
        const mode = (processor.ProcessorConfig as Record<string, unknown> | undefined)?.Mode;
        if (mode === 'DISTRIBUTED') distributedMap = true;
        const reader = state.ItemReader as Record<string, unknown> | undefined;
        if (reader !== undefined) {
          const r = String(reader.Resource ?? '');
          const bucket = bucketOf(reader.Parameters);
          if (/:s3:getObject$/.test(r)) s3.push({ action: 's3:GetObject', bucket });
          else if (/:s3:listObjectsV2$/.test(r)) s3.push({ action: 's3:ListBucket', bucket });
          else problems.push(`${at}: ItemReader resource ${r} is not s3:getObject or s3:listObjectsV2`);
        }
        const writer = state.ResultWriter as Record<string, unknown> | undefined;
        if (writer?.Resource !== undefined) {
          const bucket = bucketOf(writer.Parameters);
          for (const action of [
            's3:AbortMultipartUpload',
            's3:GetObject',
            's3:ListMultipartUploadParts',
            's3:PutObject',
          ]) {
            s3.push({ action, bucket });
          }
        }
        visitStates(processor.States, `${at}/`);
      }
      if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
        state.Branches.forEach((b, i) => {
          visitStates((b as Record<string, unknown>).States, `${at}[${i}]/`);
        });
      }
    }
  };
  visitStates((definition as Record<string, unknown> | null)?.States, '');

  return {
    functions: [...functions].sort(),
    distributedMap,
    childStateMachines: [...childStateMachines].sort(),
    s3,
    placeholders: [...placeholders].sort(),
    problems,
  };
}

/** The IAM actions a state machine role needs for what `analyzeAsl` found (logging aside). */
export function aslActions(calls: AslCalls): string[] {
  const actions = new Set<string>(calls.s3.map((c) => c.action));
  if (calls.functions.length > 0) actions.add('lambda:InvokeFunction');
  if (calls.distributedMap) {
    actions.add('states:StartExecution');
    actions.add('states:DescribeExecution');
    actions.add('states:StopExecution');
  }
  if (calls.childStateMachines.length > 0) {
    actions.add('states:StartExecution');
    actions.add('states:DescribeExecution');
    actions.add('states:StopExecution');
    for (const action of syncExecutionRuleActions) actions.add(action);
  }
  return [...actions].sort();
}

/**
 * `.sync` waits for a child execution through an EventBridge rule Step Functions manages in the
 * account (`StepFunctionsGetEventsForStepFunctionsExecutionRule`); the role must be allowed to
 * create it and add itself as a target (Step Functions developer guide, "IAM policies for
 * starting Step Functions executions").
 */
export const SYNC_EXECUTION_RULE = 'StepFunctionsGetEventsForStepFunctionsExecutionRule';
export const syncExecutionRuleActions: readonly string[] = [
  'events:DescribeRule',
  'events:PutRule',
  'events:PutTargets',
];

/**
 * CloudWatch Logs vended-log delivery, which Step Functions needs for its logging
 * configuration; these actions have no resource type, so "*" (Step Functions developer guide,
 * "IAM policies for logging to CloudWatch Logs").
 */
export const stateMachineLoggingActions: readonly string[] = [
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
];
