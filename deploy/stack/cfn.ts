/** Small helpers for CloudFormation values written from TypeScript. */

export type Cfn = string | number | boolean | null | Cfn[] | { [key: string]: Cfn };
export type CfnObject = { [key: string]: Cfn };

export const ref = (name: string): CfnObject => ({ Ref: name });
export const getAtt = (resource: string, attribute: string): CfnObject => ({
  'Fn::GetAtt': [resource, attribute],
});
export const sub = (template: string): CfnObject => ({ 'Fn::Sub': template });

/** `arn:${AWS::Partition}:<service>:${AWS::Region}:${AWS::AccountId}:<rest>` as a Fn::Sub. */
export const regionalArn = (service: string, rest: string): CfnObject =>
  sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${rest}`);

/** `arn:${AWS::Partition}:s3:::<rest>`. */
export const s3Arn = (rest: string): CfnObject => sub(`arn:\${AWS::Partition}:s3:::${rest}`);

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow';
  Action: string[];
  Resource: Cfn[];
  Condition?: CfnObject;
}

/**
 * Merges statements that have the same resources and condition into one (sorted actions), so a
 * role reads as "these actions on these resources".
 */
export function mergeStatements(statements: PolicyStatement[]): PolicyStatement[] {
  const byKey = new Map<string, PolicyStatement>();
  for (const s of statements) {
    const key = JSON.stringify([s.Resource, s.Condition ?? null]);
    const existing = byKey.get(key);
    if (existing === undefined) {
      byKey.set(key, { ...s, Action: [...new Set(s.Action)].sort() });
    } else {
      existing.Action = [...new Set([...existing.Action, ...s.Action])].sort();
    }
  }
  return [...byKey.values()];
}
