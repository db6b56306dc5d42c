// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings and ASL placeholders are the subject here
import { describe, expect, it } from 'vitest';
import { checkReferences } from '../../../deploy/check/references.ts';
import { checkSubstitutions } from '../../../deploy/check/substitutions.ts';
import type { Template } from '../../../deploy/check/template.ts';

const base = (): Template => ({
  Parameters: { Flag: { Type: 'String' } },
  Conditions: { IsOn: { 'Fn::Equals': [{ Ref: 'Flag' }, 'true'] } },
  Resources: {
    Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
    Fn: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
        Environment: {
          Variables: {
            A: { 'Fn::Sub': 'arn:${AWS::Partition}:x:${AWS::Region}:${Role.Arn}:${Flag}:${!Literal}' },
          },
        },
      },
      DependsOn: ['Role'],
    },
    Opt: { Type: 'AWS::IAM::Role', Condition: 'IsOn', Properties: {} },
  },
  Outputs: { RoleArn: { Value: { 'Fn::GetAtt': 'Role.Arn' } } },
});

describe('checkReferences', () => {
  it('accepts a template whose references all resolve', () => {
    expect(checkReferences(base())).toEqual([]);
  });

  it('names a dangling Ref, GetAtt, Sub variable, condition and DependsOn by path', () => {
    const t = base();
    const fn = t.Resources.Fn as { Properties: Record<string, unknown>; DependsOn: string[] };
    fn.Properties.Missing = { Ref: 'NoSuchThing' };
    fn.Properties.Att = { 'Fn::GetAtt': ['Ghost', 'Arn'] };
    fn.Properties.Text = { 'Fn::Sub': ['${Local}-${Nope}-${Gone.Arn}', { Local: 'x' }] };
    fn.DependsOn = ['Role', 'Phantom'];
    (t.Resources.Opt as { Condition: string }).Condition = 'IsOff';
    (t.Outputs as Record<string, unknown>).Both = { Value: { 'Fn::If': ['Unknown', 'a', { Ref: 'Flag' }] } };
    expect(checkReferences(t)).toEqual([
      'Resources.Fn.DependsOn: Phantom does not exist',
      'Resources.Fn.Properties.Missing: Ref "NoSuchThing" does not exist',
      'Resources.Fn.Properties.Att: Fn::GetAtt ["Ghost","Arn"] names no resource',
      'Resources.Fn.Properties.Text: Fn::Sub variable ${Nope} does not exist',
      'Resources.Fn.Properties.Text: Fn::Sub variable ${Gone.Arn} does not exist',
      'Resources.Opt.Condition: IsOff does not exist',
      'Outputs.Both.Value: Fn::If condition "Unknown" does not exist',
    ]);
  });
});

describe('checkSubstitutions', () => {
  const machine = (subs: Record<string, unknown>): Template => ({
    Resources: {
      Sm: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          Definition: {
            StartAt: 'A',
            States: {
              A: {
                Type: 'Task',
                Resource: '${AFunctionArn}',
                Parameters: { 'b.$': '$.b', Bucket: '${StateBucket}' },
                End: true,
              },
            },
          },
          DefinitionSubstitutions: subs,
        },
      },
    },
  });

  it('accepts a definition whose placeholders are all substituted', () => {
    expect(
      checkSubstitutions(
        machine({ AFunctionArn: { 'Fn::GetAtt': ['ALambdaFunction', 'Arn'] }, StateBucket: 'b' }),
      ),
    ).toEqual([]);
  });

  it('fails on a placeholder left in the definition and on an unused substitution', () => {
    expect(checkSubstitutions(machine({ AFunctionArn: 'arn', Extra: 'x' }))).toEqual([
      'Resources.Sm: ${StateBucket} is not in DefinitionSubstitutions',
      'Resources.Sm: DefinitionSubstitutions.Extra is not used by the definition',
    ]);
  });
});
