import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ListClustersCommand } from '@aws-sdk/client-emr';
import { ListDatabasesCommand } from '@aws-sdk/client-redshift-data';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createEmrClient,
  createRedshiftDataClient,
  createS3Client,
  createSfnClient,
} from '../../../src/aws/clients.ts';
import { processExit, processRuns } from '../../helpers/processExit.ts';

// A bounded soak of a real stack (`local start`): a fixed number of rounds, each sending valid and
// malformed requests concurrently to every endpoint (loopback only); it must keep answering, and
// SIGTERM must stop every server.
const bin = fileURLToPath(new URL('../../../bin/redshift-transfer.mjs', import.meta.url));
const ROUNDS = 5;
const PER_ROUND = 4;
let dataDir: string | undefined;
let pid: number | undefined;

afterAll(async () => {
  if (pid !== undefined && processRuns(pid)) process.kill(pid, 'SIGTERM');
  if (pid !== undefined) await processExit(pid).catch(() => undefined);
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

interface Ready {
  region: string;
  s3: string;
  redshiftData: string;
  sfn: string;
  emr: string;
  redshiftJdbc: string;
  database: string;
}

/** Resolves when a TCP connection to host:port is refused (nothing listens any more). */
function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** Writes bytes on a raw connection and resolves when the server has closed it or answered. */
function rawExchange(host: string, port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => {
      socket.write(bytes);
    });
    socket.on('error', () => resolve());
    socket.once('data', () => socket.destroy());
    socket.once('close', () => resolve());
  });
}

/** SSLRequest, then (after the server's `S`) bytes that are no TLS ClientHello; until the close. */
function sslThenGarbage(host: string, port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => socket.write(Buffer.from([0, 0, 0, 8, 4, 210, 22, 47])));
    socket.on('error', () => resolve());
    socket.once('data', () => socket.write('GET / HTTP/1.1\r\n\r\n'));
    socket.once('close', () => resolve());
  });
}

const malformedBodies = ['{', 'null', '[]', '{"a":', '\u0000\u0001', 'x'.repeat(70_000)];

describe('a real local stack under concurrent and malformed requests', { timeout: 180_000 }, () => {
  it('keeps answering on every endpoint, then stops everything on SIGTERM', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rt-soak-'));
    const child = spawn(
      process.execPath,
      [bin, 'local', 'start', '--data-dir', dataDir, '--slices', '1', '--no-console'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    pid = child.pid as number;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const ready = await new Promise<Ready>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (l) => {
        if (l.includes('redshiftData')) resolve(JSON.parse(l) as Ready);
      });
      void exited.then((code) => reject(new Error(`local start exited ${code}: ${stderr}`)));
    });
    const postmaster = Number(
      readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    const region = ready.region;
    const s3 = createS3Client({ region, endpoint: ready.s3 });
    const data = createRedshiftDataClient({ region, endpoint: ready.redshiftData });
    const sfn = createSfnClient({ region, endpoint: ready.sfn });
    const emr = createEmrClient({ region, endpoint: ready.emr });
    const jdbc = new URL(ready.redshiftJdbc.replace(/^jdbc:redshift:/, 'http:'));
    const wireUrl = `postgres://postgres@${jdbc.hostname}:${jdbc.port}/${ready.database}`;
    const httpEndpoints = [ready.s3, ready.redshiftData, ready.sfn, ready.emr];
    const targets = [
      'RedshiftData.ExecuteStatement',
      'AWSStepFunctions.StartExecution',
      'ElasticMapReduce.ListClusters',
      'Nope.Nope',
    ];

    const valid = async () => {
      const wire = new pg.Client(wireUrl);
      await wire.connect();
      try {
        const [buckets, dbs, machines, clusters, one] = await Promise.all([
          s3.send(new ListBucketsCommand({})),
          data.send(new ListDatabasesCommand({ ClusterIdentifier: 'local', Database: ready.database })),
          sfn.send(new ListStateMachinesCommand({})),
          emr.send(new ListClustersCommand({})),
          wire.query('select nvl(null, 41) + 1 as answer'),
        ]);
        return {
          buckets: (buckets.Buckets?.length ?? 0) > 0,
          database: dbs.Databases?.includes(ready.database),
          machines: (machines.stateMachines?.length ?? 0) > 0,
          clusters: Array.isArray(clusters.Clusters),
          wire: one.rows[0]?.answer,
        };
      } finally {
        await wire.end();
      }
    };
    const expected = { buckets: true, database: true, machines: true, clusters: true, wire: 42 };

    try {
      for (let round = 0; round < ROUNDS; round++) {
        const malformed: Promise<unknown>[] = [];
        for (const endpoint of httpEndpoints) {
          for (const [i, body] of malformedBodies.entries()) {
            malformed.push(
              fetch(endpoint, {
                method: 'POST',
                headers: {
                  'content-type': 'application/x-amz-json-1.1',
                  'x-amz-target': targets[i % targets.length] as string,
                },
                body,
              }).then(async (res) => {
                await res.arrayBuffer();
                return res.status;
              }),
            );
          }
        }
        malformed.push(
          rawExchange(jdbc.hostname, Number(jdbc.port), Buffer.from([0, 0, 0, 8, 4, 210, 22, 47])),
          rawExchange(jdbc.hostname, Number(jdbc.port), Buffer.from('GET / HTTP/1.1\r\n\r\n')),
          rawExchange(jdbc.hostname, Number(jdbc.port), Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0])),
          sslThenGarbage(jdbc.hostname, Number(jdbc.port)),
        );
        const [statuses, answers] = await Promise.all([
          Promise.all(malformed),
          Promise.all(Array.from({ length: PER_ROUND }, valid)),
        ]);
        // Malformed HTTP requests get an HTTP error answer (never a dropped connection or a 2xx).
        const httpStatuses = statuses.filter((status) => typeof status === 'number');
        expect(httpStatuses).toHaveLength(httpEndpoints.length * malformedBodies.length);
        for (const status of httpStatuses) expect(status).toBeGreaterThanOrEqual(400);
        for (const answer of answers) expect(answer).toEqual(expected);
      }
      expect(await valid()).toEqual(expected);
    } finally {
      for (const client of [s3, data, sfn, emr]) client.destroy();
    }

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await processExit(postmaster);
    for (const endpoint of httpEndpoints) {
      const url = new URL(endpoint);
      expect(await refused(url.hostname, Number(url.port)), endpoint).toBe(true);
    }
    expect(await refused(jdbc.hostname, Number(jdbc.port)), 'wire').toBe(true);
  });
});
