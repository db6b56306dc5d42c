import { PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatSummary } from '../../cli/summary.ts';
import { type JobRunResult, loadJobDocument, runJobDocument } from '../helpers/loadJobDocument.ts';
import { LOAD_TEST_BUCKETS, useTestStateMachine } from '../helpers/testStateMachine.ts';

/**
 * The load report (issue 17, Deliver 5) from real executions on the local stack, through the
 * execution output and the CLI summary: objects loaded and skipped with the run that loaded each,
 * rows read, rejected with samples, inserted, updated and deleted, per-object counts, and a run
 * with nothing to do said in words.
 */
const t = useTestStateMachine({ kind: 'load', buckets: LOAD_TEST_BUCKETS, slices: 2 });

async function put(key: string, body: string) {
  await t.s3.client.send(new PutObjectCommand({ Bucket: 'rt-landing', Key: key, Body: body }));
}

/** The CLI's summary of a finished run (as `run` prints it), without its first and execution lines. */
function summary(r: JobRunResult): string[] {
  const at = new Date(0);
  return formatSummary(
    {
      executionArn: 'arn:aws:states:local:000000000000:execution:load:run',
      stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:load',
      status: r.status as 'SUCCEEDED',
      name: 'run',
      startDate: at,
      stopDate: at,
      output: JSON.stringify(r.output),
      $metadata: {},
    },
    [],
    { partsDone: 0, rows: 0, bytes: 0 },
  )
    .split('\n')
    .slice(1)
    .filter((line) => line !== '' && !line.startsWith('  execution '));
}

describe('the load report of real runs (local stack)', () => {
  beforeAll(async () => {
    await t.db.query('create table report_upsert (id int not null, amount int)');
    await t.db.query('insert into report_upsert values (1, 10), (2, 20)');
  });

  const upsert = () =>
    loadJobDocument('report-upsert', t.redshift.database, 'public.report_upsert', {
      mode: 'upsert',
      keys: ['id'],
      maxErrors: 5,
    });

  it('rows read, rejected with samples, inserted and updated, per object; then skipped objects name the run that loaded them; then nothing to do', async () => {
    await put('report-upsert/a.csv', 'id,amount\n2,21\n3,30\nx,40\n4,40\n');
    const first = await runJobDocument(t.runner, t.sm, upsert());
    expect(first.error, first.cause).toBeUndefined();
    const r1 = first.output?.result as Record<string, unknown>;
    expect(r1).toMatchObject({
      objects: 1,
      rowsRead: 4,
      rejected: 1,
      records: 3,
      inserted: 2,
      updated: 1,
      deleted: 1,
      rowsBefore: 2,
      rowsAfter: 4,
      perObject: [{ uri: 's3://rt-landing/report-upsert/a.csv', records: 3, rejected: 1 }],
      rejectedSamples: [
        {
          uri: 's3://rt-landing/report-upsert/a.csv',
          line: 4,
          column: 'id',
          reason: '"x" is not an integer (integer)',
        },
      ],
    });
    expect(summary(first)).toEqual([
      '  table    public.report_upsert (upsert)',
      '  objects  1 loaded, 0 skipped (loaded by earlier runs)',
      '  rows     4 read, 1 rejected, 3 staged',
      '           2 inserted, 1 updated, 0 deleted',
      '  table rows 2 -> 4',
      '    s3://rt-landing/report-upsert/a.csv: 3 rows, 1 rejected',
      '    rejected s3://rt-landing/report-upsert/a.csv line 4 column "id": "x" is not an integer (integer)',
    ]);
    const firstRun = String(first.output?.runId);

    await put('report-upsert/b.csv', 'id,amount\n4,41\n5,50\n');
    const second = await runJobDocument(t.runner, t.sm, upsert());
    expect(second.error, second.cause).toBeUndefined();
    expect(second.output?.skipped).toEqual([
      { uri: 's3://rt-landing/report-upsert/a.csv', loadedBy: firstRun },
    ]);
    expect(summary(second)).toEqual([
      '  table    public.report_upsert (upsert)',
      '  objects  1 loaded, 1 skipped (loaded by earlier runs)',
      '  rows     2 read, 0 rejected, 2 staged',
      '           1 inserted, 1 updated, 0 deleted',
      '  table rows 4 -> 5',
      '    s3://rt-landing/report-upsert/b.csv: 2 rows',
      `    skipped s3://rt-landing/report-upsert/a.csv (loaded by run ${firstRun})`,
    ]);
    const secondRun = String(second.output?.runId);

    const third = await runJobDocument(t.runner, t.sm, upsert());
    expect(third.error, third.cause).toBeUndefined();
    expect(third.output?.result).toMatchObject({ nothingToDo: true });
    expect(summary(third)).toEqual([
      '  nothing to do: all 2 source object(s) were loaded by earlier runs; no rows changed',
      `    skipped s3://rt-landing/report-upsert/a.csv (loaded by run ${firstRun})`,
      `    skipped s3://rt-landing/report-upsert/b.csv (loaded by run ${secondRun})`,
    ]);
    expect(
      (await t.db.query({ text: 'select id, amount from report_upsert order by id', rowMode: 'array' })).rows,
    ).toEqual([
      [1, 10],
      [2, 21],
      [3, 30],
      [4, 41],
      [5, 50],
    ]);
  }, 240_000);

  it('replace says how many rows it deleted', async () => {
    await t.db.query('create table report_replace (id int, amount int)');
    await t.db.query('insert into report_replace values (1, 1), (2, 2), (3, 3)');
    await put('report-replace/a.csv', 'id,amount\n9,90\n');
    const r = await runJobDocument(
      t.runner,
      t.sm,
      loadJobDocument('report-replace', t.redshift.database, 'public.report_replace', { mode: 'replace' }),
    );
    expect(r.error, r.cause).toBeUndefined();
    expect(summary(r).slice(0, 5)).toEqual([
      '  table    public.report_replace (replace)',
      '  objects  1 loaded, 0 skipped (loaded by earlier runs)',
      '  rows     1 read, 0 rejected, 1 staged',
      '           1 inserted, 0 updated, 3 deleted',
      '  table rows 3 -> 1',
    ]);
  }, 120_000);
});
