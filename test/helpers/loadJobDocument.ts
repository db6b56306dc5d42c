import type { JsonObject } from '../../local/sfn/loadDefinition.ts';
import type { LocalRunner, PreparedStateMachine } from '../../local/sfn/localRunner.ts';

/**
 * A load job document for e2e tests on the local stack: a header CSV under
 * `s3://rt-landing/<name>/` into `table`, staged in `s3://rt-staging/loads/`; `overrides` replace
 * top-level keys (format, mode, keys...).
 */
export function loadJobDocument(
  name: string,
  database: string,
  table: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    kind: 'load',
    name,
    target: { clusterIdentifier: 'local', database, dbUser: 'awsuser' },
    iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
    table,
    source: { prefix: `s3://rt-landing/${name}/` },
    staging: 's3://rt-staging/loads/',
    format: { type: 'csv', header: true },
    ...overrides,
  };
}

/** What a finished run of a job document looks like to the tests. */
export interface JobRunResult {
  status: string;
  error?: string;
  cause?: string;
  output?: { result?: Record<string, unknown> } & Record<string, unknown>;
}

/** Runs the state machine with `{ job }` as its input and waits for the end. */
export async function runJobDocument(
  runner: LocalRunner,
  sm: PreparedStateMachine,
  job: Record<string, unknown>,
): Promise<JobRunResult> {
  return (await runner.start(sm, { job } as JsonObject, {}).done) as JobRunResult;
}
