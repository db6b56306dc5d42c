import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

/** Every file under `dir` whose name passes `keep`, skipping dependencies and local state. */
function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === '.git' || name === '.local' || name === '.venv') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, keep));
    else if (keep(name)) out.push(path);
  }
  return out;
}

/**
 * `npx <name>` without `--no-install` downloads and runs the registry's package of that name when
 * npx does not resolve a local bin: anyone could publish one. Each hit is `file:line: text`.
 */
export function bareNpxCalls(text: string, file: string): string[] {
  const hits: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (/\bnpx\s+(?!--no-install\b)[@\w]/.test(line)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
  });
  return hits;
}

const scan = (files: string[]) =>
  files.flatMap((f) => bareNpxCalls(readFileSync(f, 'utf8'), relative(root, f)));

describe('the documented CLI never reaches the public registry', () => {
  it('README.md and docs/**.md call npx only with --no-install', () => {
    const docs = [join(root, 'README.md'), ...filesUnder(join(root, 'docs'), (n) => n.endsWith('.md'))];
    expect(docs.length).toBeGreaterThan(5);
    expect(scan(docs)).toEqual([]);
  });

  it('nor do job comments, messages in code or tests', () => {
    const code = ['jobs', 'cli', 'src', 'local', 'functions', 'bench', 'bin', 'test', 'deploy'].flatMap((d) =>
      filesUnder(join(root, d), (n) => /\.(ts|mjs|cjs|js|ya?ml|md|sh)$/.test(n)),
    );
    const self = join(import.meta.dirname, 'noBareNpx.test.ts');
    expect(scan(code.filter((f) => f !== self))).toEqual([]);
  });

  it('the scanner finds a bare call and accepts the guarded form and prose', () => {
    expect(bareNpxCalls('run `npx redshift-transfer local start`', 'x.md')).toEqual([
      'x.md:1: run `npx redshift-transfer local start`',
    ]);
    expect(bareNpxCalls('ok\n  npx   tsx bench/a.ts', 'y.md')).toEqual(['y.md:2: npx   tsx bench/a.ts']);
    expect(bareNpxCalls('npx --no-install redshift-transfer run j --local', 'z.md')).toEqual([]);
    expect(bareNpxCalls('every `npm run`/`npx` command', 'z.md')).toEqual([]);
  });
});
