import { fileURLToPath } from 'node:url';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JsonObject, loadDefinitionFile } from '../../../../local/sfn/loadDefinition.ts';
import { LocalRunner } from '../../../../local/sfn/localRunner.ts';
import { startTestS3, type TestS3 } from '../../../helpers/testS3.ts';

const fixtures = fileURLToPath(new URL('../../../fixtures/statemachines/', import.meta.url));
const functionsDir = `${fixtures}functions`;
const bucket = 'state-bucket';

let s3: TestS3;
let runner: LocalRunner;

beforeAll(async () => {
  s3 = await startTestS3();
  await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
  runner = new LocalRunner({
    functionsDir,
    waitScale: 0,
    s3Client: s3.client,
    env: { RT_ENDPOINT_S3: s3.endpoint },
  });
});

afterAll(async () => {
  await s3?.stop();
});

async function put(key: string, body: string) {
  await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function get(key: string): Promise<string> {
  const response = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await response.Body?.transformToString()) ?? '';
}

/** The fixture, with the Map state changed by `edit` (reader type, tolerance...). */
async function machine(name: string, edit: (map: JsonObject) => void = () => {}) {
  const definition = await loadDefinitionFile(`${fixtures}distributedMap.asl.yml`, {
    region: 'us-east-1',
    stateBucket: bucket,
  });
  edit((definition.States as JsonObject).ProcessParts as JsonObject);
  return runner.prepare(definition, { name });
}

const items = (n: number, failing: number[] = []) =>
  Array.from({ length: n }, (_, i) => ({ n: i + 1, fail: failing.includes(i + 1) }));

describe('Distributed Map emulation', () => {
  it('reads JSON items from S3, batches them, runs children and writes the ResultWriter files', async () => {
    // Prepare
    await put('items/seven.json', JSON.stringify(items(7)));
    const sm = await machine('dmap-json');

    // Act
    const result = await runner.start(sm, { itemsKey: 'items/seven.json', runId: 'r1' }, { name: 'json' })
      .done;

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const map = (result.output as JsonObject).map as {
      MapRunArn: string;
      ResultWriterDetails: { Bucket: string; Key: string };
    };
    const mapRunId = map.MapRunArn.split(':').pop() ?? '';
    expect(map).toEqual({
      MapRunArn: `arn:aws:states:us-east-1:000000000000:mapRun:dmap-json/Parts:${mapRunId}`,
      ResultWriterDetails: { Bucket: bucket, Key: `runs/r1/map/${mapRunId}/manifest.json` },
    });
    const manifest = JSON.parse(await get(map.ResultWriterDetails.Key));
    const succeededKey = `runs/r1/map/${mapRunId}/SUCCEEDED_0.json`;
    const succeeded = JSON.parse(await get(succeededKey)) as Record<string, unknown>[];
    expect(manifest).toEqual({
      DestinationBucket: bucket,
      MapRunArn: map.MapRunArn,
      ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: succeededKey, Size: expect.any(Number) }] },
    });
    expect(succeeded).toHaveLength(3);
    const byInput = succeeded.map((r) => [JSON.parse(String(r.Input)), JSON.parse(String(r.Output))]);
    expect(byInput).toEqual([
      [
        { Items: items(3), BatchInput: { runId: 'r1' } },
        { count: 3, sum: 6, batchInput: { runId: 'r1' } },
      ],
      [
        { Items: items(7).slice(3, 6), BatchInput: { runId: 'r1' } },
        { count: 3, sum: 15, batchInput: { runId: 'r1' } },
      ],
      [
        { Items: items(7).slice(6), BatchInput: { runId: 'r1' } },
        { count: 1, sum: 7, batchInput: { runId: 'r1' } },
      ],
    ]);
    expect(succeeded[0]).toMatchObject({
      ExecutionArn: expect.stringMatching(
        /^arn:aws:states:us-east-1:000000000000:execution:dmap-json\/Parts:/,
      ),
      Status: 'SUCCEEDED',
      InputDetails: { Included: true },
      OutputDetails: { Included: true },
    });
    expect(result.history.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      'MapRunStarted',
      'MapRunSucceeded',
      'MapStateSucceeded',
      'MapStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(result.stats).toMatchObject({ childExecutions: 3, mapRuns: 1, mapItems: 7, lambdaInvocations: 3 });
    // ProcessParts and Done in the parent + the one Task state of each of the 3 children.
    expect(result.stats.stateTransitions).toBe(5);
  });

  it.each([
    [
      'JSONL',
      { InputType: 'JSONL' },
      items(4)
        .map((i) => JSON.stringify(i))
        .join('\n'),
    ],
    [
      'CSV (FIRST_ROW)',
      { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
      'n,fail\n1,false\n2,false\n3,false\n4,false\n',
    ],
    [
      'CSV (GIVEN)',
      { InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: ['n', 'fail'] },
      '1,false\n2,false\n3,false\n4,false',
    ],
  ])('reads %s items and honours MaxItems', async (type, readerConfig, body) => {
    await put(`items/${type}`, body);
    const sm = await machine(`dmap-${type.replace(/\W/g, '')}`, (map) => {
      (map.ItemReader as JsonObject).ReaderConfig = { ...readerConfig, MaxItems: 3 };
      delete map.ResultWriter;
    });

    const result = await runner.start(sm, { itemsKey: `items/${type}`, runId: 'r2' }).done;

    expect(result.status).toBe('SUCCEEDED');
    expect((result.output as JsonObject).map).toEqual([{ count: 3, sum: 6, batchInput: { runId: 'r2' } }]);
  });

  it('iterates an S3 listing (listObjectsV2) with the AWS item shape', async () => {
    await put('listing/a.csv', 'aaa');
    await put('listing/b.csv', 'bb');
    const sm = await machine('dmap-list', (map) => {
      map.ItemReader = {
        Resource: 'arn:aws:states:::s3:listObjectsV2',
        Parameters: { Bucket: bucket, 'Prefix.$': '$.prefix' },
      };
      map.ItemSelector = { 'n.$': '$$.Map.Item.Value.Size', key: 'ignored', 'fail.$': '$.never' };
      delete map.ItemBatcher;
      delete map.ResultWriter;
    });

    const result = await runner.start(sm, { prefix: 'listing/', never: false }).done;

    expect(result.status).toBe('SUCCEEDED');
    expect((result.output as JsonObject).map).toEqual([
      { count: 1, sum: 3 },
      { count: 1, sum: 2 },
    ]);
  });

  it('gives each child execution its own $$ context (execution, input, state machine), in our states too', async () => {
    await put('context/items.json', JSON.stringify(items(2)));
    const sm = await machine('dmap-context', (map) => {
      delete map.ItemBatcher;
      delete map.ResultWriter;
      map.ItemProcessor = {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'WaitUntilStarted',
        States: {
          // Served by the runner (not the interpreter): its $$ must be the child's too.
          WaitUntilStarted: { Type: 'Wait', TimestampPath: '$$.Execution.StartTime', Next: 'Context' },
          Context: {
            Type: 'Pass',
            Parameters: {
              'id.$': '$$.Execution.Id',
              'name.$': '$$.Execution.Name',
              'input.$': '$$.Execution.Input',
              'roleArn.$': '$$.Execution.RoleArn',
              'stateMachine.$': '$$.StateMachine.Id',
              'stateMachineName.$': '$$.StateMachine.Name',
            },
            End: true,
          },
        },
      };
    });

    const result = await runner.start(
      sm,
      { itemsKey: 'context/items.json', runId: 'ctx' },
      { name: 'parent-run' },
    ).done;

    expect(result.status).toBe('SUCCEEDED');
    const outputs = (result.output as JsonObject).map as JsonObject[];
    expect(outputs).toHaveLength(2);
    const parentArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:dmap-context';
    for (const [i, out] of outputs.entries()) {
      expect(out.input).toEqual({ n: i + 1, fail: false });
      expect(out.stateMachine).toBe(`${parentArn}/Parts`);
      expect(out.stateMachineName).toBe('dmap-context/Parts');
      expect(out.roleArn).toBe('arn:aws:iam::000000000000:role/redshift-transfer-local');
      expect(out.id).toBe(`arn:aws:states:us-east-1:000000000000:execution:dmap-context/Parts:${out.name}`);
      expect(out.name).not.toBe('parent-run');
    }
    expect(outputs[0]?.name).not.toBe(outputs[1]?.name);
  });

  it('fails with States.ExceedToleratedFailureThreshold when a child fails and nothing is tolerated', async () => {
    await put('items/failing.json', JSON.stringify(items(7, [5])));
    const sm = await machine('dmap-fail');

    const result = await runner.start(sm, { itemsKey: 'items/failing.json', runId: 'r3' }).done;

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(result.cause).toMatch(
      /^The specified tolerated failure threshold was exceeded: 3 of 7 items failed in 1 child executions \(first: [0-9a-f-]+: PartProcessingError: item 5 is marked to fail\)/,
    );
    const listing = await s3.client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'runs/r3/map/' }),
    );
    const keys = (listing.Contents ?? []).map((o) => o.Key?.split('/').pop()).sort();
    expect(keys).toContain('FAILED_0.json');
    expect(keys).toContain('manifest.json');
  });

  it('tolerates failures within ToleratedFailurePercentage and reports them in FAILED_0.json', async () => {
    await put('items/tolerated.json', JSON.stringify(items(7, [5])));
    const sm = await machine('dmap-tolerated', (map) => {
      map.ToleratedFailurePercentage = 50;
    });

    const result = await runner.start(sm, { itemsKey: 'items/tolerated.json', runId: 'r4' }).done;

    expect(result.status).toBe('SUCCEEDED');
    const manifestKey = ((result.output as JsonObject).map as { ResultWriterDetails: { Key: string } })
      .ResultWriterDetails.Key;
    const manifest = JSON.parse(await get(manifestKey)) as { ResultFiles: Record<string, { Key: string }[]> };
    const failed = JSON.parse(await get(manifest.ResultFiles.FAILED?.[0]?.Key ?? '')) as Record<
      string,
      unknown
    >[];
    const succeeded = JSON.parse(await get(manifest.ResultFiles.SUCCEEDED?.[0]?.Key ?? '')) as unknown[];
    expect(succeeded).toHaveLength(2);
    expect(failed).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Error: 'PartProcessingError',
        Cause: 'item 5 is marked to fail',
        Input: JSON.stringify({ Items: items(7, [5]).slice(3, 6), BatchInput: { runId: 'r4' } }),
      }),
    ]);
  });

  it('fails with States.ItemReaderFailed when the items object is missing', async () => {
    const sm = await machine('dmap-missing');

    const result = await runner.start(sm, { itemsKey: 'items/nope.json', runId: 'r5' }).done;

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.ItemReaderFailed');
    expect(result.cause).toMatch(/^Reading the items from S3 bucket state-bucket failed: NoSuchKey/);
  });

  it('runs 100,000 items in batches with counters only (no per-item history)', async () => {
    await put(
      'items/large.jsonl',
      Array.from({ length: 100_000 }, (_, i) => `{"n":${i + 1},"fail":false}`).join('\n'),
    );
    const sm = await machine('dmap-large', (map) => {
      (map.ItemReader as JsonObject).ReaderConfig = { InputType: 'JSONL' };
      delete map.ItemSelector;
      map.ItemBatcher = { MaxItemsPerBatch: 500 };
      map.MaxConcurrency = 0;
      delete map.ResultWriter;
      map.ResultSelector = { 'batches.$': 'States.ArrayLength($)' };
    });

    const result = await runner.start(sm, { itemsKey: 'items/large.jsonl', runId: 'r6' }).done;

    expect(result.status).toBe('SUCCEEDED');
    expect((result.output as JsonObject).map).toEqual({ batches: 200 });
    expect(result.stats).toMatchObject({ childExecutions: 200, mapItems: 100_000 });
    expect(result.history).toHaveLength(10);
  });
});
