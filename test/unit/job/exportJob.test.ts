import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobValidationError } from '../../../src/errors.ts';
import { parseJob } from '../../../src/job/job.ts';
import { resolveJob } from '../../../src/job/resolveJob.ts';

const base = {
  kind: 'export',
  name: 'daily-sales',
  target: { clusterIdentifier: 'local', database: 'dev', dbUser: 'awsuser' },
  iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
  table: 'public.sales',
  staging: 's3://rt-staging/daily/{runId}/',
  destination: 's3://rt-exports/sales/{runDate}/',
};

function issuesOf(doc: unknown): string[] {
  try {
    parseJob(doc);
  } catch (error) {
    expect(error).toBeInstanceOf(JobValidationError);
    return [...(error as JobValidationError).issues];
  }
  throw new Error('expected the document to be rejected');
}

describe('Schema: export job', () => {
  it('applies defaults to a minimal document', () => {
    const job = parseJob(base);
    expect(job).toEqual({
      ...base,
      unload: {
        format: 'csv',
        compression: 'none',
        header: false,
        parallel: true,
        escape: false,
        addQuotes: false,
        overwrite: 'allowoverwrite',
      },
      process: { convert: 'none', checksum: 'sha256', verify: 'manifest', inlineMaxParts: 10 },
      keepStaging: false,
      onExisting: 'fail',
      timeouts: { statement: 3600, spark: 7200 },
    });
  });

  it('parses sizes and durations, and parsing is idempotent', () => {
    const job = parseJob({
      ...base,
      unload: { format: 'csv', compression: 'gzip', maxFileSize: '1 GB', partitionBy: ['saledate'] },
      timeouts: { statement: '15m' },
    });
    expect(job.kind === 'export' && job.unload.maxFileSize).toBe(1024);
    expect(job.kind === 'export' && job.unload.partitionBy).toEqual({
      columns: ['saledate'],
      include: false,
    });
    expect(job.timeouts.statement).toBe(900);
    expect(parseJob(JSON.parse(JSON.stringify(job)))).toEqual(job);
  });

  it('lists every problem by path, and rejects unknown keys', () => {
    const issues = issuesOf({
      ...base,
      query: 'select 1',
      iamRole: 'AKIAIOSFODNN7EXAMPLE',
      unload: { format: 'parquet', header: true, compression: 'gzip', maxFileSize: '256 KB', delimter: ',' },
      staging: 's3://rt-staging/{rundate}/',
      extra: 1,
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^iamRole: /),
        expect.stringMatching(/^unload\.maxFileSize: expected a size like "256 MB"/),
        expect.stringMatching(/^unload: Unrecognized key: "delimter"/),
        expect.stringMatching(/^staging: unknown placeholder/),
        expect.stringMatching(/Unrecognized key: "extra"/),
      ]),
    );
  });

  it('reports option combinations Redshift rejects, by path', () => {
    const issues = issuesOf({
      ...base,
      query: 'select * from sales limit 10',
      table: undefined,
      columns: ['a'],
      unload: { format: 'parquet', header: true, compression: 'gzip', delimiter: '|' },
      process: { convert: 'csv-to-jsonl', recompress: 'gzip' },
      destination: 's3://rt-staging/daily/',
    });
    expect(issues).toEqual([
      'columns: "columns" is only used with "table"',
      'query: UNLOAD rejects a LIMIT in the outer SELECT; wrap it: "select * from (select ... limit n)"',
      'unload.delimiter: cannot be used with format parquet',
      'unload.header: cannot be used with format parquet',
      'unload.compression: cannot be used with format parquet (Parquet compresses inside); use "none"',
      'process.convert: "csv-to-jsonl" needs unload.format csv',
      'process.recompress: parquet parts cannot be recompressed; remove it',
      'destination: staging and destination must not overlap (staging is emptied after each run)',
    ]);
  });

  it('checks process.compressionLevel against the output codec and refuses it when nothing is re-encoded', () => {
    const gzip = { format: 'csv', compression: 'gzip' };
    expect(issuesOf({ ...base, unload: gzip, process: { compressionLevel: 1 } })).toEqual([
      'process.compressionLevel: parts are copied as they are (no recompress or convert), so a level has no effect; remove it or set process.recompress',
    ]);
    expect(
      issuesOf({
        ...base,
        unload: { format: 'csv', compression: 'zstd' },
        process: { recompress: 'gzip', compressionLevel: 12 },
      }),
    ).toEqual(['process.compressionLevel: gzip levels go from 1 to 9']);
    expect(issuesOf({ ...base, unload: gzip, process: { recompress: 'none', compressionLevel: 3 } })).toEqual(
      ['process.compressionLevel: the output is not compressed with gzip or zstd (none); remove it'],
    );
    expect(
      issuesOf({ ...base, unload: gzip, process: { recompress: 'zstd', compressionLevel: 20 } }),
    ).toEqual(['process.compressionLevel: Too big: expected number to be <=19']);
    const fast = parseJob({
      ...base,
      unload: gzip,
      process: { convert: 'csv-to-jsonl', compressionLevel: 1 },
    });
    expect(fast.kind === 'export' && fast.process.compressionLevel).toBe(1);
    const zstd = parseJob({ ...base, unload: gzip, process: { recompress: 'zstd', compressionLevel: 19 } });
    expect(zstd.kind === 'export' && zstd.process.compressionLevel).toBe(19);
  });

  it('caps process.inlineMaxParts at 250 (the inline state must fit 256 KiB)', () => {
    expect(issuesOf({ ...base, process: { inlineMaxParts: 251 } })).toEqual([
      'process.inlineMaxParts: Too big: expected number to be <=250',
    ]);
  });

  it('needs exactly one of query or table', () => {
    expect(issuesOf({ ...base, query: 'select 1' })).toEqual([
      'query: give exactly one of "query" or "table"',
    ]);
    expect(issuesOf({ ...base, table: undefined })).toEqual([
      'query: give exactly one of "query" or "table"',
    ]);
  });

  it.each([
    ['5 MB', 5],
    ['6.2 GB', 6349],
    [256, 256],
  ])('accepts maxFileSize %j', (size, mb) => {
    const job = parseJob({ ...base, unload: { maxFileSize: size } });
    expect(job.kind === 'export' && job.unload.maxFileSize).toBe(mb);
  });

  it.each([['4 MB'], ['7 GB'], ['256'], ['1.5 MB']])('rejects maxFileSize %j', (size) => {
    expect(issuesOf({ ...base, unload: { maxFileSize: size } })[0]).toMatch(/^unload\.maxFileSize: /);
  });

  it('rejects bad partition columns and an unknown kind', () => {
    expect(issuesOf({ ...base, unload: { partitionBy: ['ok', 'bad"name'] } })).toEqual([
      expect.stringMatching(/^unload\.partitionBy\.columns\[1\]: Invalid column name/),
    ]);
    expect(issuesOf({ ...base, kind: 'exprot' })).toEqual([
      'kind: expected "kind" to be one of: export, load, transfer',
    ]);
  });
});

describe('Job files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rt-jobs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the shipped nightly-sales-export job by name', async () => {
    const { job } = await resolveJob({ jobName: 'nightly-sales-export' });
    expect(job.kind).toBe('export');
    expect(job.kind === 'export' && job.unload).toMatchObject({
      format: 'csv',
      compression: 'gzip',
      header: true,
    });
  });

  it('names the line of a YAML syntax error', async () => {
    const path = join(dir, 'x.yml');
    await writeFile(path, 'kind: export\nname: [unclosed\n');
    await expect(resolveJob({ file: path })).rejects.toThrowError(
      /Cannot read job file .*x\.yml:\n {2}- line \d+, column \d+: /,
    );
  });

  it('requires the file name to match the job name, and reports a missing job', async () => {
    const path = join(dir, 'other-name.json');
    await writeFile(path, JSON.stringify(base));
    await expect(resolveJob({ file: path })).rejects.toThrowError(
      /name: "daily-sales" must match the file name "other-name"/,
    );
    await expect(resolveJob({ jobName: 'nope' }, undefined, { jobsDir: dir })).rejects.toThrowError(
      /No job named "nope"/,
    );
  });
});
