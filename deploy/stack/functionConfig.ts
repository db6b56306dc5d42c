import { z } from 'zod';
import { ConfigError } from '../../src/errors.ts';
import { formatIssues } from '../../src/validation/formatIssues.ts';

/** The buckets of a stage, by the role they play (see the `*Bucket` stage parameters). */
export const bucketRoles = ['staging', 'exports', 'landing', 'state'] as const;
export type BucketRole = (typeof bucketRoles)[number];
const bucketRoleSchema = z.enum(bucketRoles);

/** S3 access classes: which buckets a function may read, write, delete in, and list. */
export const s3Classes = ['read', 'write', 'delete', 'list'] as const;
export type S3Class = (typeof s3Classes)[number];

const s3ScopeSchema = z.union([
  z.array(bucketRoleSchema).transform((all) => ({ read: all, write: all, delete: all, list: all })),
  z
    .object({
      read: z.array(bucketRoleSchema).default([]),
      write: z.array(bucketRoleSchema).default([]),
      delete: z.array(bucketRoleSchema).default([]),
      list: z.array(bucketRoleSchema).default([]),
    })
    .strict(),
]);
export type S3Scope = Record<S3Class, BucketRole[]>;

const functionConfigSchema = z
  .object({
    memorySize: z.number().int().min(128).max(10240).optional(),
    timeout: z.number().int().min(1).max(900).optional(),
    description: z.string().max(256).optional(),
    /** Buckets the function may touch; all of the stage's buckets when absent. */
    s3: s3ScopeSchema.optional(),
    /** State machine kinds the function may start; every one in the stack when absent. */
    stateMachines: z.array(z.string()).optional(),
  })
  .strict();

/** `deploy/functions.yml`: sizing and narrower IAM scopes per function. */
export const functionConfigFileSchema = z
  .object({
    defaults: z
      .object({
        memorySize: z.number().int().min(128).max(10240),
        timeout: z.number().int().min(1).max(900),
      })
      .strict(),
    functions: z.record(z.string(), functionConfigSchema.nullable()).default({}),
  })
  .strict();
export type FunctionConfigFile = z.infer<typeof functionConfigFileSchema>;

export interface FunctionConfig {
  memorySize: number;
  timeout: number;
  description?: string | undefined;
  s3: S3Scope;
  stateMachines?: string[] | undefined;
}

const allBuckets: S3Scope = {
  read: [...bucketRoles],
  write: [...bucketRoles],
  delete: [...bucketRoles],
  list: [...bucketRoles],
};

/**
 * Validates `deploy/functions.yml` against the functions that exist: an entry for a function that
 * is not in `functions/` is an error (a rename would otherwise silently widen IAM back to defaults).
 */
export function resolveFunctionConfigs(
  raw: unknown,
  functionNames: readonly string[],
  stateMachineKinds: readonly string[],
  file = 'deploy/functions.yml',
): Map<string, FunctionConfig> {
  const parsed = functionConfigFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`${file}:\n  - ${formatIssues(parsed.error.issues).join('\n  - ')}`);
  }
  const { defaults, functions } = parsed.data;
  const problems: string[] = [];
  for (const [name, cfg] of Object.entries(functions)) {
    if (!functionNames.includes(name)) {
      problems.push(`functions.${name}: there is no functions/${name}.ts; remove or rename the entry`);
    }
    for (const kind of cfg?.stateMachines ?? []) {
      if (!stateMachineKinds.includes(kind)) {
        problems.push(`functions.${name}.stateMachines: no statemachines/${kind}.asl.yml`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(`${file}:\n  - ${problems.join('\n  - ')}`);
  const result = new Map<string, FunctionConfig>();
  for (const name of functionNames) {
    const cfg = functions[name] ?? {};
    result.set(name, {
      memorySize: cfg.memorySize ?? defaults.memorySize,
      timeout: cfg.timeout ?? defaults.timeout,
      description: cfg.description,
      s3: cfg.s3 ?? allBuckets,
      stateMachines: cfg.stateMachines,
    });
  }
  return result;
}
