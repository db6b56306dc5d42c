import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { LineageOptions } from './lineageOptions.ts';
import type { RunEvent } from './runEvent.ts';

/**
 * Sends one run event where the job's `lineage:` says: POSTed as JSON to `url`, and/or written
 * to `<s3><job>/<runId>/<eventType>.json` (a run-scoped key only this run writes). Throws on a
 * failure; the caller treats lineage as best effort (a run never fails over it).
 */
export async function emitLineage(
  options: LineageOptions,
  event: RunEvent,
  context: { s3: S3Client; runId: string; fetch?: typeof fetch },
): Promise<void> {
  const body = JSON.stringify(event);
  if (options.url !== undefined) {
    const res = await (context.fetch ?? fetch)(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`the lineage endpoint answered ${res.status} ${res.statusText}`);
  }
  if (options.s3 !== undefined) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(options.s3);
    const bucket = m?.[1] ?? '';
    const prefix = m?.[2] ?? '';
    const key = `${prefix}${prefix === '' || prefix.endsWith('/') ? '' : '/'}${event.job.name}/${context.runId}/${event.eventType}.json`;
    await context.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }),
    );
  }
}
