import type { Env } from '../config/env.ts';

/** Slices of the local stack's Redshift when RT_CLUSTER_SLICES is not set (its default). */
export const LOCAL_STACK_SLICES = 4;

/**
 * The slice count to use without asking Redshift: RT_CLUSTER_SLICES, else 4 against a custom
 * Data API endpoint (the local stack has no stv_slices), else undefined (ask stv_slices).
 */
export function clusterSlices(
  env: Pick<Env, 'RT_CLUSTER_SLICES' | 'RT_ENDPOINT_REDSHIFT_DATA'>,
): number | undefined {
  if (env.RT_CLUSTER_SLICES !== undefined) return env.RT_CLUSTER_SLICES;
  return env.RT_ENDPOINT_REDSHIFT_DATA === undefined ? undefined : LOCAL_STACK_SLICES;
}
