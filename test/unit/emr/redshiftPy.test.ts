import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const sparkDir = fileURLToPath(new URL('../../../spark/', import.meta.url));
const venvPython = `${sparkDir}.venv/bin/python`;

// So that `npm test` alone also covers redshift.py's argument handling and source selection
// (these pytest tests need no PySpark; .ci/run also runs the whole pytest suite, local Spark included).
describe('spark/redshift.py (pytest)', () => {
  it('passes its argument-handling and source-selection tests', () => {
    const python = existsSync(venvPython) ? venvPython : 'python3';
    const run = spawnSync(
      python,
      ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_redshift_args.py'],
      {
        cwd: sparkDir,
        encoding: 'utf8',
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      },
    );
    const output = `${run.stdout}${run.stderr}`;
    if (/No module named pytest/.test(output)) {
      throw new Error(`pytest is not installed for ${python}: run \`bash spark/setup.sh\`\n${output}`);
    }
    expect(run.status, output).toBe(0);
    expect(output).toMatch(/\b\d+ passed\b/);
    expect(output).not.toMatch(/\bfailed\b/);
  });
});
