import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EMRClient } from '@aws-sdk/client-emr';
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { S3Client } from '@aws-sdk/client-s3';
import { type HistoryEvent, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import pg from 'pg';
import { inject } from 'vitest';
import { resetRuntime } from '../../functions/_shared/runtime.ts';
import { stateMachineArn } from '../../local/sfn/arns.ts';
import type { ExecutionDescription } from '../../local/sfn/startLocalSfn.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { createClients } from '../../src/aws/clients.ts';
import { readEnv } from '../../src/config/env.ts';

export interface TestStack {
  stack: LocalStack;
  /** The Data API `Database` (a fresh database in the shared test cluster). */
  database: string;
  /** A direct PostgreSQL URL of that database, to set up and check tables. */
  databaseUrl: string;
  clients: { s3: S3Client; redshiftData: RedshiftDataClient; sfn: SFNClient; emr: EMRClient };
  /** `arn:aws:states:us-east-1:000000000000:stateMachine:redshift-transfer-<kind>`. */
  stateMachineArn(kind: string): string;
  /** StartExecution through the API (input as an object); resolves with the execution ARN. */
  start(kind: string, input: unknown, name?: string): Promise<string>;
  /** Resolves when the execution has ended (no polling), with its description and history. */
  whenDone(executionArn: string): Promise<ExecutionDescription & { history: HistoryEvent[] }>;
  /** start + whenDone. */
  run(
    kind: string,
    input: unknown,
    name?: string,
  ): Promise<ExecutionDescription & { history: HistoryEvent[] }>;
  stop(): Promise<void>;
}

/**
 * The whole local stack for an e2e test: the Data API over a fresh database of the shared test
 * PostgreSQL cluster, S3, EMR and Step Functions (waits scaled to 0) in a throwaway directory,
 * with SDK clients pointed at it. Call stop() in afterAll.
 */
export async function startTestStack(options: { waitScale?: number } = {}): Promise<TestStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'rt-test-stack-'));
  const database = `stack_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const adminUrl = inject('pgUrl');
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      onEnvChange: resetRuntime,
      engine: 'url',
      databaseUrl: adminUrl,
      database,
      dataDir,
      waitScale: options.waitScale ?? 0,
    });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const clients = createClients(readEnv(stack.env()));
  const databaseUrl = stack.postgres.urlFor(database);
  const whenDone = async (executionArn: string) => {
    const description = await stack.sfn.whenDone(executionArn);
    return { ...description, history: stack.sfn.executions.get(executionArn)?.history ?? [] };
  };
  const start = async (kind: string, input: unknown, name?: string) => {
    const started = await clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stateMachineArn(stack.endpoints.region, kind),
        input: JSON.stringify(input),
        ...(name === undefined ? {} : { name }),
      }),
    );
    return started.executionArn ?? '';
  };
  return {
    stack,
    database,
    databaseUrl,
    clients,
    stateMachineArn: (kind) => stateMachineArn(stack.endpoints.region, kind),
    start,
    whenDone,
    run: async (kind, input, name) => whenDone(await start(kind, input, name)),
    stop: async () => {
      for (const client of Object.values(clients)) client.destroy();
      await stack.stop();
      const admin = new pg.Client(adminUrl);
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
