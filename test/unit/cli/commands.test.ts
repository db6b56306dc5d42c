import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseRunArgs } from '../../../cli/commands/run.ts';
import { run as validate } from '../../../cli/commands/validate.ts';
import { jobsDirOf, resolveJob } from '../../../cli/resolveJob.ts';
import { defaultExecutionName } from '../../../cli/runJob.ts';
import { captureOutput } from '../../helpers/captureOutput.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rt-cli-'));
  await writeFile(
    join(dir, 'bad-export.yml'),
    ['kind: export', 'name: bad-export', 'target:', '  database: dev', 'unload:', '  format: xml', ''].join(
      '\n',
    ),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('validate', () => {
  it('prints OK <kind> <name> for the example job, found by name in jobs/', async () => {
    const { code, stdout } = await captureOutput(() => validate(['nightly-sales-export']));
    expect(code).toBe(0);
    expect(stdout).toBe('OK export nightly-sales-export (jobs/nightly-sales-export.yml)\n');
  });

  it('prints every problem by path and exits 1', async () => {
    const { code, stderr } = await captureOutput(() => validate([join(dir, 'bad-export.yml')]));
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Invalid job file .*bad-export\.yml:\n/);
    for (const path of ['target', 'iamRole', 'unload.format', 'staging', 'destination']) {
      expect(stderr).toMatch(new RegExp(`\\n  - ${path.replace('.', '\\.')}`));
    }
  });

  it('--infer prints createTable columns from the first N records of a gzipped CSV sample', async () => {
    const job = join(dir, 'infer-load.yml');
    await writeFile(
      job,
      [
        'kind: load',
        'name: infer-load',
        'target: { clusterIdentifier: c, database: d, dbUser: u }',
        'iamRole: arn:aws:iam::123456789012:role/R',
        'table: public.sales',
        'source: { prefix: "s3://landing/sales/" }',
        'staging: s3://staging/loads/',
        'format: { type: csv, header: true }',
        '',
      ].join('\n'),
    );
    const sample = join(dir, 'sample.csv.gz');
    await writeFile(
      sample,
      gzipSync('id,amount,sold_on,note\n1,2.50,2024-05-01,"a, b"\n2,10,2024-05-02,\nx,y,z,w\n'),
    );
    const { code, stdout, stderr } = await captureOutput(() =>
      validate([job, '--jobs-dir', dir, '--infer', '--sample', sample, '--records', '2']),
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n').slice(1)).toEqual([
      `# inferred from the first 2 record(s) of ${sample}`,
      'createTable:',
      '  columns:',
      '    - { name: "id", type: smallint }',
      '    - { name: "amount", type: numeric(4,2) }',
      '    - { name: "sold_on", type: date }',
      '    - { name: "note", type: varchar(16) }',
      '',
    ]);
    const missing = await captureOutput(() => validate([job, '--jobs-dir', dir, '--infer']));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--infer needs a load job, --sample FILE');
  });

  it('names the places it looked when a job name does not exist', async () => {
    await expect(resolveJob('no-such-job', 'jobs')).rejects.toThrow(
      'No job named "no-such-job" in jobs/ (looked for no-such-job.yml, no-such-job.yaml, no-such-job.json)',
    );
  });
});

describe('the jobs folder of the CLI', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is --jobs-dir, else RT_JOBS_DIR (as in the Lambdas), else jobs', async () => {
    expect(jobsDirOf('given', { RT_JOBS_DIR: 'from-env' })).toBe('given');
    expect(jobsDirOf(undefined, { RT_JOBS_DIR: 'from-env' })).toBe('from-env');
    expect(jobsDirOf(undefined, {})).toBe('jobs');
    expect(() => jobsDirOf(undefined, { RT_JOBS_DIR: ' ' })).toThrow(/RT_JOBS_DIR/);

    // bad-export exists only in the temporary folder: validate finds it there through RT_JOBS_DIR.
    vi.stubEnv('RT_JOBS_DIR', dir);
    const { code, stderr } = await captureOutput(() => validate(['bad-export']));
    expect(code).toBe(1);
    expect(stderr).toContain(`Invalid job file ${join(dir, 'bad-export.yml')}`);
    expect(parseRunArgs(['nightly-sales-export', '--local'])).toMatchObject({ jobsDir: dir });
  });
});

describe('run arguments', () => {
  it('parses a local run', () => {
    expect(
      parseRunArgs(['nightly-sales-export', '--local', '--run-date', '2024-03-01', '--name', 'n1']),
    ).toEqual({
      ref: 'nightly-sales-export',
      local: true,
      stage: undefined,
      stateMachineArn: undefined,
      runDate: '2024-03-01',
      name: 'n1',
      region: undefined,
      waitScale: undefined,
      jobsDir: 'jobs',
    });
  });

  it('parses a redrive: the execution ARN alone', () => {
    const arn = 'arn:aws:states:eu-west-1:000000000000:execution:redshift-transfer-export:n1';
    expect(parseRunArgs(['--redrive', arn, '--local'])).toMatchObject({ redrive: arn, local: true, ref: '' });
    expect(() => parseRunArgs(['job', '--redrive', arn, '--local', '--name', 'n2'])).toThrow(
      '--redrive takes the execution ARN alone (it keeps its job, input and name); drop job, --name',
    );
    expect(() => parseRunArgs(['--redrive', 'n1', '--stage', 'prod'])).toThrow(
      '--redrive wants an execution ARN (arn:aws:states:<region>:<account>:execution:<machine>:<name>), got "n1"',
    );
    expect(() => parseRunArgs(['--redrive', arn])).toThrow('give either --local or --stage <stage>');
  });

  it.each([
    [['job'], 'give either --local or --stage <stage>'],
    [['job', '--local', '--stage', 'prod'], 'give either --local or --stage <stage>'],
    [['--local'], 'give exactly one job'],
    [['job', '--local', '--run-date', '1/3/2024'], '--run-date must look like 2024-03-01, got "1/3/2024"'],
    [['job', '--local', '--colour'], "Unknown option '--colour'"],
  ])('rejects %j', (argv, message) => {
    expect(() => parseRunArgs(argv)).toThrow(message);
  });

  it('names executions after the job and the time, within 80 characters', () => {
    expect(defaultExecutionName('nightly-sales-export', new Date('2024-03-01T02:00:05.123Z'))).toBe(
      'nightly-sales-export-20240301T020005Z',
    );
    expect(defaultExecutionName('x'.repeat(80), new Date(0))).toHaveLength(80);
  });
});
