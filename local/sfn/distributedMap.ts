import { randomUUID } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { StateMachine } from 'aws-local-stepfunctions';
import { childExecutionArn, mapRunArn as makeMapRunArn } from './arns.ts';
import { causeText, flushHistory, HistoryRecorder } from './historyRecorder.ts';
import type { Json, JsonObject } from './loadDefinition.ts';
import {
  type Batch,
  batchItems,
  ItemReaderFailedError,
  parseItems,
  type ReaderConfig,
} from './parseItems.ts';
import type { Binding } from './prepareDefinition.ts';
import { type ExecutionScope, emptyCounts, type MapRunInfo } from './scope.ts';
import { evaluatePath, evaluateTemplate, withoutItems } from './templates.ts';

type DistributedBinding = Extract<Binding, { kind: 'distributedMap' }>;
type Definition = ConstructorParameters<typeof StateMachine>[0];
type BuildHandlers = (
  binding: DistributedBinding['processor'],
  scope: ExecutionScope,
) => Record<string, (input: unknown) => Promise<unknown>>;

const isObject = (v: Json | undefined): v is JsonObject =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

class StatesError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** One child execution's record, in the layout of the ResultWriter's SUCCEEDED_n/FAILED_n files. */
interface ChildRecord {
  index: number;
  /** How many items the child processed (its batch size). */
  items: number;
  name: string;
  arn: string;
  input: string;
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
  output?: Json;
  error?: string;
  cause?: string;
  startDate: Date;
  stopDate: Date;
}

/**
 * Runs a Distributed Map state the way Step Functions does, which the interpreter cannot:
 * items from `ItemReader` (S3 JSON/JSONL/CSV object or a listObjectsV2 listing) or `ItemsPath`,
 * `ItemSelector`, `ItemBatcher`, child executions of the ItemProcessor (same interpreter, same
 * task mapping) at `MaxConcurrency`, tolerated failures, and `ResultWriter` files in S3.
 * Child histories are not kept: only counters, so 100,000 items cost little memory.
 */
export async function runDistributedMap(
  binding: DistributedBinding,
  input: Json,
  scope: ExecutionScope,
  buildHandlers: BuildHandlers,
): Promise<Json> {
  const state = binding.state;
  const recorder = scope.recorder;
  const context: JsonObject = {
    ...scope.context,
    State: { Name: binding.stateName, EnteredTime: new Date().toISOString() },
  };
  if (recorder.keepEvents) await flushHistory();

  const mapRunId = randomUUID();
  const mapRunArn = makeMapRunArn(scope.stateMachineArn, binding.label, mapRunId);
  try {
    const items = await readItems(state, input, context, scope);
    const selected = await selectItems(state, items, input, context);
    const batches = await makeBatches(state, selected, input, context);
    const maxConcurrency = await numberField(state, 'MaxConcurrency', input, context, 0);
    const toleratedPercentage = await numberField(state, 'ToleratedFailurePercentage', input, context, 0);
    const toleratedCount = await numberField(state, 'ToleratedFailureCount', input, context, 0);

    const run: MapRunInfo = {
      mapRunArn,
      executionArn: scope.executionArn,
      stateName: binding.stateName,
      status: 'RUNNING',
      startDate: new Date(),
      maxConcurrency,
      toleratedFailurePercentage: toleratedPercentage,
      toleratedFailureCount: toleratedCount,
      itemCounts: { ...emptyCounts(), pending: selected.length, total: selected.length },
      executionCounts: { ...emptyCounts(), pending: batches.length, total: batches.length },
    };
    scope.mapRuns.set(mapRunArn, run);
    recorder.stats.mapRuns++;
    recorder.stats.mapItems += selected.length;
    recorder.add('MapStateStarted', { mapStateStartedEventDetails: { length: selected.length } });
    recorder.add('MapRunStarted', { mapRunStartedEventDetails: { mapRunArn } });

    const records = await runChildren(
      binding,
      batches,
      state.ItemBatcher !== undefined,
      run,
      scope,
      buildHandlers,
    );
    const failed = records.filter((r) => r.status !== 'SUCCEEDED');
    const failedItems = failed.reduce((sum, r) => sum + r.items, 0);
    const thresholdExceeded = exceedsTolerance(
      failedItems,
      selected.length,
      state,
      toleratedCount,
      toleratedPercentage,
    );
    const aborted = scope.signal.aborted;

    let result: Json;
    if (isObject(state.ResultWriter)) {
      result = await writeResults(state.ResultWriter, records, mapRunArn, mapRunId, input, context, scope);
      run.itemCounts.resultsWritten = selected.length;
      run.executionCounts.resultsWritten = records.length;
    } else {
      result = records.map((r) => (r.status === 'SUCCEEDED' ? (r.output ?? null) : noneRecord(r)));
    }
    run.stopDate = new Date();
    if (aborted) {
      run.status = 'ABORTED';
      throw new StatesError('States.Aborted', 'The execution was stopped while the map run was running');
    }
    if (thresholdExceeded) {
      run.status = 'FAILED';
      const first = failed[0];
      throw new StatesError(
        'States.ExceedToleratedFailureThreshold',
        `The specified tolerated failure threshold was exceeded: ${failedItems} of ${selected.length} items failed in ${failed.length} child executions${first ? ` (first: ${first.name}: ${first.error}: ${first.cause})` : ''}. Map run ${mapRunArn}`,
      );
    }
    run.status = 'SUCCEEDED';
    recorder.add('MapRunSucceeded');
    recorder.add('MapStateSucceeded');
    return result;
  } catch (thrown) {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    recorder.add('MapRunFailed', { mapRunFailedEventDetails: { error: error.name, cause: error.message } });
    recorder.add('MapStateFailed');
    throw error;
  }
}

async function numberField(
  state: JsonObject,
  field: string,
  input: Json,
  context: JsonObject,
  fallback: number,
) {
  const direct = state[field];
  if (typeof direct === 'number') return direct;
  const path = state[`${field}Path`];
  if (typeof path !== 'string') return fallback;
  const value = await evaluatePath(path, input, context);
  if (typeof value !== 'number' || value < 0) {
    throw new StatesError(
      'States.Runtime',
      `${field}Path ${path} must point to a non-negative number, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

async function readItems(
  state: JsonObject,
  input: Json,
  context: JsonObject,
  scope: ExecutionScope,
): Promise<Json[]> {
  const reader = state.ItemReader;
  if (!isObject(reader)) {
    const itemsPath = typeof state.ItemsPath === 'string' ? state.ItemsPath : '$';
    const items = itemsPath === '$' ? input : await evaluatePath(itemsPath, input, context);
    if (!Array.isArray(items)) {
      throw new StatesError(
        'States.Runtime',
        `Map state input at ${itemsPath} must be an array (or use an ItemReader)`,
      );
    }
    return items;
  }
  const params = isObject(reader.Parameters)
    ? ((await evaluateTemplate(reader.Parameters, input, context)) as JsonObject)
    : {};
  const config = (isObject(reader.ReaderConfig) ? reader.ReaderConfig : {}) as JsonObject;
  let maxItems = typeof config.MaxItems === 'number' ? config.MaxItems : undefined;
  if (typeof config.MaxItemsPath === 'string')
    maxItems = Number(await evaluatePath(config.MaxItemsPath, input, context));
  const bucket = String(params.Bucket ?? '');
  const s3 = scope.services.s3();
  let items: Json[];
  try {
    if (reader.Resource === 'arn:aws:states:::s3:getObject') {
      const key = String(params.Key ?? '');
      const response = await s3.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ...(typeof params.VersionId === 'string' ? { VersionId: params.VersionId } : {}),
        }),
      );
      const body = (await response.Body?.transformToString('utf8')) ?? '';
      items = parseItems(body, config as ReaderConfig, `s3://${bucket}/${key}`);
    } else if (reader.Resource === 'arn:aws:states:::s3:listObjectsV2') {
      items = await listObjects(
        scope,
        bucket,
        typeof params.Prefix === 'string' ? params.Prefix : undefined,
        maxItems,
      );
    } else {
      throw new ItemReaderFailedError(
        `ItemReader Resource ${String(reader.Resource)} is not supported locally (s3:getObject and s3:listObjectsV2 are)`,
      );
    }
  } catch (error) {
    if (error instanceof ItemReaderFailedError) throw error;
    throw new ItemReaderFailedError(
      `Reading the items from S3 bucket ${bucket} failed: ${(error as Error).name}: ${(error as Error).message}`,
    );
  }
  return maxItems !== undefined && maxItems > 0 ? items.slice(0, maxItems) : items;
}

async function listObjects(
  scope: ExecutionScope,
  bucket: string,
  prefix: string | undefined,
  maxItems: number | undefined,
) {
  const items: Json[] = [];
  let token: string | undefined;
  do {
    const page = await scope.services
      .s3()
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      // The item shape Step Functions gives for an S3 listing.
      items.push({
        Etag: object.ETag ?? '',
        Key: object.Key ?? '',
        LastModified: object.LastModified ? Math.floor(object.LastModified.getTime() / 1000) : 0,
        Size: object.Size ?? 0,
        StorageClass: object.StorageClass ?? 'STANDARD',
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined && (maxItems === undefined || maxItems <= 0 || items.length < maxItems));
  return items;
}

async function selectItems(
  state: JsonObject,
  items: Json[],
  input: Json,
  context: JsonObject,
): Promise<Json[]> {
  const selector = isObject(state.ItemSelector)
    ? state.ItemSelector
    : isObject(state.Parameters)
      ? state.Parameters
      : undefined;
  if (selector === undefined) return items;
  const source = isObject(state.ItemReader)
    ? input
    : withoutItems(input, typeof state.ItemsPath === 'string' ? state.ItemsPath : '$');
  const selected: Json[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    selected[i] = await evaluateTemplate(selector, source, {
      ...context,
      Map: { Item: { Index: i, Value: items[i] ?? null } },
    });
  }
  return selected;
}

async function makeBatches(
  state: JsonObject,
  items: Json[],
  input: Json,
  context: JsonObject,
): Promise<Batch[]> {
  const batcher = state.ItemBatcher;
  if (!isObject(batcher)) return items.map((item, first) => ({ items: [item], first }));
  const maxItems = await numberField(batcher, 'MaxItemsPerBatch', input, context, 0);
  const maxBytes = await numberField(batcher, 'MaxInputBytesPerBatch', input, context, 0);
  const batchInput = isObject(batcher.BatchInput)
    ? await evaluateTemplate(batcher.BatchInput, input, context)
    : undefined;
  const batches = batchItems(
    items,
    maxItems > 0 ? maxItems : undefined,
    maxBytes > 0 ? maxBytes : undefined,
    batchInput,
  );
  return batches.map((batch) => ({ ...batch, batchInput }));
}

function exceedsTolerance(
  failed: number,
  total: number,
  state: JsonObject,
  count: number,
  percentage: number,
): boolean {
  if (failed === 0) return false;
  const hasCount = state.ToleratedFailureCount !== undefined || state.ToleratedFailureCountPath !== undefined;
  const hasPercentage =
    state.ToleratedFailurePercentage !== undefined || state.ToleratedFailurePercentagePath !== undefined;
  if (!hasCount && !hasPercentage) return true;
  if (hasCount && failed > count) return true;
  if (hasPercentage && (failed * 100) / total > percentage) return true;
  return false;
}

async function runChildren(
  binding: DistributedBinding,
  batches: (Batch & { batchInput?: Json })[],
  batched: boolean,
  run: MapRunInfo,
  scope: ExecutionScope,
  buildHandlers: BuildHandlers,
): Promise<ChildRecord[]> {
  const processor = binding.processor;
  const machine = new StateMachine(processor.definition as unknown as Definition, {
    validationOptions: { noValidate: true },
  });
  const childRecorder = new HistoryRecorder(processor, scope.recorder.stats, false);
  const childStateMachineArn = `${scope.stateMachineArn}/${binding.label}`;
  const childScope: ExecutionScope = {
    ...scope,
    recorder: childRecorder,
    stateMachineArn: childStateMachineArn,
  };
  const parentExecution = (scope.context.Execution ?? {}) as JsonObject;
  const childStateMachine = {
    Id: childStateMachineArn,
    Name: childStateMachineArn.split(':').pop() ?? '',
  };
  const state = binding.state;
  const limit = Math.max(
    1,
    Math.min(run.maxConcurrency > 0 ? run.maxConcurrency : 10_000, scope.services.mapConcurrencyLimit),
  );
  const records: ChildRecord[] = new Array(batches.length);
  const running = new Set<() => void>();
  let next = 0;
  let stopLaunching = false;
  const onAbort = () => {
    stopLaunching = true;
    for (const abort of running) abort();
  };
  scope.signal.addEventListener('abort', onAbort, { once: true });

  const worker = async () => {
    while (!stopLaunching && next < batches.length) {
      const index = next++;
      const batch = batches[index] as Batch & { batchInput?: Json };
      const childInput: Json = batched
        ? { Items: batch.items, ...(batch.batchInput !== undefined ? { BatchInput: batch.batchInput } : {}) }
        : (batch.items[0] ?? null);
      const name = randomUUID();
      const arn = childExecutionArn(scope.stateMachineArn, binding.label, name);
      const startDate = new Date();
      scope.recorder.stats.childExecutions++;
      move(run, batch.items.length, 'pending', 'running');
      // Each child is its own execution: `$$` in its states (the interpreter's and the ones the
      // runner serves, such as Wait) is the child's, not the parent's or the map run's.
      const context: JsonObject = {
        Execution: {
          Id: arn,
          Name: name,
          Input: childInput,
          StartTime: startDate.toISOString(),
          ...(parentExecution.RoleArn !== undefined ? { RoleArn: parentExecution.RoleArn } : {}),
        },
        StateMachine: childStateMachine,
      };
      const handlers = buildHandlers(processor, { ...childScope, context });
      const execution = machine.run(childInput as never, {
        overrides: { taskResourceLocalHandlers: handlers as never },
        context: context as never,
      });
      running.add(execution.abort);
      const counting = (async () => {
        for await (const event of execution.eventLogs) childRecorder.consume(event as never);
      })();
      const record: ChildRecord = {
        index,
        items: batch.items.length,
        name,
        arn,
        input: JSON.stringify(childInput),
        status: 'SUCCEEDED',
        startDate,
        stopDate: startDate,
      };
      try {
        record.output = (await execution.result) as Json;
      } catch (thrown) {
        const error = thrown as Error & { cause?: Error };
        if (error.name === 'ExecutionAbortedError') {
          record.status = 'ABORTED';
          record.error = 'States.Aborted';
          record.cause = 'The map run was stopped';
        } else if (error.name === 'ExecutionTimeoutError') {
          record.status = 'TIMED_OUT';
          record.error = 'States.Timeout';
          record.cause = 'The child execution timed out';
        } else {
          record.status = 'FAILED';
          record.error = error.cause?.name ?? error.name;
          record.cause = causeText(error.cause?.message ?? error.message);
        }
      } finally {
        running.delete(execution.abort);
        await counting;
      }
      record.stopDate = new Date();
      records[index] = record;
      const outcome =
        record.status === 'SUCCEEDED'
          ? 'succeeded'
          : record.status === 'ABORTED'
            ? 'aborted'
            : record.status === 'TIMED_OUT'
              ? 'timedOut'
              : 'failed';
      move(run, batch.items.length, 'running', outcome);
      if (outcome !== 'succeeded') {
        const failedSoFar = run.itemCounts.failed + run.itemCounts.timedOut + run.itemCounts.aborted;
        // Like AWS, stop early once the threshold is exceeded: the map run fails anyway.
        if (
          exceedsTolerance(
            failedSoFar,
            run.itemCounts.total,
            state,
            run.toleratedFailureCount,
            run.toleratedFailurePercentage,
          )
        ) {
          stopLaunching = true;
          for (const abort of running) abort();
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limit, batches.length) }, worker));
  } finally {
    scope.signal.removeEventListener('abort', onAbort);
  }
  return records.filter((r): r is ChildRecord => r !== undefined);
}

function move(
  run: MapRunInfo,
  items: number,
  from: keyof MapRunInfo['itemCounts'],
  to: keyof MapRunInfo['itemCounts'],
) {
  run.itemCounts[from] -= items;
  run.itemCounts[to] += items;
  run.executionCounts[from] -= 1;
  run.executionCounts[to] += 1;
}

/** A child execution as the ResultWriter's NONE transformation writes it. */
function noneRecord(record: ChildRecord): JsonObject {
  const out: JsonObject = {
    ExecutionArn: record.arn,
    Input: record.input,
    InputDetails: { Included: true },
    Name: record.name,
    RedriveCount: 0,
    RedriveStatus: 'NOT_REDRIVABLE',
    StartDate: record.startDate.toISOString(),
    StateMachineArn: record.arn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, ''),
    Status: record.status,
    StopDate: record.stopDate.toISOString(),
  };
  if (record.status === 'SUCCEEDED') {
    out.Output = JSON.stringify(record.output ?? null);
    out.OutputDetails = { Included: true };
  } else {
    out.Error = record.error ?? '';
    out.Cause = record.cause ?? '';
  }
  return out;
}

async function writeResults(
  writer: JsonObject,
  records: ChildRecord[],
  mapRunArn: string,
  mapRunId: string,
  input: Json,
  context: JsonObject,
  scope: ExecutionScope,
): Promise<Json> {
  const params = isObject(writer.Parameters)
    ? ((await evaluateTemplate(writer.Parameters, input, context)) as JsonObject)
    : {};
  const config = isObject(writer.WriterConfig) ? writer.WriterConfig : {};
  const transformation = typeof config.Transformation === 'string' ? config.Transformation : 'NONE';
  const outputType = typeof config.OutputType === 'string' ? config.OutputType : 'JSON';
  const bucket = typeof params.Bucket === 'string' ? params.Bucket : '';
  const prefix = typeof params.Prefix === 'string' ? params.Prefix.replace(/\/+$/, '') : '';
  const base = prefix === '' ? mapRunId : `${prefix}/${mapRunId}`;
  const render = (r: ChildRecord): Json => {
    if (r.status !== 'SUCCEEDED' || transformation === 'NONE') return noneRecord(r);
    return r.output ?? null;
  };
  const serialise = (values: Json[]) => {
    if (transformation === 'FLATTEN') values = values.flatMap((v) => (Array.isArray(v) ? v : [v]));
    return outputType === 'JSONL' ? values.map((v) => JSON.stringify(v)).join('\n') : JSON.stringify(values);
  };
  const groups: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', ChildRecord[]> = {
    SUCCEEDED: [],
    FAILED: [],
    PENDING: [],
  };
  for (const record of records)
    (record.status === 'SUCCEEDED' ? groups.SUCCEEDED : groups.FAILED).push(record);
  const resultFiles: Record<string, JsonObject[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  try {
    const s3 = scope.services.s3();
    for (const status of ['SUCCEEDED', 'FAILED'] as const) {
      const group = groups[status];
      if (group.length === 0) continue;
      const key = `${base}/${status}_0.json`;
      const body = serialise(group.map(render));
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }),
      );
      resultFiles[status]?.push({ Key: key, Size: Buffer.byteLength(body) });
    }
    const manifestKey = `${base}/manifest.json`;
    const manifest = { DestinationBucket: bucket, MapRunArn: mapRunArn, ResultFiles: resultFiles };
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: manifestKey,
        Body: JSON.stringify(manifest),
        ContentType: 'application/json',
      }),
    );
    return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: bucket, Key: manifestKey } };
  } catch (error) {
    throw new StatesError(
      'States.ResultWriterFailed',
      `Writing the map run results to s3://${bucket}/${base}/ failed: ${(error as Error).name}: ${(error as Error).message}`,
    );
  }
}
