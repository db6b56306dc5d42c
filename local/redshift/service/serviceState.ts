import type { S3Client } from '@aws-sdk/client-s3';
import { validation } from '../api/dataApiError.ts';
import type { DatabasePools } from '../engine/databasePools.ts';
import type { RedshiftCommands } from '../engine/redshiftCommands.ts';
import type { Catalog } from '../statements/executeSql.ts';
import type { StatementRecord } from '../statements/statementRecord.ts';
import { Sessions } from './sessions.ts';

export interface DataApiServiceOptions {
  pools: DatabasePools;
  commands: RedshiftCommands;
  /** Database used when a request names none. */
  defaultDatabase: string;
  /** Client of the local S3, for UNLOAD/COPY. */
  s3?: S3Client | undefined;
  /** Simulated slices (UNLOAD PARALLEL writes one file per slice). */
  slices: number;
  /** Approximate JSON bytes per GetStatementResult page. */
  resultPageBytes: number;
  /** Largest result one statement may keep (the service's limit is 500 MB). */
  maxResultBytes: number;
  /** Results of all statements kept in memory together; the oldest are dropped past it. */
  resultMemoryBytes: number;
  /** How long statements and their results are kept (the service keeps them 24 h). */
  retentionMs: number;
  /** When set, only these cluster identifiers / workgroup names are accepted. */
  clusters?: readonly string[] | undefined;
  workgroups?: readonly string[] | undefined;
}

export type Json = Record<string, unknown>;

/** What the Data API's operation families share: the statements, sessions and engine. */
export interface ServiceState {
  readonly options: DataApiServiceOptions;
  readonly statements: Map<string, StatementRecord>;
  readonly clientTokens: Map<string, { id: string; at: number }>;
  readonly sessions: Sessions;
  readonly catalogs: Map<string, Catalog>;
  readonly running: Set<Promise<void>>;
  queryCounter: number;
  resultBytes: number;
  closed: boolean;
}

export function createServiceState(options: DataApiServiceOptions): ServiceState {
  return {
    options,
    statements: new Map(),
    clientTokens: new Map(),
    sessions: new Sessions(),
    catalogs: new Map(),
    running: new Set(),
    queryCounter: 1000,
    resultBytes: 0,
    closed: false,
  };
}

/** Rejects a cluster or workgroup this local stack does not serve, as AWS rejects an unknown one. */
export function checkKnownTarget(
  options: DataApiServiceOptions,
  input: { ClusterIdentifier?: string | undefined; WorkgroupName?: string | undefined },
): void {
  const { clusters, workgroups } = options;
  if (input.ClusterIdentifier !== undefined && clusters && !clusters.includes(input.ClusterIdentifier)) {
    throw validation(
      `Redshift endpoint doesn't exist in this region: cluster "${input.ClusterIdentifier}" is not one of this local stack's (${clusters.join(', ')}).`,
    );
  }
  if (input.WorkgroupName !== undefined && workgroups && !workgroups.includes(input.WorkgroupName)) {
    throw validation(
      `Redshift endpoint doesn't exist in this region: workgroup "${input.WorkgroupName}" is not one of this local stack's (${workgroups.join(', ')}).`,
    );
  }
}
