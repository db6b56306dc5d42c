import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The venv that test/python/setup.sh fills with the real clients and file writers the tests drive. */
export const testPythonVenv = join(root, '.local', 'testenv');

export type PythonLookup = { ok: true; python: string } | { ok: false; reason: string };

/**
 * The test venv's python, if installed. CI installs it (.ci/run runs test/python/setup.sh), so
 * there a missing venv fails the run; elsewhere the caller says why it skips.
 */
export function testPythonFor(testFile: string): PythonLookup {
  const python = join(testPythonVenv, 'bin', 'python');
  if (existsSync(python)) return { ok: true, python };
  const reason = `${testFile}: no Python test venv at ${testPythonVenv} (run bash test/python/setup.sh)`;
  if (process.env.CI) throw new Error(reason);
  console.warn(`${reason}; skipped`);
  return { ok: false, reason };
}
