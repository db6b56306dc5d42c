import { z } from 'zod';
import { validation } from './dataApiError.ts';

/** The service's limits (RS-MG "Data API" quotas and the SDK model). */
export const LIMITS = {
  maxSqlBytes: 100 * 1024,
  maxBatchStatements: 40,
  maxWaitTimeSeconds: 30,
  maxActiveStatements: 200,
  maxSessionKeepAliveSeconds: 86_400,
} as const;

const clusterIdentifier = z
  .string()
  .regex(
    /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/,
    'Member must satisfy regular expression pattern: ^[a-z][a-z0-9]*(-[a-z0-9]+)*$',
  )
  .max(63);
const nonEmpty = z.string().min(1, 'Member must have length greater than or equal to 1');
const parameter = z.object({
  name: z
    .string()
    .regex(/^[0-9a-zA-Z_]+$/, 'Member must satisfy regular expression pattern: ^[0-9a-zA-Z_]+$'),
  value: nonEmpty,
});
const waitTimeSeconds = z
  .number()
  .int()
  .min(0, 'Member must have value greater than or equal to 0')
  .max(LIMITS.maxWaitTimeSeconds, `Member must have value less than or equal to ${LIMITS.maxWaitTimeSeconds}`)
  .optional();
const sql = z.string().min(1, 'Member must have length greater than or equal to 1');

const connection = {
  ClusterIdentifier: clusterIdentifier.optional(),
  WorkgroupName: nonEmpty.max(128).optional(),
  Database: nonEmpty.max(127).optional(),
  DbUser: nonEmpty.optional(),
  SecretArn: nonEmpty.optional(),
  WithEvent: z.boolean().optional(),
  StatementName: z.string().max(500).optional(),
  Parameters: z.array(parameter).min(1).optional(),
  ClientToken: z.string().min(1).max(64).optional(),
  ResultFormat: z.enum(['JSON', 'CSV']).optional(),
  SessionKeepAliveSeconds: z
    .number()
    .int()
    .min(0)
    .max(
      LIMITS.maxSessionKeepAliveSeconds,
      `Member must have value less than or equal to ${LIMITS.maxSessionKeepAliveSeconds}`,
    )
    .optional(),
  SessionId: z.string().optional(),
  WaitTimeSeconds: waitTimeSeconds,
};

export const executeStatementInput = z.object({ Sql: sql, ...connection });
export type ExecuteStatementInput = z.infer<typeof executeStatementInput>;

export const batchExecuteStatementInput = z.object({
  Sqls: z
    .array(sql)
    .min(1, 'Member must have length greater than or equal to 1')
    .max(
      LIMITS.maxBatchStatements,
      `Member must have length less than or equal to ${LIMITS.maxBatchStatements}`,
    ),
  ExecutionMode: z.enum(['TRANSACTION', 'AUTO_COMMIT']).optional(),
  ...connection,
});
export type BatchExecuteStatementInput = z.infer<typeof batchExecuteStatementInput>;

const statementId = z.string().min(1);
export const describeStatementInput = z.object({ Id: statementId, WaitTimeSeconds: waitTimeSeconds });
export const getStatementResultInput = z.object({
  Id: statementId,
  NextToken: z.string().optional(),
  WaitTimeSeconds: waitTimeSeconds,
});
export const cancelStatementInput = z.object({ Id: statementId });
export const listStatementsInput = z.object({
  NextToken: z.string().optional(),
  MaxResults: z.number().int().min(0).max(100).optional(),
  StatementName: z.string().max(500).optional(),
  Status: z.enum(['SUBMITTED', 'PICKED', 'STARTED', 'FINISHED', 'ABORTED', 'FAILED', 'ALL']).optional(),
  RoleLevel: z.boolean().optional(),
  Database: z.string().optional(),
  ClusterIdentifier: z.string().optional(),
  WorkgroupName: z.string().optional(),
});
export const catalogInput = z.object({
  ClusterIdentifier: clusterIdentifier.optional(),
  WorkgroupName: nonEmpty.optional(),
  Database: nonEmpty.optional(),
  ConnectedDatabase: nonEmpty.optional(),
  DbUser: z.string().optional(),
  SecretArn: z.string().optional(),
  SchemaPattern: z.string().optional(),
  TablePattern: z.string().optional(),
  Schema: z.string().optional(),
  Table: z.string().optional(),
  NextToken: z.string().optional(),
  MaxResults: z.number().int().min(0).max(1000).optional(),
});

/**
 * Parses a request body with a schema; problems become one ValidationException worded like the
 * service's ("2 validation errors detected: Value '' at 'sql' failed to satisfy constraint: ...").
 */
export function parseInput<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.') || 'request';
    const member = path.charAt(0).toLowerCase() + path.slice(1);
    const value = valueAt(body, issue.path);
    const shown = value === undefined ? 'null' : `'${truncate(JSON.stringify(value))}'`;
    const constraint =
      issue.code === 'invalid_type' && value === undefined ? 'Member must not be null' : issue.message;
    return `Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`;
  });
  const count = problems.length;
  throw validation(`${count} validation error${count === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = body;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** The connection rule every statement call shares: exactly one of cluster or workgroup. */
export function checkTarget(input: {
  ClusterIdentifier?: string | undefined;
  WorkgroupName?: string | undefined;
}) {
  if (input.ClusterIdentifier !== undefined && input.WorkgroupName !== undefined) {
    throw validation('Either ClusterIdentifier or WorkgroupName must be specified, but not both.');
  }
  if (input.ClusterIdentifier === undefined && input.WorkgroupName === undefined) {
    throw validation('Either ClusterIdentifier or WorkgroupName is required.');
  }
}
