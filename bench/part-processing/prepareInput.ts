import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { salesCsvChunks } from './salesCsv.ts';

export interface PartInput {
  /** gzip CSV with a header line, as UNLOAD ... CSV HEADER GZIP writes it. */
  file: string;
  /** Uncompressed CSV bytes. */
  csvBytes: number;
  gzipBytes: number;
  /** Data rows (the header line not included). */
  rows: number;
}

/** The gzip level of the generated input (gzip's default, what UNLOAD's GZIP output resembles). */
export const INPUT_GZIP_LEVEL = 6;
const GENERATOR_VERSION = 1;

/**
 * Generates (once; later runs reuse it) a deterministic sales CSV of about `csvBytes` into
 * `workDir`, gzip-compressed by the native gzip at level 6.
 */
export async function prepareInput(workDir: string, csvBytes: number): Promise<PartInput> {
  await mkdir(workDir, { recursive: true });
  const name = `sales-${Math.round(csvBytes / 1e6)}MB-v${GENERATOR_VERSION}`;
  const file = join(workDir, `${name}.csv.gz`);
  const meta = join(workDir, `${name}.json`);
  if (existsSync(file) && existsSync(meta)) return JSON.parse(await readFile(meta, 'utf8')) as PartInput;

  const partial = `${file}.partial`;
  const gzip = spawn('gzip', [`-${INPUT_GZIP_LEVEL}`, '-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const out = createWriteStream(partial);
  gzip.stdout.pipe(out);
  const exited = once(gzip, 'exit');
  const chunks = salesCsvChunks(csvBytes);
  let written = 0;
  let step = chunks.next();
  while (step.done !== true) {
    written += step.value.length;
    if (!gzip.stdin.write(step.value)) await once(gzip.stdin, 'drain');
    step = chunks.next();
  }
  const rows = step.value;
  gzip.stdin.end();
  const [code] = (await exited) as [number | null];
  if (code !== 0) throw new Error(`gzip exited with ${code} while generating ${file}`);
  if (!out.writableFinished) await once(out, 'finish');
  await rename(partial, file);
  const { size } = await stat(file);
  const input: PartInput = { file, csvBytes: written, gzipBytes: size, rows };
  await writeFile(meta, JSON.stringify(input));
  return input;
}

/** The same CSV as a bzip2 part (`bzip2 -9`, what UNLOAD ... BZIP2 writes), generated once; `gzipBytes` stays the gzip part's. */
export async function bzip2Input(input: PartInput): Promise<PartInput> {
  const file = input.file.replace(/\.csv\.gz$/, '.csv.bz2');
  if (!existsSync(file)) {
    const partial = `${file}.partial`;
    const child = spawn('bash', ['-o', 'pipefail', '-c', 'gzip -dc < "$IN" | bzip2 -9 -c > "$OUT"'], {
      env: { ...process.env, IN: input.file, OUT: partial },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`bzip2 exited with ${code} while generating ${file}`);
    await rename(partial, file);
  }
  return { ...input, file };
}
