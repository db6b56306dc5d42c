import { createHash } from 'node:crypto';
import type { RedshiftTarget } from '../job/common.ts';
import { parseQualifiedName } from '../sql/identifiers.ts';

/**
 * OpenLineage run events (spec 2-0-2): one pure builder, so the handlers only say what happened.
 * Dataset naming follows OpenLineage's conventions: Redshift `redshift://<cluster or
 * workgroup>.<region>:5439` + `<database>.<schema>.<table>`; S3 `s3://<bucket>` + `<key prefix>`.
 */
export const OPENLINEAGE_SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
export const PRODUCER = 'https://github.com/redshift-transfer/redshift-transfer';

export type LineageEventType = 'START' | 'COMPLETE' | 'FAIL';

export interface Dataset {
  namespace: string;
  name: string;
  facets?: Record<string, unknown>;
  outputFacets?: Record<string, unknown>;
}

export interface RunEvent {
  eventType: LineageEventType;
  eventTime: string;
  producer: string;
  schemaURL: string;
  run: { runId: string; facets?: Record<string, unknown> };
  job: { namespace: string; name: string; facets?: Record<string, unknown> };
  inputs: Dataset[];
  outputs: Dataset[];
}

const facet = (name: string) => ({
  _producer: PRODUCER,
  _schemaURL: `https://openlineage.io/spec/facets/1-0-0/${name}.json`,
});

/** OpenLineage run ids are UUIDs: ours (`20240301-1a2b3c4d5e6f`) is hashed into a stable one (version 5 layout). */
export function lineageRunId(runId: string): string {
  const h = createHash('sha256').update(`redshift-transfer:${runId}`).digest('hex');
  const variant = ((Number.parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function redshiftDataset(
  target: RedshiftTarget,
  region: string,
  table: string | { schema?: string | undefined; name: string },
): Dataset {
  const host = 'workgroupName' in target ? target.workgroupName : target.clusterIdentifier;
  const q = typeof table === 'string' ? parseQualifiedName(table) : table;
  return {
    namespace: `redshift://${host}.${region}:5439`,
    name: `${target.database}.${q.schema ?? 'public'}.${q.name}`,
  };
}

export function s3Dataset(uri: string): Dataset {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return { namespace: `s3://${m?.[1] ?? ''}`, name: (m?.[2] ?? '').replace(/\/$/, '') || '/' };
}

/** An output dataset with OpenLineage's outputStatistics (rows, bytes) when known. */
export function withStatistics(
  dataset: Dataset,
  stats: { rows?: number | undefined; bytes?: number | undefined },
): Dataset {
  if (stats.rows === undefined && stats.bytes === undefined) return dataset;
  return {
    ...dataset,
    outputFacets: {
      outputStatistics: {
        ...facet('OutputStatisticsOutputDatasetFacet'),
        ...(stats.rows === undefined ? {} : { rowCount: stats.rows }),
        ...(stats.bytes === undefined ? {} : { size: stats.bytes }),
      },
    },
  };
}

export function runEvent(args: {
  eventType: LineageEventType;
  namespace: string;
  jobName: string;
  runId: string;
  eventTime: Date;
  inputs: Dataset[];
  outputs: Dataset[];
  /** The query of an export job (OpenLineage SQL job facet). */
  sql?: string | undefined;
  error?: { name: string; message: string } | undefined;
}): RunEvent {
  return {
    eventType: args.eventType,
    eventTime: args.eventTime.toISOString(),
    producer: PRODUCER,
    schemaURL: OPENLINEAGE_SCHEMA_URL,
    run: {
      runId: lineageRunId(args.runId),
      facets: {
        ...(args.error === undefined
          ? {}
          : {
              errorMessage: {
                ...facet('ErrorMessageRunFacet'),
                message: `${args.error.name}: ${args.error.message}`,
                programmingLanguage: 'TypeScript',
              },
            }),
      },
    },
    job: {
      namespace: args.namespace,
      name: args.jobName,
      ...(args.sql === undefined ? {} : { facets: { sql: { ...facet('SQLJobFacet'), query: args.sql } } }),
    },
    inputs: args.inputs,
    outputs: args.outputs,
  };
}
