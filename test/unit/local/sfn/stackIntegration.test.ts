import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../../helpers/testStack.ts';

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack();
  const db = new pg.Client(t.databaseUrl);
  await db.connect();
  await db.query('create table colours (id int, name varchar(20))');
  await db.query("insert into colours values (1, 'red'), (2, 'green'), (3, 'blue')");
  await db.end();
});

afterAll(async () => {
  await t?.stop();
});

describe('the local stack serves statemachines/ through its Step Functions endpoint', () => {
  it('registers every state machine file', async () => {
    const list = await t.clients.sfn.send(new ListStateMachinesCommand({}));
    expect(list.stateMachines?.map((s) => s.name)).toContain('redshift-transfer-export');
  });

  it('runs the export state machine end to end, started through the API like the CLI does', async () => {
    const job = {
      kind: 'export',
      name: 'colours',
      target: { clusterIdentifier: 'local', database: t.database, dbUser: 'awsuser' },
      iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
      query: 'select id, name from colours order by id',
      unload: { format: 'csv', header: true, parallel: false },
      staging: 's3://rt-staging/colours/{runId}/',
      destination: 's3://rt-exports/colours/{runDate}/',
    };

    const done = await t.run('export', { job, runDate: '2024-03-01' }, 'colours-2024-03-01');

    expect({ status: done.status, error: done.error, cause: done.cause }).toEqual({
      status: 'SUCCEEDED',
      error: undefined,
      cause: undefined,
    });
    expect(JSON.parse(done.output ?? '{}').result).toMatchObject({
      rows: 3,
      destination: 's3://rt-exports/colours/2024-03-01/',
    });
    const listing = await t.clients.s3.send(
      new ListObjectsV2Command({ Bucket: 'rt-exports', Prefix: 'colours/2024-03-01/' }),
    );
    const keys = (listing.Contents ?? []).map((o) => o.Key ?? '');
    expect(keys).toContain('colours/2024-03-01/_SUCCESS');
    const dataKey = keys.find((k) => !k.split('/').pop()?.startsWith('_')) ?? '';
    const body = await t.clients.s3.send(new GetObjectCommand({ Bucket: 'rt-exports', Key: dataKey }));
    expect(await body.Body?.transformToString()).toBe('id,name\n1,red\n2,green\n3,blue\n');
    expect(done.history.at(-1)?.type).toBe('ExecutionSucceeded');
  });
});
