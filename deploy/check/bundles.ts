import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Each packaged zip unpacks to a module that Node 22 (the Lambda runtime's major) can import and
 * that exports `handler`: catches ESM/CommonJS bundling mistakes (a `require` of a builtin, a
 * missing file) before deploy. Imports only: handlers create clients lazily, so nothing runs.
 */
export async function checkBundles(
  serverlessDir: string,
  handlers: Record<string, string>,
): Promise<string[]> {
  const problems: string[] = [];
  const work = await mkdtemp(path.join(tmpdir(), 'rt-bundles-'));
  try {
    // One python3 for every zip (python3 is there for cfn-lint already; unzip may not be).
    const names = Object.keys(handlers);
    const unzip = await run(
      'python3',
      [
        '-c',
        [
          'import json, sys, zipfile',
          'errors = {}',
          'for name, z, d in zip(sys.argv[1::3], sys.argv[2::3], sys.argv[3::3]):',
          '    try:',
          '        zipfile.ZipFile(z).extractall(d)',
          '    except Exception as e:',
          '        errors[name] = str(e)',
          'print(json.dumps(errors))',
        ].join('\n'),
        ...names.flatMap((n) => [n, path.join(serverlessDir, `${n}.zip`), path.join(work, n)]),
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const unzipErrors = JSON.parse(unzip.stdout) as Record<string, string>;
    const modules: { name: string; url: string; exported: string; moduleFile: string }[] = [];
    for (const [name, handler] of Object.entries(handlers)) {
      if (unzipErrors[name] !== undefined) {
        problems.push(`${name}.zip: cannot unzip (${unzipErrors[name]})`);
        continue;
      }
      const dir = path.join(work, name);
      const [file, exported] = splitHandler(handler);
      const candidates = await readdir(path.join(dir, path.dirname(file))).catch(() => [] as string[]);
      const moduleFile = candidates.find(
        (f) => f.startsWith(`${path.basename(file)}.`) && /\.(mjs|cjs|js)$/.test(f),
      );
      if (moduleFile === undefined) {
        problems.push(`${name}.zip: no module for handler ${handler}`);
        continue;
      }
      const url = new URL(`file://${path.join(dir, path.dirname(file), moduleFile)}`).href;
      modules.push({ name, url, exported, moduleFile });
    }
    // One Node process imports every bundle: ES modules do not share scope, so one cannot hide
    // another's failure, and the check costs one process start instead of one per function.
    const script = `
      const results = {};
      for (const { name, url, exported } of ${JSON.stringify(modules)}) {
        try {
          const m = await import(url);
          results[name] = typeof m[exported] === 'function' ? null : 'no exported function ' + exported;
        } catch (error) {
          results[name] = String(error && error.stack ? error.stack : error);
        }
      }
      process.stdout.write(JSON.stringify(results));`;
    const imported = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const results = JSON.parse(imported.stdout) as Record<string, string | null>;
    for (const { name, moduleFile } of modules) {
      const error = results[name];
      if (error !== null && error !== undefined) {
        problems.push(
          `${name}.zip: import of ${moduleFile} failed:\n    ${error.trim().split('\n').slice(0, 6).join('\n    ')}`,
        );
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return problems;
}

function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}
