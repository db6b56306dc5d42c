import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { formatLoadReport, type LoadOutput } from '../../src/load/loadReport.ts';
import { loadJobDocument, runJobDocument } from '../helpers/loadJobDocument.ts';
import { LOAD_TEST_BUCKETS, useTestStateMachine } from '../helpers/testStateMachine.ts';

/** 0-byte objects under a source prefix: skipped, and said so in the report (issue 15). */

const t = useTestStateMachine({ kind: 'load', buckets: LOAD_TEST_BUCKETS, slices: 2 });

async function put(key: string, body: string) {
  await t.s3.client.send(new PutObjectCommand({ Bucket: 'rt-landing', Key: key, Body: body }));
}

function job(name: string, tableName: string) {
  return loadJobDocument(name, t.redshift.database, tableName);
}

function run(j: Record<string, unknown>) {
  return runJobDocument(t.runner, t.sm, j);
}

describe('empty objects under a prefix (local stack)', () => {
  it('loads the others and lists each empty object as skipped with its reason', async () => {
    await t.db.query('create table empties (id int, name varchar(10))');
    await put('empties/a.csv', 'id,name\n1,one\n2,two\n');
    await put('empties/b-marker.csv', '');
    await put('empties/c.csv', 'id,name\n3,three\n');
    const r = await run(job('empties', 'public.empties'));
    expect(r.error, r.cause).toBeUndefined();
    expect(
      (await t.db.query({ text: 'select id, name from empties order by id', rowMode: 'array' })).rows,
    ).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    const output = r.output as LoadOutput;
    expect(output.result?.objects).toBe(2);
    expect(output.skipped).toEqual([{ uri: 's3://rt-landing/empties/b-marker.csv', reason: 'empty object' }]);
    expect(output.skippedCount).toBe(1);
    const words = formatLoadReport(output);
    expect(words[1]).toBe('  objects  2 loaded, 0 skipped (loaded by earlier runs), 1 skipped (empty)');
    expect(words).toContain('    skipped s3://rt-landing/empties/b-marker.csv (empty object)');

    // Run again: everything with data was loaded; the empty object is still named, not counted as loaded.
    const again = await run(job('empties', 'public.empties'));
    expect(again.error, again.cause).toBeUndefined();
    const second = again.output as LoadOutput;
    expect(second.result?.nothingToDo).toBe(true);
    expect(formatLoadReport(second)).toEqual([
      '  nothing to do: all 2 source object(s) were loaded by earlier runs (and 1 empty); no rows changed',
      '    skipped s3://rt-landing/empties/b-marker.csv (empty object)',
      expect.stringMatching(/^ {4}skipped s3:\/\/rt-landing\/empties\/a\.csv \(loaded by run .+\)$/),
      expect.stringMatching(/^ {4}skipped s3:\/\/rt-landing\/empties\/c\.csv \(loaded by run .+\)$/),
    ]);
    expect((await t.db.query('select count(*)::int as n from empties')).rows[0]).toEqual({ n: 3 });
  }, 120_000);

  it('fails with NoSourceObjectsError naming the empty objects when the prefix holds nothing else', async () => {
    await t.db.query('create table only_empty (id int)');
    await put('only-empty/a.csv', '');
    const r = await run(job('only-empty', 'public.only_empty'));
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('NoSourceObjectsError');
    expect(r.cause).toContain('(1 empty object(s) of 0 bytes, e.g. s3://rt-landing/only-empty/a.csv)');
  }, 120_000);
});
