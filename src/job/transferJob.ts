import { z } from 'zod';
import {
  columnListSchema,
  iamRoleSchema,
  identifierIssue,
  issueReporter,
  jobNameSchema,
  querySourceIssues,
  redshiftTargetSchema,
  tableSchema,
  templatedS3UriSchema,
  timeoutsSchema,
} from './common.ts';
import { scheduleSchema } from './exportJob.ts';
import {
  chunkSizeSchema,
  ledgerOptionsSchema,
  loadModes,
  mergeKeysSchema,
  mergeRuleIssues,
  orderBySchema,
} from './loadJob.ts';
import { sparkStepSchema } from './sparkStep.ts';

/**
 * The `transfer` job document: Redshift -> Redshift as one run. The source query or table is
 * UNLOADed (Parquet, MANIFEST VERBOSE: every value exact, NULL apart) under the run's staging prefix,
 * then loaded from that manifest into the destination table exactly like a `load` job (checked,
 * chunked, one transaction, ledger). Source and destination may be different clusters,
 * workgroups or databases.
 */

export const transferSourceSchema = z
  .object({
    target: redshiftTargetSchema,
    /** The role the source cluster assumes to UNLOAD into staging. */
    iamRole: iamRoleSchema,
    query: z.string().trim().min(1).max(60_000).optional(),
    table: tableSchema.optional(),
    /** With `table`: the columns to transfer (default all). */
    columns: columnListSchema.optional(),
  })
  .strict();

export const transferDestinationSchema = z
  .object({
    target: redshiftTargetSchema,
    /** The role the destination cluster assumes to COPY from staging. */
    iamRole: iamRoleSchema,
    table: tableSchema,
    mode: z.enum(loadModes).default('append'),
    keys: mergeKeysSchema.optional(),
    orderBy: orderBySchema.optional(),
    ledger: ledgerOptionsSchema,
  })
  .strict();

export const transferJobSchema = z
  .object({
    kind: z.literal('transfer'),
    name: jobNameSchema,
    description: z.string().max(1000).optional(),
    source: transferSourceSchema,
    destination: transferDestinationSchema,
    /** Both clusters' roles must reach it: the UNLOAD files and the load's chunks go under `<staging>/<job>/<runId>/`. */
    staging: templatedS3UriSchema,
    chunkSize: chunkSizeSchema.default(64),
    slices: z.number().int().min(1).max(12_800).optional(),
    keepStaging: z.boolean().default(false),
    timeouts: timeoutsSchema,
    spark: sparkStepSchema.optional(),
    schedule: scheduleSchema.optional(),
  })
  .strict()
  .superRefine((job, ctx) => {
    const issue = issueReporter(ctx);
    const s = job.source;
    const d = job.destination;
    querySourceIssues(s, ['source'], issue);
    mergeRuleIssues(d, ['destination'], issue);
    const names: [string, (string | number)[]][] = [
      ...(s.columns ?? []).map((c, i): [string, (string | number)[]] => [c, ['source', 'columns', i]]),
      ...(d.keys ?? []).map((c, i): [string, (string | number)[]] => [c, ['destination', 'keys', i]]),
      ...(d.orderBy === undefined
        ? []
        : [[d.orderBy, ['destination', 'orderBy']] as [string, (string | number)[]]]),
    ];
    for (const [name, path] of names) identifierIssue(name, path, issue);
    identifierIssue(d.ledger.schema, ['destination', 'ledger', 'schema'], issue, 'name');
    identifierIssue(d.ledger.table, ['destination', 'ledger', 'table'], issue, 'name');
  });

export type TransferJobInput = z.input<typeof transferJobSchema>;
export type TransferJob = z.output<typeof transferJobSchema>;
