import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runs } from '../../cli/commands/runs.ts';
import { run as sql } from '../../cli/commands/sql.ts';
import { runningStackOf, stackFile } from '../../cli/runningStack.ts';
import { METRICS_FILE } from '../../local/stack.ts';
import { captureOutput } from '../helpers/captureOutput.ts';
import { exportJobDocument } from '../helpers/exportJobDocument.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

/**
 * `sql --local` and `runs --local` against a whole local stack, found the way the commands find
 * a running `local start`: through the endpoints file in its data directory.
 */

let t: TestStack;
let dataDir: string;

beforeAll(async () => {
  t = await startTestStack();
  dataDir = t.stack.dataDir;
  await writeFile(stackFile(dataDir), JSON.stringify(runningStackOf(t.stack)));
  const db = new pg.Client(t.databaseUrl);
  await db.connect();
  await db.query(
    'create table sales (salesid int primary key, eventname varchar(200), pricepaid numeric(8,2))',
  );
  await db.query(
    "insert into sales select i, case when i = 2 then null else 'event ' || i end, i + 0.5 from generate_series(1, 3) i",
  );
  await db.end();
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

const local = () => ['--local', '--data-dir', dataDir];

describe('sql --local', () => {
  it('prints an aligned table, the row count and the time', async () => {
    const { code, stdout, stderr } = await captureOutput(() =>
      sql([...local(), 'select salesid, eventname from sales order by salesid']),
    );
    expect(stderr).toMatch(/^Time: \d+\.\d{3} s \(1 statement\)\n$/);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'salesid | eventname',
        '--------+----------',
        '      1 | event 1',
        '      2 | NULL',
        '      3 | event 3',
        '(3 rows)',
        '',
      ].join('\n'),
    );
  });

  it('prints CSV and JSON Lines', async () => {
    const csv = await captureOutput(() =>
      sql([
        ...local(),
        '--format',
        'csv',
        'select salesid, eventname from sales where salesid <= 2 order by 1',
      ]),
    );
    expect(csv.stdout).toBe('salesid,eventname\n1,event 1\n2,\n');
    const json = await captureOutput(() =>
      sql([
        ...local(),
        '--format',
        'json',
        'select salesid, eventname from sales where salesid <= 2 order by 1',
      ]),
    );
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { salesid: 1, eventname: 'event 1' },
      { salesid: 2, eventname: null },
    ]);
  });

  it("shows Redshift's error with the position it points at, and exits 1", async () => {
    const { code, stdout, stderr } = await captureOutput(() =>
      sql([...local(), 'select salesid\nfrom sales wher salesid = 1']),
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('ERROR: syntax error at or near "salesid" Position: 32');
    expect(stderr).toContain('LINE 2: from sales wher salesid = 1\n                        ^\n');
    expect(stderr).toMatch(/Failed after: \d+\.\d{3} s/);
  });

  it('runs several statements as one transaction with --batch: a failure rolls all back', async () => {
    const failed = await captureOutput(() =>
      sql([
        ...local(),
        '--batch',
        "insert into sales values (10, 'ten', 1); insert into sales values (10, 'dup', 1)",
      ]),
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('duplicate key');
    const after = await captureOutput(() =>
      sql([...local(), '--format', 'csv', 'select count(*) as n from sales where salesid = 10']),
    );
    expect(after.stdout).toBe('n\n0\n');

    const ok = await captureOutput(() =>
      sql([
        ...local(),
        '--batch',
        "insert into sales values (11, 'eleven', 1); update sales set pricepaid = 2 where salesid = 11; select eventname, pricepaid from sales where salesid = 11",
      ]),
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(
      [
        'OK, 1 row affected',
        'OK, 1 row affected',
        'eventname | pricepaid',
        '----------+----------',
        'eleven    | 2.00',
        '(1 row)',
        '',
      ].join('\n'),
    );
    expect(ok.stderr).toMatch(/Time: .* \(3 statements\)/);
  });

  it('without --batch runs statements one by one and stops at the first error', async () => {
    const r = await captureOutput(() =>
      sql([
        ...local(),
        "insert into sales values (20, 'a', 1); select 1/0; insert into sales values (21, 'b', 1)",
      ]),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('OK, 1 row affected\n');
    expect(r.stderr).toContain('division by zero');
    const ids = await captureOutput(() =>
      sql([...local(), '--format', 'csv', 'select salesid from sales where salesid >= 20 order by 1']),
    );
    expect(ids.stdout).toBe('salesid\n20\n');
  });

  it('names the missing stack when none runs', async () => {
    await expect(sql(['--local', '--data-dir', `${dataDir}/nothing-here`, 'select 1'])).rejects.toThrow(
      /No running local stack found/,
    );
  });
});

describe('runs --local', () => {
  let succeeded: string;
  let failed: string;

  beforeAll(async () => {
    const good = exportJobDocument(
      'runs-good',
      t.database,
      'select salesid, pricepaid from sales where salesid <= 3 order by 1',
    );
    const ok = await t.run('export', { job: good }, 'runs-good-1');
    expect(ok.status).toBe('SUCCEEDED');
    succeeded = 'runs-good-1';
    const bad = exportJobDocument('runs-bad', t.database, 'select nosuchcolumn from sales');
    const ko = await t.run('export', { job: bad }, 'runs-bad-1');
    expect(ko.status).toBe('FAILED');
    failed = 'runs-bad-1';
  }, 120_000);

  it('lists executions newest first with status, rows, bytes, parts and the named error', async () => {
    const { code, stdout } = await captureOutput(() => runs(local()));
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^STATUS\s+START \(UTC\)\s+DURATION\s+KIND\s+JOB\s+ROWS\s+BYTES\s+PARTS\s+ERROR\s+EXECUTION$/,
    );
    const bad = lines.findIndex((l) => l.endsWith(failed));
    const good = lines.findIndex((l) => l.endsWith(succeeded));
    expect(bad).toBeGreaterThan(0);
    expect(good).toBeGreaterThan(bad);
    expect(lines[good]).toMatch(
      /^SUCCEEDED\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\S+\s+export\s+runs-good\s+3\s+\d+ B\s+\d+\s+runs-good-1$/,
    );
    expect(lines[bad]).toMatch(
      /^FAILED\s.*\sexport\s+runs-bad\s+-\s+-\s+-\s+StatementFailedError\s+runs-bad-1$/,
    );
  });

  it('filters by job', async () => {
    const { stdout } = await captureOutput(() => runs(['runs-good', ...local()]));
    expect(stdout).toContain(succeeded);
    expect(stdout).not.toContain(failed);
  });

  it('shows the stage timeline and the manifest of a run', async () => {
    const { code, stdout } = await captureOutput(() => runs(['show', succeeded, ...local()]));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^SUCCEEDED runs-good-1 in /);
    expect(stdout).toMatch(/\n {2}stages\n {4}\w+/);
    expect(stdout).toMatch(/\n {4}FinalizeExport +\d/);
    expect(stdout).toMatch(/\nmanifest s3:\/\/rt-exports\/runs-good\/.*_manifest\.json\n/);
    expect(stdout).toMatch(/\n {2}rows +3\n/);
    expect(stdout).toMatch(/\n {2}columns +salesid/);
  });

  it('shows why a run failed', async () => {
    const { stdout } = await captureOutput(() => runs(['show', failed, ...local()]));
    expect(stdout).toMatch(/^FAILED runs-bad-1/);
    expect(stdout).toContain('error    StatementFailedError');
    expect(stdout).toContain('nosuchcolumn');
  });

  it('the handlers emitted CloudWatch embedded metrics for both runs', async () => {
    const lines = (await readFile(join(dataDir, METRICS_FILE), 'utf8'))
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as Record<string, unknown> & {
            _aws: {
              CloudWatchMetrics: {
                Namespace: string;
                Dimensions: string[][];
                Metrics: { Name: string; Unit: string }[];
              }[];
            };
          },
      );
    const succeeded = lines.find((l) => l.job === 'runs-good' && 'RunsSucceeded' in l);
    expect(succeeded).toMatchObject({
      service: 'redshift-transfer',
      RunsSucceeded: 1,
      Rows: 3,
      Parts: expect.any(Number),
      Bytes: expect.any(Number),
    });
    expect(succeeded?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'RedshiftTransfer',
      Dimensions: [['service', 'job']],
      Metrics: expect.arrayContaining([
        { Name: 'Rows', Unit: 'Count' },
        { Name: 'Bytes', Unit: 'Bytes' },
        { Name: 'RunSeconds', Unit: 'Seconds' },
      ]),
    });
    expect(lines.find((l) => l.job === 'runs-bad' && 'RunsFailed' in l)).toMatchObject({
      RunsFailed: 1,
      errorName: 'StatementFailedError',
    });
    // The poll task knows the run, not the job: its error carries the runId as metadata.
    expect(lines.find((l) => 'TaskErrors' in l && l.task === 'pollStatement')).toMatchObject({
      task: 'pollStatement',
      errorName: 'StatementFailedError',
    });
    expect(lines.find((l) => 'StatementSeconds' in l)).toMatchObject({
      step: 'unload',
      StatementSeconds: expect.any(Number),
    });
  });
});
