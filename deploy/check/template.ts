/** A CloudFormation template as JSON, loosely typed: the checkers validate what they read. */
export interface Template {
  Parameters?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, unknown>;
}

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
}

export const pseudoParameters = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/** The resource a `{"Fn::GetAtt": [X, "Arn"]}` (or `"X.Arn"`) points at, if the value is one. */
export function getAttTarget(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const att = (value as Record<string, unknown>)['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
  if (typeof att === 'string') return att.split('.')[0];
  return undefined;
}

/** Allow statements of a role's inline policies, normalised to arrays. */
export interface Grant {
  actions: string[];
  resources: unknown[];
  condition?: unknown;
}

export function roleGrants(role: TemplateResource): Grant[] {
  const grants: Grant[] = [];
  const policies = (role.Properties?.Policies ?? []) as { PolicyDocument?: { Statement?: unknown } }[];
  for (const policy of policies) {
    const statements = policy.PolicyDocument?.Statement;
    for (const raw of Array.isArray(statements) ? statements : [statements]) {
      const st = (raw ?? {}) as Record<string, unknown>;
      if (st.Effect !== 'Allow') continue;
      const actions = Array.isArray(st.Action) ? st.Action : [st.Action];
      const resources = Array.isArray(st.Resource) ? st.Resource : [st.Resource];
      grants.push({
        actions: actions.filter((a): a is string => typeof a === 'string'),
        resources,
        ...(st.Condition === undefined ? {} : { condition: st.Condition }),
      });
    }
  }
  return grants;
}
