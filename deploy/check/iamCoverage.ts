import { analyzeAsl, aslActions, stateMachineLoggingActions } from '../iam/aslCalls.ts';
import type { AwsCallAnalysis } from '../iam/awsCalls.ts';
import { impliedActions } from '../iam/implied.ts';
import { functionNameFromPlaceholder } from '../stack/naming.ts';
import { type Grant, getAttTarget, roleGrants, type Template, type TemplateResource } from './template.ts';

/** Actions with no resource type in IAM: the only ones allowed on `"*"`. */
const wildcardResourceActions = new Set([
  'redshift-data:CancelStatement',
  'redshift-data:DescribeStatement',
  'redshift-data:GetStatementResult',
  'redshift-data:ListStatements',
  ...stateMachineLoggingActions,
]);

/**
 * Compares every role of the template with what its principal really does:
 * - a Lambda function's role must grant each action its code calls (from `analyzeAwsCalls` of
 *   `functions/<name>.ts`), plus what AWS checks on its behalf (logs, the Data API auth path),
 *   and nothing else;
 * - a state machine's role must grant `lambda:InvokeFunction` on exactly the functions its
 *   definition calls, its Distributed Map and logging needs, and nothing else;
 * - a schedule's role may only start the state machines its schedules target.
 * No action may be a wildcard, and `"*"` resources are allowed only for actions without a resource
 * type. Returns the problems, each naming the role, the action and the code that needs it.
 */
export function checkIamCoverage(template: Template, code: ReadonlyMap<string, AwsCallAnalysis>): string[] {
  const problems: string[] = [];
  const resources = template.Resources ?? {};
  const roleOf = (owner: string, value: unknown): [string, TemplateResource] | undefined => {
    const name = getAttTarget(value);
    const role = name === undefined ? undefined : resources[name];
    if (name === undefined || role?.Type !== 'AWS::IAM::Role') {
      problems.push(`${owner}: its role must be an AWS::IAM::Role of this template (Fn::GetAtt X.Arn)`);
      return undefined;
    }
    return [name, role];
  };

  for (const [roleName, role] of Object.entries(resources)) {
    if (role.Type !== 'AWS::IAM::Role') continue;
    if (role.Properties?.ManagedPolicyArns !== undefined) {
      problems.push(`${roleName}: managed policies are broader than the code; write the statements out`);
    }
    for (const grant of roleGrants(role)) {
      for (const resource of grant.resources) {
        const problem = wildcardResourceProblem(resource);
        if (problem !== undefined) problems.push(`${roleName}: ${problem}`);
      }
      for (const action of grant.actions) {
        if (action.includes('*')) problems.push(`${roleName}: wildcard action ${action}`);
        if (grant.resources.includes('*') && !wildcardResourceActions.has(action)) {
          problems.push(`${roleName}: ${action} on "*"; scope it to the resources it needs`);
        }
      }
    }
  }

  for (const [logicalId, fn] of Object.entries(resources)) {
    if (fn.Type !== 'AWS::Lambda::Function') continue;
    const handler = String(fn.Properties?.Handler ?? '');
    const name = /^functions\/([A-Za-z0-9]+)\.handler$/.exec(handler)?.[1];
    if (name === undefined) {
      problems.push(`${logicalId}: handler ${handler} is not functions/<name>.handler`);
      continue;
    }
    const analysis = code.get(name);
    if (analysis === undefined) {
      problems.push(`${logicalId}: no code analysis for functions/${name}.ts (is the template stale?)`);
      continue;
    }
    problems.push(...analysis.problems);
    const found = roleOf(logicalId, fn.Properties?.Role);
    if (found === undefined) continue;
    const [roleName, role] = found;
    const granted = grantedActions(roleGrants(role));
    const disabled = new Set(
      (role.Metadata?.RedshiftTransfer as { DisabledActions?: string[] } | undefined)?.DisabledActions ?? [],
    );
    const implied = impliedActions(analysis.actions);
    const where = (action: string) => {
      const calls = analysis.calls.filter((c) => c.actions.includes(action));
      return calls.length === 0 ? '' : ` (${calls.map((c) => `${c.symbol} in ${c.file}`).join(', ')})`;
    };
    for (const action of [...analysis.actions, ...implied.required]) {
      if (!granted.has(action) && !disabled.has(action)) {
        problems.push(
          `${roleName}: functions/${name}.ts needs ${action}${where(action)} but its role does not grant it`,
        );
      }
    }
    for (const group of implied.oneOf) {
      if (!group.some((a) => granted.has(a))) {
        problems.push(
          `${roleName}: functions/${name}.ts calls the Data API but its role grants no auth path (one of ${group.join(', ')})`,
        );
      }
    }
    const used = new Set([
      ...analysis.actions,
      ...implied.required,
      ...implied.oneOf.flat(),
      ...implied.optional,
    ]);
    for (const action of [...granted].sort()) {
      if (!used.has(action)) {
        problems.push(`${roleName}: grants ${action} but no code path of functions/${name}.ts uses it`);
      }
    }
  }

  for (const [logicalId, sm] of Object.entries(resources)) {
    if (sm.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const found = roleOf(logicalId, sm.Properties?.RoleArn);
    if (found === undefined) continue;
    const [roleName, role] = found;
    const calls = analyzeAsl(sm.Properties?.Definition);
    problems.push(...calls.problems.map((p) => `${logicalId}: ${p}`));
    const grants = roleGrants(role);
    const granted = grantedActions(grants);
    const logging = sm.Properties?.LoggingConfiguration as { Level?: string } | undefined;
    const required = new Set(aslActions(calls));
    if (logging !== undefined && logging.Level !== 'OFF')
      for (const a of stateMachineLoggingActions) required.add(a);
    const optional = new Set(calls.s3.length > 0 ? ['kms:Decrypt', 'kms:GenerateDataKey'] : []);
    for (const action of [...required].sort()) {
      if (!granted.has(action))
        problems.push(`${roleName}: ${logicalId} needs ${action} but its role does not grant it`);
    }
    for (const action of [...granted].sort()) {
      if (!required.has(action) && !optional.has(action)) {
        problems.push(`${roleName}: grants ${action} but ${logicalId}'s definition does not need it`);
      }
    }
    // lambda:InvokeFunction must name exactly the functions the definition calls.
    const substitutions = (sm.Properties?.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
    const expected = new Set<string>();
    for (const fn of calls.functions) {
      const placeholder = Object.keys(substitutions).find((p) => functionNameFromPlaceholder(p) === fn);
      const target = placeholder === undefined ? undefined : getAttTarget(substitutions[placeholder]);
      if (target !== undefined) expected.add(target);
    }
    const invoked = new Set(
      grants
        .filter((g) => g.actions.includes('lambda:InvokeFunction'))
        .flatMap((g) => g.resources.map((r) => getAttTarget(r) ?? JSON.stringify(r))),
    );
    for (const e of [...expected].sort()) {
      if (!invoked.has(e)) problems.push(`${roleName}: may not invoke ${e}, which ${logicalId} calls`);
    }
    for (const i of [...invoked].sort()) {
      if (!expected.has(i)) problems.push(`${roleName}: may invoke ${i}, which ${logicalId} never calls`);
    }
  }

  const scheduleTargets = new Map<string, Set<string>>();
  for (const [logicalId, schedule] of Object.entries(resources)) {
    if (schedule.Type !== 'AWS::Scheduler::Schedule') continue;
    const target = (schedule.Properties?.Target ?? {}) as Record<string, unknown>;
    const found = roleOf(logicalId, target.RoleArn);
    if (found === undefined) continue;
    const arn = target.Arn as { Ref?: string } | undefined;
    const set = scheduleTargets.get(found[0]) ?? new Set<string>();
    set.add(arn?.Ref ?? JSON.stringify(target.Arn));
    scheduleTargets.set(found[0], set);
  }
  for (const [roleName, targets] of scheduleTargets) {
    const grants = roleGrants(resources[roleName] as TemplateResource);
    const granted = grantedActions(grants);
    for (const a of granted)
      if (a !== 'states:StartExecution')
        problems.push(`${roleName}: grants ${a}; schedules only start executions`);
    const allowed = new Set(
      grants.flatMap((g) => g.resources.map((r) => (r as { Ref?: string }).Ref ?? JSON.stringify(r))),
    );
    for (const t of targets)
      if (!allowed.has(t)) problems.push(`${roleName}: may not start ${t}, which a schedule targets`);
    for (const a of allowed)
      if (!targets.has(a)) problems.push(`${roleName}: may start ${a}, which no schedule targets`);
  }
  return problems;
}

function grantedActions(grants: readonly Grant[]): Set<string> {
  return new Set(grants.flatMap((g) => g.actions));
}

/**
 * A resource ARN may end in `/*` or `:*` (objects of a bucket, streams of a log group, executions
 * of a state machine) but not name every bucket or use a wildcard elsewhere.
 */
function wildcardResourceProblem(resource: unknown): string | undefined {
  const text =
    typeof resource === 'string'
      ? resource
      : typeof (resource as { 'Fn::Sub'?: unknown } | null)?.['Fn::Sub'] === 'string'
        ? String((resource as { 'Fn::Sub': string })['Fn::Sub'])
        : undefined;
  if (text === undefined || text === '*') return undefined;
  const bucket = /:s3:::([^/]*)/.exec(text)?.[1];
  if (bucket?.includes('*')) return `resource ${text} names buckets by wildcard; name the bucket`;
  if (text.slice(0, -2).includes('*') || (text.endsWith('*') && !/[/:]\*$/.test(text))) {
    return `resource ${text} has a wildcard before its last segment`;
  }
  return undefined;
}
