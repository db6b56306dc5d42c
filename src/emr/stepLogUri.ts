/**
 * Where EMR puts a step's logs under the cluster's LogUri:
 * `<logUri>/<clusterId>/steps/<stepId>/` (holding `stderr.gz`, `stdout.gz`, `controller.gz`).
 */
export function stepLogUri(logUri: string, clusterId: string, stepId: string): string {
  const base = logUri.endsWith('/') ? logUri : `${logUri}/`;
  return `${base}${clusterId}/steps/${stepId}/`;
}
