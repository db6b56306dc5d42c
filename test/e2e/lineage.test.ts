import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineageRunId } from '../../src/lineage/runEvent.ts';
import { exportJobDocument } from '../helpers/exportJobDocument.ts';
import { getObjectBytes, listKeys } from '../helpers/s3Objects.ts';
import { startTestStack, type TestStack } from '../helpers/testStack.ts';

/**
 * OpenLineage run events from real runs on the local stack: to an HTTP endpoint (a loopback
 * server this test starts and stops) and to an S3 prefix.
 */

interface Received {
  eventType: string;
  run: { runId: string; facets: Record<string, { message?: string }> };
  job: { namespace: string; name: string; facets?: { sql?: { query: string } } };
  inputs: { namespace: string; name: string }[];
  outputs: {
    namespace: string;
    name: string;
    outputFacets?: { outputStatistics?: { rowCount?: number; size?: number } };
  }[];
  schemaURL: string;
}

let t: TestStack;
let server: Server;
let url: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received);
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/lineage`;
  t = await startTestStack();
  const db = new pg.Client(t.databaseUrl);
  await db.connect();
  await db.query('create table sales (salesid int, pricepaid numeric(8,2))');
  await db.query('insert into sales select i, i from generate_series(1, 5) i');
  await db.query('create table items (id int, name varchar(20))');
  await db.end();
}, 120_000);

afterAll(async () => {
  await t?.stop();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

const events = (job: string) => received.filter((e) => e.job.name === job);

describe('OpenLineage', () => {
  it('an export sends START then COMPLETE with the table in and the destination out, with row count and size', async () => {
    const job = exportJobDocument('lineage-export', t.database, 'x', {
      query: undefined,
      table: 'public.sales',
      lineage: { url },
    });
    const result = await t.run('export', { job });
    expect(result.status).toBe('SUCCEEDED');
    const sent = events('lineage-export');
    expect(sent.map((e) => e.eventType)).toEqual(['START', 'COMPLETE']);
    const [start, complete] = sent;
    expect(start?.run.runId).toBe(complete?.run.runId);
    expect(start?.run.runId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(complete).toMatchObject({
      schemaURL: expect.stringContaining('openlineage.io/spec/'),
      job: { namespace: 'redshift-transfer', name: 'lineage-export' },
      inputs: [{ namespace: 'redshift://local.us-east-1:5439', name: `${t.database}.public.sales` }],
      outputs: [
        {
          namespace: 's3://rt-exports',
          outputFacets: { outputStatistics: { rowCount: 5, size: expect.any(Number) } },
        },
      ],
    });
    expect(complete?.outputs[0]?.name).toMatch(/^lineage-export\/\d{4}-\d\d-\d\d$/);
    expect(complete?.job.facets?.sql?.query).toContain('"sales"');
  });

  it('a failed export sends START then FAIL with the named error', async () => {
    const job = exportJobDocument('lineage-fail', t.database, 'select nosuchcolumn from sales', {
      lineage: { url, namespace: 'etl' },
    });
    const result = await t.run('export', { job });
    expect(result.status).toBe('FAILED');
    const sent = events('lineage-fail');
    expect(sent.map((e) => e.eventType)).toEqual(['START', 'FAIL']);
    expect(sent[1]?.job.namespace).toBe('etl');
    expect(sent[1]?.run.facets.errorMessage?.message).toMatch(/^StatementFailedError: .*nosuchcolumn/);
  });

  it('a load writes its events under the S3 prefix, run-scoped, with the rows merged', async () => {
    await t.clients.s3.send(
      new PutObjectCommand({ Bucket: 'rt-landing', Key: 'lineage-load/a.csv', Body: 'id,name\n1,a\n2,b\n' }),
    );
    const result = await t.run('load', {
      job: {
        kind: 'load',
        name: 'lineage-load',
        target: { clusterIdentifier: 'local', database: t.database, dbUser: 'awsuser' },
        iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
        table: 'public.items',
        source: { prefix: 's3://rt-landing/lineage-load/' },
        staging: 's3://rt-staging/loads/',
        format: { type: 'csv', header: true },
        lineage: { s3: 's3://rt-state/lineage/' },
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    const keys = await listKeys(t.clients.s3, 'rt-state', 'lineage/');
    expect(keys).toHaveLength(2);
    const runId =
      /^lineage\/lineage-load\/([^/]+)\/START\.json$/.exec(
        keys.find((k) => k.endsWith('START.json')) ?? '',
      )?.[1] ?? '';
    expect(keys.sort()).toEqual([
      `lineage/lineage-load/${runId}/COMPLETE.json`,
      `lineage/lineage-load/${runId}/START.json`,
    ]);
    const complete = JSON.parse(
      (
        await getObjectBytes(t.clients.s3, 'rt-state', `lineage/lineage-load/${runId}/COMPLETE.json`)
      ).toString('utf8'),
    ) as Received;
    expect(complete.run.runId).toBe(lineageRunId(runId));
    expect(complete).toMatchObject({
      eventType: 'COMPLETE',
      inputs: [{ namespace: 's3://rt-landing', name: 'lineage-load' }],
      outputs: [
        {
          namespace: 'redshift://local.us-east-1:5439',
          name: `${t.database}.public.items`,
          outputFacets: { outputStatistics: { rowCount: 2 } },
        },
      ],
    });
  });
});
