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
    for (const [name, handler] of Object.entries(handlers)) {
      const zip = path.join(serverlessDir, `${name}.zip`);
      const dir = path.join(work, name);
      try {
        // Python's zipfile: python3 is there for cfn-lint already, unzip may not be.
        await run('python3', ['-m', 'zipfile', '-e', zip, dir]);
      } catch (error) {
        problems.push(`${name}.zip: cannot unzip (${(error as Error).message.split('\n')[0]})`);
        continue;
      }
      const [file, exported] = splitHandler(handler);
      const candidates = (await readdir(path.join(dir, path.dirname(file)))).filter((f) =>
        f.startsWith(`${path.basename(file)}.`),
      );
      const moduleFile = candidates.find((f) => /\.(mjs|cjs|js)$/.test(f));
      if (moduleFile === undefined) {
        problems.push(`${name}.zip: no module for handler ${handler}`);
        continue;
      }
      const url = new URL(`file://${path.join(dir, path.dirname(file), moduleFile)}`).href;
      const script = `const m = await import(${JSON.stringify(url)}); if (typeof m[${JSON.stringify(exported)}] !== 'function') { console.error('no exported function ${exported}'); process.exit(3); }`;
      try {
        await run(process.execPath, ['--input-type=module', '-e', script], {
          cwd: dir,
          env: { PATH: process.env.PATH ?? '' },
        });
      } catch (error) {
        const stderr = (error as { stderr?: string }).stderr ?? String(error);
        problems.push(
          `${name}.zip: import of ${moduleFile} failed:\n    ${stderr.trim().split('\n').slice(0, 6).join('\n    ')}`,
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
