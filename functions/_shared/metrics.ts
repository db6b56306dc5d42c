import { appendFile } from 'node:fs/promises';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  type MetricBatch,
  runMetricDefinitions,
} from '../../src/metrics/runMetrics.ts';

/**
 * Publishes one batch as a CloudWatch embedded-metric-format line (Powertools Metrics builds it).
 * On Lambda the line goes to stdout, where CloudWatch Logs extracts the metrics; with
 * RT_METRICS_FILE (the local stack) it is appended to that file instead, so a CLI's output stays
 * clean and tests can read it.
 */
export async function publishMetrics(
  batch: MetricBatch,
  context: { runId?: string | undefined; metricsFile?: string | undefined },
): Promise<void> {
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE });
  if (batch.job !== undefined) metrics.addDimension('job', batch.job);
  for (const m of batch.metrics) metrics.addMetric(m.name, runMetricDefinitions[m.name].unit, m.value);
  if (context.runId !== undefined) metrics.addMetadata('runId', context.runId);
  for (const [key, value] of Object.entries(batch.metadata ?? {})) metrics.addMetadata(key, value);
  const line = `${JSON.stringify(metrics.serializeMetrics())}\n`;
  metrics.clearMetrics();
  if (context.metricsFile) await appendFile(context.metricsFile, line);
  else process.stdout.write(line);
}
