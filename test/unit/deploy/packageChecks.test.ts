// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ASL placeholders are the subject here
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAslFiles } from '../../../deploy/check/aslFiles.ts';
import { checkBundles } from '../../../deploy/check/bundles.ts';
import { fixtureTree } from './fixtures.ts';

const run = promisify(execFile);

describe('validateAslFiles', () => {
  it('accepts a definition with placeholders and reports a state whose Next goes nowhere', () => {
    const good = {
      StartAt: 'A',
      States: { A: { Type: 'Task', Resource: '${AFunctionArn}', Next: 'B' }, B: { Type: 'Succeed' } },
    };
    const bad = {
      StartAt: 'A',
      States: { A: { Type: 'Task', Resource: '${AFunctionArn}', Next: 'Nowhere' } },
    };
    expect(
      validateAslFiles([{ kind: 'good', file: 'statemachines/good.asl.yml', definition: good }]),
    ).toEqual([]);
    const problems = validateAslFiles([{ kind: 'bad', file: 'statemachines/bad.asl.yml', definition: bad }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^statemachines\/bad\.asl\.yml:\n {4}.*Nowhere/);
  });
});

describe('checkBundles', () => {
  let tree: Awaited<ReturnType<typeof fixtureTree>>;

  beforeAll(async () => {
    tree = await fixtureTree({
      'ok/functions/ok.mjs': 'export const handler = async () => 1;\n',
      'broken/functions/broken.mjs':
        "import { nothing } from './missing.mjs';\nexport const handler = nothing;\n",
      'nohandler/functions/nohandler.mjs': 'export const other = 1;\n',
    });
    for (const name of ['ok', 'broken', 'nohandler']) {
      await run('python3', ['-m', 'zipfile', '-c', path.join(tree.root, `${name}.zip`), 'functions'], {
        cwd: path.join(tree.root, name),
      });
    }
  });
  afterAll(async () => {
    await tree.remove();
  });

  it('imports each zip on Node and names the ones that fail to load or export no handler', async () => {
    const problems = await checkBundles(tree.root, {
      ok: 'functions/ok.handler',
      broken: 'functions/broken.handler',
      nohandler: 'functions/nohandler.handler',
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^broken\.zip: import of broken\.mjs failed:[\s\S]*missing\.mjs/);
    expect(problems[1]).toMatch(
      /^nohandler\.zip: import of nohandler\.mjs failed:[\s\S]*no exported function handler/,
    );
  });
});
