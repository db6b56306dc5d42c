import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES } from '../../../bench/part-processing/cases.ts';
import { prepareJsonl } from '../../../bench/part-processing/jsonlReference.ts';
import { type PartInput, prepareInput } from '../../../bench/part-processing/prepareInput.ts';
import { SALES_SCHEMA } from '../../../bench/part-processing/salesCsv.ts';
import { testPythonFor } from '../../helpers/pythonEnv.ts';

const python = testPythonFor('jsonlReference.test.ts');

/**
 * An independent converter: Python's csv module reads the gzip part, json.dumps writes each row
 * (integers as numbers, every other type as its text), compact like JSON.stringify.
 */
const PYTHON_CONVERTER = `
import csv, gzip, json, sys
schema = json.loads(sys.argv[2])
ints = {'integer', 'smallint', 'bigint'}
out = sys.stdout.buffer
with gzip.open(sys.argv[1], 'rt', encoding='utf-8', newline='') as f:
    rows = csv.reader(f)
    header = next(rows)
    assert header == [c['name'] for c in schema], header
    for row in rows:
        obj = {c['name']: (int(v) if c['type'] in ints else v) for c, v in zip(schema, row)}
        out.write((json.dumps(obj, separators=(',', ':'), ensure_ascii=False) + '\\n').encode('utf-8'))
`;

describe.skipIf(!python.ok)('Function: prepareJsonl (the csv-to-jsonl reference bytes)', () => {
  let dir: string;
  let input: PartInput;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rt-jsonl-ref-'));
    // ~3,000 sales rows, quoted event names ("The ""Lion"" King", "Grease, the Musical") included.
    input = await prepareInput(dir, 300_000);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes the same JSON lines as Python's csv + json from the same gzip part, once", async () => {
    // Act
    const file = await prepareJsonl(input, CASES['csv-to-jsonl'].options);
    const ours = await readFile(file);
    const independent = execFileSync(
      (python as { python: string }).python,
      ['-c', PYTHON_CONVERTER, input.file, JSON.stringify(SALES_SCHEMA)],
      { maxBuffer: 64 * 1024 * 1024 },
    );

    // Assess
    expect(ours.toString().split('\n')).toHaveLength(input.rows + 1);
    expect(ours.toString()).toContain('"eventname":"The \\"Lion\\" King"');
    expect(ours.equals(independent)).toBe(true);
    const { mtimeMs } = await stat(file);
    expect(await prepareJsonl(input, CASES['csv-to-jsonl'].options)).toBe(file);
    expect((await stat(file)).mtimeMs).toBe(mtimeMs);
  });
});
