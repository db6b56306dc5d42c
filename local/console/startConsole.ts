import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListBucketsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import { createRedshiftDataClient, createS3Client, createSfnClient } from '../../src/aws/clients.ts';
import { runSql } from '../../src/dataapi/runStatements.ts';
import { runRow } from '../../src/runs/runSummary.ts';
import { joinTokens, splitStatements, tokenize } from '../redshift/sql/tokenize.ts';
import { stateMachineArn } from '../sfn/arns.ts';
import { executionView } from './executionView.ts';

/**
 * The local console: one page on loopback showing the stack's executions (state graph coloured by
 * outcome, timeline of states, the run's report), the buckets' objects (download) and a SQL box.
 * It reads only the stack's own APIs (Step Functions, S3, Data API) through the AWS SDK, like any
 * other client would.
 */

export interface ConsoleOptions {
  region: string;
  endpoints: { sfn: string; s3: string; redshiftData: string };
  /** Data API target of the SQL box. */
  clusterIdentifier: string;
  database: string;
  /** State machine kinds listed (default export, load, transfer). */
  kinds?: readonly string[];
  port?: number;
}

export interface Console {
  url: string;
  stop(): Promise<void>;
}

const PAGE = new URL('./console.html', import.meta.url);
const JSON_LIMIT = 1 << 20;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startConsole(options: ConsoleOptions): Promise<Console> {
  const sfn = createSfnClient({ region: options.region, endpoint: options.endpoints.sfn });
  const s3 = createS3Client({ region: options.region, endpoint: options.endpoints.s3 });
  const data = createRedshiftDataClient({ region: options.region, endpoint: options.endpoints.redshiftData });
  const kinds = options.kinds ?? ['export', 'load', 'transfer'];
  const machines = kinds.map((kind) => ({ kind, arn: stateMachineArn(options.region, kind) }));
  const definitions = new Map<string, unknown>();
  const page = await readFile(PAGE, 'utf8');

  const definition = async (arn: string) => {
    if (!definitions.has(arn)) {
      const out = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
      definitions.set(arn, JSON.parse(out.definition ?? '{}'));
    }
    return definitions.get(arn) as Parameters<typeof executionView>[0];
  };

  const routes: Record<string, (url: URL, req: IncomingMessage, res: ServerResponse) => Promise<unknown>> = {
    'GET /api/executions': async () => {
      const rows = [];
      for (const m of machines) {
        const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn: m.arn, maxResults: 100 }));
        for (const e of page.executions ?? []) {
          const d = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
          rows.push(runRow(m.kind, d));
        }
      }
      return rows.sort((a, b) => (b.start?.getTime() ?? 0) - (a.start?.getTime() ?? 0));
    },
    'GET /api/execution': async (url) => {
      const arn = required(url, 'arn');
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      const history = await fetchAllHistory(arn);
      const kind = machines.find((m) => m.arn === d.stateMachineArn)?.kind ?? '?';
      return {
        run: runRow(kind, d),
        cause: d.cause,
        result: parse(d.output)?.result,
        view: executionView(await definition(d.stateMachineArn ?? ''), history, d.status ?? ''),
      };
    },
    'GET /api/buckets': async () => {
      const out = await s3.send(new ListBucketsCommand({}));
      return (out.Buckets ?? []).map((b) => b.Name);
    },
    'GET /api/objects': async (url) => {
      const out = await s3.send(
        new ListObjectsV2Command({
          Bucket: required(url, 'bucket'),
          Prefix: url.searchParams.get('prefix') ?? '',
        }),
      );
      return (out.Contents ?? []).map((o) => ({ key: o.Key, size: o.Size, lastModified: o.LastModified }));
    },
    'GET /api/object': async (url, _req, res) => {
      const key = required(url, 'key');
      const out = await s3.send(new GetObjectCommand({ Bucket: required(url, 'bucket'), Key: key }));
      const filename = key.split('/').pop() || 'object';
      res.writeHead(200, {
        'content-type': out.ContentType ?? 'application/octet-stream',
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`,
        ...(out.ContentLength === undefined ? {} : { 'content-length': String(out.ContentLength) }),
      });
      await pipeline(out.Body as Readable, res);
      return undefined;
    },
    'POST /api/sql': async (_url, req) => {
      const body = (await readJson(req)) as { sql?: unknown; batch?: unknown };
      if (typeof body.sql !== 'string' || body.sql.trim() === '') throw new HttpError(400, 'give "sql"');
      const sqls = splitStatements(tokenize(body.sql)).map((t) => joinTokens(t).trim());
      if (sqls.length === 0) throw new HttpError(400, 'the SQL holds no statement');
      return runSql(
        data,
        { clusterIdentifier: options.clusterIdentifier, database: options.database },
        sqls,
        { batch: body.batch === true, timeoutSeconds: 600, labelPrefix: 'rt:console:sql' },
      );
    },
  };

  async function fetchAllHistory(arn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const out = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000, nextToken }),
      );
      events.push(...(out.events ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
    return events;
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const e = error as Error;
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `${e.name}: ${e.message}` }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    // Loopback only, and only for pages of this origin: a web page elsewhere cannot drive the SQL box.
    const host = req.headers.host ?? '';
    if (!/^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host))
      throw new HttpError(403, 'the console answers on loopback only');
    if (req.method === 'POST' && req.headers['content-type'] !== 'application/json')
      throw new HttpError(415, 'send application/json');
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page);
      return;
    }
    const route = routes[`${req.method} ${url.pathname}`];
    if (route === undefined) throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
    const value = await route(url, req, res);
    if (value !== undefined) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(value));
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      sfn.destroy();
      s3.destroy();
      data.destroy();
    },
  };
}

function required(url: URL, name: string): string {
  const value = url.searchParams.get(name);
  if (!value) throw new HttpError(400, `missing query parameter "${name}"`);
  return value;
}

function parse(text: string | undefined): Record<string, unknown> | undefined {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    return undefined;
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as Readable) {
    size += (chunk as Buffer).length;
    if (size > JSON_LIMIT) throw new HttpError(413, 'request body over 1 MiB');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the body is not JSON');
  }
}
