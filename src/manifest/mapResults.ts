import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { getText } from '../aws/s3Objects.ts';
import { ManifestError } from '../errors.ts';
import { formatIssues } from '../validation/formatIssues.ts';

/**
 * Reads what a Distributed Map's ResultWriter wrote: `manifest.json` (`ResultFiles.SUCCEEDED[]`
 * keys) and each `SUCCEEDED_n.json`, an array of child executions whose `Output` is the child's
 * output as a JSON string. Returns the parsed outputs.
 */
const manifestSchema = z.object({
  DestinationBucket: z.string().optional(),
  ResultFiles: z.object({
    SUCCEEDED: z.array(z.object({ Key: z.string() })).default([]),
    FAILED: z.array(z.object({ Key: z.string() })).default([]),
  }),
});

export async function readMapResults(
  s3: S3Client,
  details: { Bucket: string; Key: string },
): Promise<unknown[]> {
  const where = `s3://${details.Bucket}/${details.Key}`;
  const text = await getText(s3, details.Bucket, details.Key);
  if (text === undefined) throw new ManifestError(`Distributed Map result manifest ${where} does not exist.`);
  const parsed = manifestSchema.safeParse(safeJson(text, where));
  if (!parsed.success) {
    throw new ManifestError(
      `Distributed Map result manifest ${where} is malformed:\n  - ${formatIssues(parsed.error.issues).join('\n  - ')}`,
    );
  }
  const outputs: unknown[] = [];
  for (const file of parsed.data.ResultFiles.SUCCEEDED) {
    const bucket = parsed.data.DestinationBucket ?? details.Bucket;
    const body = await getText(s3, bucket, file.Key);
    if (body === undefined)
      throw new ManifestError(`Distributed Map result file s3://${bucket}/${file.Key} does not exist.`);
    const records = body.trimStart().startsWith('[')
      ? (safeJson(body, file.Key) as unknown[])
      : body
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => safeJson(l, file.Key));
    for (const [i, record] of records.entries()) {
      const output = (record as { Output?: unknown }).Output;
      if (typeof output !== 'string') {
        throw new ManifestError(
          `Distributed Map result file ${file.Key}: [${i}].Output is missing (use WriterConfig Transformation NONE).`,
        );
      }
      outputs.push(safeJson(output, `${file.Key} [${i}].Output`));
    }
  }
  return outputs;
}

function safeJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${where} is not valid JSON (${(error as Error).message}).`, { cause: error });
  }
}
