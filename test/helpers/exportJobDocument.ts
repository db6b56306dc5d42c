/**
 * An export job document for e2e tests on the local stack: gzip CSV with a header, staging and
 * destination under the job's own name in the stack's buckets; `overrides` replace top-level keys.
 */
export function exportJobDocument(
  name: string,
  database: string,
  query: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    kind: 'export',
    name,
    target: { clusterIdentifier: 'local', database, dbUser: 'awsuser' },
    iamRole: 'arn:aws:iam::123456789012:role/RedshiftS3Access',
    query,
    unload: { format: 'csv', compression: 'gzip', header: true },
    staging: `s3://rt-staging/${name}/{runId}/`,
    destination: `s3://rt-exports/${name}/{runDate}/`,
    ...overrides,
  };
}
