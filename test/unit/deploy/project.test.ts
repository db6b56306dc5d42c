// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings and ASL placeholders are the subject here
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateAslFiles } from '../../../deploy/check/aslFiles.ts';
import { checkIamCoverage } from '../../../deploy/check/iamCoverage.ts';
import { checkReferences } from '../../../deploy/check/references.ts';
import { checkSubstitutions } from '../../../deploy/check/substitutions.ts';
import { roleGrants, type TemplateResource } from '../../../deploy/check/template.ts';
import { staleDiagrams } from '../../../deploy/diagrams/writeDiagrams.ts';
import { analyzeAwsCalls } from '../../../deploy/iam/awsCalls.ts';
import { buildStack } from '../../../deploy/stack/buildStack.ts';
import { discoverStateMachines } from '../../../deploy/stack/discover.ts';
import { parseDeploySettings } from '../../../deploy/stack/settings.ts';
import { parseJob } from '../../../src/job/job.ts';
import { templateOf } from './fixtures.ts';

const root = path.resolve(import.meta.dirname, '../../..');

/** The dev stage's settings exactly as serverless.yml resolves them (params.default + params.dev). */
async function devSettings() {
  const yml = parse(await readFile(path.join(root, 'serverless.yml'), 'utf8')) as {
    service: string;
    params: { default: Record<string, unknown>; dev: Record<string, unknown> };
    custom: { redshiftTransfer: Record<string, string> };
  };
  const params = { ...yml.params.default, ...yml.params.dev };
  const raw: Record<string, unknown> = {};
  for (const [key, expr] of Object.entries(yml.custom.redshiftTransfer)) {
    const m = /^\$\{param:([A-Za-z]+)\}$/.exec(expr);
    raw[key] = m?.[1] === undefined ? undefined : String(params[m[1]] ?? '');
  }
  return parseDeploySettings({ ...raw, service: yml.service, stage: 'dev' });
}

describe('the project as it is in the tree', () => {
  it('serverless.yml resolves nothing from AWS at package time', async () => {
    const config = JSON.stringify(parse(await readFile(path.join(root, 'serverless.yml'), 'utf8')));
    expect(config.match(/\$\{(ssm|aws|cf|s3):/g)).toBeNull();
    expect(config).toContain('${param:redshiftDatabase}');
  });

  it('builds a stack whose references, placeholders and IAM grants all check out', async () => {
    const stack = await buildStack(root, await devSettings());
    const template = templateOf(stack);
    const code = new Map(
      await Promise.all(
        Object.keys(stack.functions).map(
          async (n) => [n, await analyzeAwsCalls(root, `functions/${n}.ts`)] as const,
        ),
      ),
    );
    expect(checkReferences(template)).toEqual([]);
    expect(checkSubstitutions(template)).toEqual([]);
    expect(checkIamCoverage(template, code)).toEqual([]);
  });

  it('lets the transfer start, watch and stop load executions, and nothing else of Step Functions', async () => {
    const stack = await buildStack(root, await devSettings());
    const template = templateOf(stack);
    const transfer = template.Resources?.TransferStateMachine?.Properties;
    expect(transfer?.DefinitionSubstitutions).toMatchObject({
      LoadStateMachineArn: {
        'Fn::Sub':
          'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:redshift-transfer-dev-load',
      },
    });
    const grants = roleGrants(template.Resources?.TransferStateMachineRole as TemplateResource);
    const on = (action: string) =>
      grants.filter((g) => g.actions.includes(action)).flatMap((g) => g.resources);
    const sub = (rest: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:${rest}` });
    expect(on('states:StartExecution')).toEqual([
      sub('states:${AWS::Region}:${AWS::AccountId}:stateMachine:redshift-transfer-dev-load'),
    ]);
    for (const action of ['states:DescribeExecution', 'states:StopExecution']) {
      expect(on(action)).toEqual([
        sub('states:${AWS::Region}:${AWS::AccountId}:execution:redshift-transfer-dev-load:*'),
      ]);
    }
    for (const action of ['events:PutTargets', 'events:PutRule', 'events:DescribeRule']) {
      expect(on(action)).toEqual([
        sub(
          'events:${AWS::Region}:${AWS::AccountId}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule',
        ),
      ]);
    }
  });

  it('has valid ASL files and up-to-date diagrams (npm run package:diagrams)', async () => {
    expect(validateAslFiles(await discoverStateMachines(root))).toEqual([]);
    expect(await staleDiagrams(root)).toEqual([]);
  });

  it('docs/deploy.md: every sample console input is a valid execution input', async () => {
    const text = await readFile(path.join(root, 'docs/deploy.md'), 'utf8');
    const samples = [...text.matchAll(/```json\n([\s\S]*?)```/g)].map(
      (m) => JSON.parse(m[1] ?? '') as { job: unknown },
    );
    expect(samples.length).toBeGreaterThanOrEqual(2);
    for (const sample of samples) {
      expect(Object.keys(sample).every((k) => ['job', 'runId', 'runDate'].includes(k))).toBe(true);
      expect(() => parseJob(sample.job, 'docs/deploy.md sample')).not.toThrow();
    }
  });
});
