/**
 * `npm run validate:package`: checks what `npm run package` built, offline.
 *
 *   1. asl-validator on every statemachines/*.asl.yml
 *   2. the template's references (Ref, GetAtt, Sub, conditions) all resolve
 *   3. every ${Placeholder} of every state machine is substituted
 *   4. IAM: each role grants exactly what its function's code / its definition uses
 *   5. cfn-lint (AWS's, from PyPI) on the template
 *   6. every zip imports on Node 22 and exports its handler
 *   7. docs/statemachines/*.md match the ASL
 *
 * Options: --template <file> (default .serverless/cloudformation-template-update-stack.json),
 * --skip-bundles, --skip-cfn-lint. Exit code 1 when anything fails.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { validateAslFiles } from './check/aslFiles.ts';
import { checkBundles } from './check/bundles.ts';
import { checkIamCoverage } from './check/iamCoverage.ts';
import { checkReferences } from './check/references.ts';
import { checkSubstitutions } from './check/substitutions.ts';
import type { Template } from './check/template.ts';
import { staleDiagrams } from './diagrams/writeDiagrams.ts';
import { type AwsCallAnalysis, analyzeAwsCalls } from './iam/awsCalls.ts';
import { discoverStateMachines } from './stack/discover.ts';

const run = promisify(execFile);

/**
 * cfn-lint's W3005 flags the DependsOn osls itself adds from each function to its custom role
 * (redundant with the GetAtt, harmless); everything else fails the build.
 */
const CFN_LINT_IGNORED = ['W3005'];

/** cfn-lint from PATH, else from the venv .ci/run makes (`.local/cfn-lint`). */
export async function runCfnLint(templateFile: string, rootDir: string): Promise<string[]> {
  const args = ['--ignore-checks', ...CFN_LINT_IGNORED, '--', templateFile];
  for (const bin of ['cfn-lint', path.join(rootDir, '.local/cfn-lint/bin/cfn-lint')]) {
    try {
      await run(bin, args, { maxBuffer: 16 * 1024 * 1024 });
      return [];
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
      if (e.code === 'ENOENT') continue;
      return [`${(e.stdout ?? '').trim()}${e.stderr ? `\n${e.stderr.trim()}` : ''}`];
    }
  }
  return [
    'cfn-lint is not installed: pip install cfn-lint, or python3 -m venv .local/cfn-lint && .local/cfn-lint/bin/pip install cfn-lint (AWS CloudFormation Linter from PyPI; the npm package named cfn-lint is unrelated)',
  ];
}

async function main(): Promise<number> {
  const rootDir = path.resolve(import.meta.dirname, '..');
  const { values } = parseArgs({
    options: {
      template: {
        type: 'string',
        default: path.join(rootDir, '.serverless/cloudformation-template-update-stack.json'),
      },
      'skip-bundles': { type: 'boolean', default: false },
      'skip-cfn-lint': { type: 'boolean', default: false },
    },
  });
  const templateFile = path.resolve(values.template);
  let failed = false;
  const step = async (name: string, check: () => Promise<string[]>) => {
    const started = performance.now();
    let problems: string[];
    try {
      problems = await check();
    } catch (error) {
      problems = [(error as Error).message];
    }
    const ms = Math.round(performance.now() - started);
    if (problems.length === 0) {
      console.log(`✓ ${name} (${ms} ms)`);
    } else {
      failed = true;
      console.log(`✗ ${name} (${ms} ms)\n  - ${problems.join('\n  - ')}`);
    }
  };

  await step('ASL files (asl-validator)', async () => validateAslFiles(await discoverStateMachines(rootDir)));

  let template: Template;
  try {
    template = JSON.parse(await readFile(templateFile, 'utf8')) as Template;
  } catch (error) {
    console.log(
      `✗ cannot read ${path.relative(rootDir, templateFile)}: ${(error as Error).message}\n  run \`npm run package\` first`,
    );
    return 1;
  }
  await step('template references resolve', async () => checkReferences(template));
  await step('state machine placeholders substituted', async () => checkSubstitutions(template));

  const handlers: Record<string, string> = {};
  for (const [logicalId, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const handler = String(r.Properties?.Handler ?? '');
    const name = /^functions\/([A-Za-z0-9]+)\.handler$/.exec(handler)?.[1] ?? logicalId;
    handlers[name] = handler;
  }
  await step('IAM grants = AWS calls in the code', async () => {
    const analyses = new Map<string, AwsCallAnalysis>();
    await Promise.all(
      Object.keys(handlers).map(async (name) => {
        analyses.set(name, await analyzeAwsCalls(rootDir, `functions/${name}.ts`));
      }),
    );
    return checkIamCoverage(template, analyses);
  });
  if (!values['skip-cfn-lint']) await step('cfn-lint', () => runCfnLint(templateFile, rootDir));
  if (!values['skip-bundles']) {
    await step('bundles import on Node 22', () => checkBundles(path.dirname(templateFile), handlers));
  }
  await step('docs/statemachines up to date', async () =>
    (await staleDiagrams(rootDir)).map((f) => `${f} is stale: run npm run package:diagrams`),
  );
  return failed ? 1 : 0;
}

process.exitCode = await main();
