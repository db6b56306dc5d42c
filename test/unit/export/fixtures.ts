import { gzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { StatementState } from '../../../src/dataapi/pollStatement.ts';
import type { ExportRun } from '../../../src/export/exportRun.ts';
import { planExport } from '../../../src/export/planExport.ts';

/** What the export handlers' tests share: S3 helpers and a run staged as UNLOAD would leave it. */

export const BUCKETS = ['rt-staging', 'rt-exports', 'rt-state'] as const;

export async function createBuckets(s3: S3Client): Promise<void> {
  for (const Bucket of BUCKETS) await s3.send(new CreateBucketCommand({ Bucket }));
}

export async function keys(s3: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const all: string[] = [];
  let token: string | undefined;
  do {
    const out = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of out.Contents ?? []) all.push(o.Key ?? '');
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token !== undefined);
  return all.sort();
}

export async function put(s3: S3Client, bucket: string, key: string, body: string | Buffer): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** An export job document (CSV, gzip, header) whose staging/destination use `name`. */
export function exportJob(name: string, overrides: Record<string, unknown> = {}) {
  return {
    kind: 'export',
    name,
    target: { clusterIdentifier: 'local', database: 'dev', dbUser: 'awsuser' },
    iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
    query: 'select id, label from items',
    unload: { format: 'csv', compression: 'gzip', header: true },
    staging: `s3://rt-staging/${name}/{runId}/`,
    destination: `s3://rt-exports/${name}/{runDate}/`,
    ...overrides,
  };
}

export const PLANNED_AT = Date.UTC(2024, 5, 1, 2, 0, 0);

export async function planRun(name: string, overrides: Record<string, unknown> = {}): Promise<ExportRun> {
  return planExport({
    input: { job: exportJob(name, overrides), runId: `${name}-run`, runDate: '2024-06-01' },
    now: PLANNED_AT,
  });
}

export function finishedStatement(resultRows: number | null): StatementState {
  return {
    id: '11111111-2222-3333-4444-555555555555',
    startedAt: PLANNED_AT + 1000,
    deadline: PLANNED_AT + 3_600_000,
    attempt: 3,
    status: 'FINISHED',
    done: true,
    nextWaitSeconds: 0,
    resultRows,
    step: 'unload',
  };
}

/** The CSV body of a part holding rows `ids` (with the header line). */
export function csvPart(ids: number[]): string {
  return `id,label\n${ids.map((i) => `${i},item ${i}\n`).join('')}`;
}

/**
 * Writes CSV parts with a header (one per entry of `partIds`; gzip unless the job says none) and a MANIFEST VERBOSE under the run's
 * staging prefix, as UNLOAD does (`0000_part_00.gz`...; record_count includes the header line).
 */
export async function stageUnload(s3: S3Client, run: ExportRun, partIds: number[][]): Promise<void> {
  const staging = run.staging.replace('s3://rt-staging/', '');
  const entries = [];
  for (const [slice, ids] of partIds.entries()) {
    const gzip = run.job.unload.compression === 'gzip';
    const key = `${staging}${String(slice).padStart(4, '0')}_part_00${gzip ? '.gz' : ''}`;
    const body = gzip ? gzipSync(csvPart(ids)) : Buffer.from(csvPart(ids));
    await put(s3, 'rt-staging', key, body);
    entries.push({
      url: `s3://rt-staging/${key}`,
      meta: { content_length: body.length, record_count: ids.length + 1 },
    });
  }
  const manifest = {
    entries,
    schema: {
      elements: [
        { name: 'id', type: { base: 'integer' } },
        { name: 'label', type: { base: 'character varying', length: 50 } },
      ],
    },
    meta: {
      content_length: entries.reduce((n, e) => n + e.meta.content_length, 0),
      record_count: entries.reduce((n, e) => n + e.meta.record_count, 0),
    },
    author: { name: 'Amazon Redshift', version: '1.0.0' },
  };
  await put(s3, 'rt-staging', `${staging}manifest`, JSON.stringify(manifest));
}
