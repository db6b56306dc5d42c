import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The arrows point one way: `functions/` -> `src/` -> AWS. The application (`cli/`) and the
 * emulators (`local/`) sit beside them and may use them, never the other way round, so that a
 * Lambda bundle never drags in an emulator and the domain never depends on the local stack.
 */

const root = resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|mts|js|mjs)$/.test(f))
    .map((f) => join(dir, f));
}

/** Every module specifier a file imports or re-exports, static or dynamic (and files it names by URL). */
function importsOf(text: string, { urls = true } = {}): string[] {
  const specifiers: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    ...(urls ? [/\bnew URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g] : []),
  ];
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) if (m[1]) specifiers.push(m[1]);
  return specifiers;
}

/** The top-level folder a relative specifier of `file` lands in (undefined for packages). */
function targetFolder(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('#')) return specifier.slice(1).split('/')[0];
  if (!specifier.startsWith('.')) return undefined;
  return relative(root, resolve(root, dirname(file), specifier)).split(/[\\/]/)[0];
}

describe('layers', () => {
  it('finds imports of every kind', () => {
    const text = [
      "import { a } from '../../local/x.ts';",
      "import type { B } from '../cli/y.ts';",
      "export { c } from './z.ts';",
      "import './polyfill.ts';",
      "const m = await import('../local/m.ts');",
    ].join('\n');
    expect(importsOf(text)).toEqual(
      expect.arrayContaining(['../../local/x.ts', '../cli/y.ts', './z.ts', './polyfill.ts', '../local/m.ts']),
    );
  });

  it.each(['src', 'functions'])('nothing under %s/ imports local/ or cli/', (dir) => {
    const files = sourceFiles(dir);
    expect(files.length).toBeGreaterThan(0);
    const wrong = files.flatMap((file) =>
      importsOf(readFileSync(join(root, file), 'utf8'))
        .filter((s) => ['local', 'cli'].includes(targetFolder(file, s) ?? ''))
        .map((s) => `${file} imports ${s}`),
    );
    expect(wrong).toEqual([]);
  });

  it('nothing under src/ imports functions/ (handlers are the outer layer)', () => {
    const wrong = sourceFiles('src').flatMap((file) =>
      importsOf(readFileSync(join(root, file), 'utf8'))
        .filter((s) => targetFolder(file, s) === 'functions')
        .map((s) => `${file} imports ${s}`),
    );
    expect(wrong).toEqual([]);
  });

  it('nothing under local/ imports functions/: the runner loads handlers by path, its reset comes as a callback', () => {
    const wrong = sourceFiles('local').flatMap((file) =>
      importsOf(readFileSync(join(root, file), 'utf8'), { urls: false })
        .filter((s) => targetFolder(file, s) === 'functions')
        .map((s) => `${file} imports ${s}`),
    );
    expect(wrong).toEqual([]);
  });

  it('nothing under src/manifest/ imports src/export/: export-only modules live under src/export/', () => {
    const wrong = sourceFiles('src/manifest').flatMap((file) =>
      importsOf(readFileSync(join(root, file), 'utf8'))
        .filter((s) => relative(root, resolve(root, dirname(file), s)).startsWith(join('src', 'export')))
        .map((s) => `${file} imports ${s}`),
    );
    expect(wrong).toEqual([]);
  });
});
