import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ExportRun, PartResult } from '../../../src/export/exportRun.ts';
import {
  INLINE_STATE_BUDGET_BYTES,
  inlineStateBytes,
  STATE_PAYLOAD_LIMIT_BYTES,
} from '../../../src/export/inlinePayload.ts';
import { planParts } from '../../../src/export/planParts.ts';
import { processPart } from '../../../src/export/processParts.ts';
import { INLINE_MAX_PARTS_CAP } from '../../../src/job/exportJob.ts';
import { startTestS3, type TestS3 } from '../../helpers/testS3.ts';
import { createBuckets, csvPart, finishedStatement, planRun, put } from './fixtures.ts';

let s3: TestS3;

beforeAll(async () => {
  s3 = await startTestS3();
  await createBuckets(s3.client);
});

afterAll(async () => {
  await s3?.stop();
});

/** The inline ProcessPart task's ResultSelector, as written in the state machine. */
async function inlineResultSelector(): Promise<Record<string, string>> {
  const asl = parse(await readFile('statemachines/export.asl.yml', 'utf8'));
  return asl.States.ProcessPartsInline.ItemProcessor.States.ProcessPart.ResultSelector;
}

/** Applies a ResultSelector whose paths are all `$.parts[0].<field>` (what the ASL uses). */
function select(selector: Record<string, string>, output: { parts: PartResult[] }) {
  return Object.fromEntries(
    Object.entries(selector).map(([key, path]) => {
      const field = /^\$\.parts\[0\]\.(\w+)$/.exec(path)?.[1];
      if (!key.endsWith('.$') || field === undefined) throw new Error(`unexpected selector ${key}: ${path}`);
      return [key.slice(0, -2), output.parts[0]?.[field as keyof PartResult]];
    }),
  );
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * A large but ordinary job: a 63-character name, a 16 KiB query full of quotes and line breaks
 * (JSON escapes them), Hive partition folders and long prefixes, so part URLs are ~230 characters.
 */
async function largeRun(name: string, queryChars: number): Promise<ExportRun> {
  const line = "select 'a \"quoted\" value' as c, x.* from sales x where region <> 'n/a'\n";
  return planRun(name.padEnd(63, 'x'), {
    query: line.repeat(Math.ceil(queryChars / line.length)).slice(0, queryChars),
    staging: `s3://rt-staging/exports/${'long-prefix-'.repeat(4)}{jobName}/{runId}/`,
    destination: `s3://rt-exports/published/${'long-prefix-'.repeat(4)}{jobName}/{runDate}/`,
    process: { inlineMaxParts: INLINE_MAX_PARTS_CAP },
  });
}

/** An UNLOAD manifest of `count` partitioned parts; only part 0 exists (the one processed for real). */
async function stageManifest(run: ExportRun, count: number): Promise<void> {
  const prefix = run.staging.replace('s3://rt-staging/', '');
  const body = gzipSync(csvPart([1, 2, 3]));
  const key = (i: number) =>
    `${prefix}saledate=2026-11-${String((i % 28) + 1).padStart(2, '0')}/region=north-america-east/${String(i).padStart(4, '0')}_part_00.gz`;
  await put(s3.client, 'rt-staging', key(0), body);
  const entries = Array.from({ length: count }, (_, i) => ({
    url: `s3://rt-staging/${key(i)}`,
    meta: { content_length: body.length, record_count: 4 },
  }));
  const manifest = {
    entries,
    schema: {
      elements: [
        { name: 'id', type: { base: 'integer' } },
        { name: 'label', type: { base: 'varchar' } },
      ],
    },
    meta: { content_length: count * body.length, record_count: count * 4 },
  };
  await put(s3.client, 'rt-staging', `${prefix}manifest`, JSON.stringify(manifest));
}

describe('Inline Map payload', () => {
  it(`keeps the largest inline state under 256 KiB at the cap (${INLINE_MAX_PARTS_CAP} parts)`, async () => {
    const run = await largeRun('inline-cap', 16 * 1024);
    await stageManifest(run, INLINE_MAX_PARTS_CAP);
    const statement = finishedStatement(INLINE_MAX_PARTS_CAP * 3);
    const plan = await planParts(s3.client, { ...run, statement }, 'rt-state');
    expect(plan.mode).toBe('inline');
    expect(plan.parts?.[0]?.url.length).toBeGreaterThan(200);

    // A real processParts output, reduced by the ASL's own ResultSelector, every number then
    // raised to its largest value: the worst digest each of the parts can return.
    const first = plan.parts?.[0];
    if (first === undefined) throw new Error('no part planned');
    const ctx = {
      runId: run.runId,
      job: run.job,
      staging: run.staging,
      destination: run.destination,
      schema: plan.schema,
    };
    const output = { parts: [await processPart(s3.client, ctx, first)] };
    const digest = select(await inlineResultSelector(), output);
    expect(Object.keys(digest).sort()).toEqual([
      'bytesOut',
      'checksum',
      'i',
      'lambdaBytes',
      'records',
      'rows',
      'verified',
    ]);
    expect(bytes(digest)).toBeLessThan(bytes(output) / 2);
    const huge = Number.MAX_SAFE_INTEGER;
    const processed = (plan.parts ?? []).map((p) => ({
      ...digest,
      i: p.index,
      records: huge,
      rows: huge,
      bytesOut: huge,
      lambdaBytes: huge,
    }));

    // The state after the Map (PlanExport's run context + statement + plan + results) and the
    // FinalizeExport input built from it by the ASL's Parameters.
    const state = { ...run, statement, parts: plan, processed };
    const finalizeInput = {
      runId: run.runId,
      run: { ...run },
      statement,
      plan,
      processed,
    };
    const largest = Math.max(bytes(state), bytes(finalizeInput));
    expect(largest).toBeLessThanOrEqual(inlineStateBytes(run.job, plan));
    expect(inlineStateBytes(run.job, plan)).toBeLessThanOrEqual(INLINE_STATE_BUDGET_BYTES);
    expect(largest).toBeLessThan(STATE_PAYLOAD_LIMIT_BYTES * 0.6);
    // Each iteration's input (ItemSelector) is the run context, the schema and one part.
    const iteration = {
      runId: run.runId,
      job: run.job,
      staging: run.staging,
      destination: run.destination,
      schema: plan.schema,
      part: first,
    };
    expect(bytes(iteration)).toBeLessThan(bytes(run.job) + 2048);
    console.log(
      `inline payload at ${INLINE_MAX_PARTS_CAP} parts: job ${bytes(run.job)} B, plan ${bytes(plan)} B, results ${bytes(processed)} B (full outputs ${bytes(output) * INLINE_MAX_PARTS_CAP} B), largest ${largest} B, estimate ${inlineStateBytes(run.job, plan)} B`,
    );
  });

  it('falls back to the Distributed Map when a huge job would make the inline state pass its budget', async () => {
    const run = await largeRun('inline-budget', 60_000);
    // 250 parts are within inlineMaxParts, but with a 60,000-character query they would not fit.
    await stageManifest(run, INLINE_MAX_PARTS_CAP);
    const statement = finishedStatement(INLINE_MAX_PARTS_CAP * 3);
    const plan = await planParts(s3.client, { ...run, statement }, 'rt-state');
    expect(plan).toMatchObject({ mode: 'distributed', count: INLINE_MAX_PARTS_CAP });
    expect(plan.parts).toBeUndefined();
    // Without a state bucket the error says why the Distributed Map was needed.
    await expect(planParts(s3.client, { ...run, statement }, undefined)).rejects.toThrow(
      /^250 parts need a Distributed Map \(listing them inline would make a state of up to \d+ bytes \(budget 196608: the job and the part URLs are large\)\)/,
    );
  });
});
