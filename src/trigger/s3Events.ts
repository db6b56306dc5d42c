import { z } from 'zod';
import { JobValidationError } from '../errors.ts';
import { formatIssues } from '../validation/formatIssues.ts';

/** One created object, whatever the event that told us about it. */
export interface CreatedObject {
  bucket: string;
  /** The key as S3 stores it (notification keys are URL-decoded here). */
  key: string;
  size?: number | undefined;
  etag?: string | undefined;
  versionId?: string | undefined;
  /** Orders events for one key; the same for every delivery of one event. */
  sequencer?: string | undefined;
  /** ISO time of the event. */
  time?: string | undefined;
}

/** EventBridge "Object Created" (S3 -> EventBridge; see reference/aws-facts.md section 4). */
const eventBridgeSchema = z
  .object({
    'detail-type': z.literal('Object Created'),
    source: z.literal('aws.s3'),
    time: z.string().optional(),
    detail: z
      .object({
        bucket: z.object({ name: z.string().min(1) }).loose(),
        object: z
          .object({
            key: z.string().min(1),
            size: z.number().optional(),
            etag: z.string().optional(),
            'version-id': z.string().optional(),
            sequencer: z.string().optional(),
          })
          .loose(),
      })
      .loose(),
  })
  .loose();

/** S3 event notification records (S3 -> Lambda/SNS/SQS). */
const notificationSchema = z
  .object({
    Records: z.array(
      z
        .object({
          eventSource: z.string().optional(),
          eventName: z.string(),
          eventTime: z.string().optional(),
          s3: z
            .object({
              bucket: z.object({ name: z.string().min(1) }).loose(),
              object: z
                .object({
                  key: z.string().min(1),
                  size: z.number().optional(),
                  eTag: z.string().optional(),
                  versionId: z.string().optional(),
                  sequencer: z.string().optional(),
                })
                .loose(),
            })
            .loose(),
        })
        .loose(),
    ),
  })
  .loose();

/**
 * The created objects an event reports: an EventBridge "Object Created" event (key as is) or S3
 * notification records (keys URL-decoded, `+` is a space; records other than ObjectCreated:* are
 * ignored). Anything else is a JobValidationError listing what was expected.
 */
export function createdObjects(event: unknown): CreatedObject[] {
  if (typeof event === 'object' && event !== null && 'detail-type' in event) {
    const parsed = eventBridgeSchema.safeParse(event);
    if (!parsed.success) {
      throw new JobValidationError(
        'Not an S3 "Object Created" EventBridge event',
        formatIssues(parsed.error.issues),
      );
    }
    const { detail } = parsed.data;
    return [
      {
        bucket: detail.bucket.name,
        key: detail.object.key,
        size: detail.object.size,
        etag: detail.object.etag,
        versionId: detail.object['version-id'],
        sequencer: detail.object.sequencer,
        time: parsed.data.time,
      },
    ];
  }
  if (typeof event === 'object' && event !== null && 'Records' in event) {
    const parsed = notificationSchema.safeParse(event);
    if (!parsed.success) {
      throw new JobValidationError('Not an S3 event notification', formatIssues(parsed.error.issues));
    }
    return parsed.data.Records.filter((r) =>
      r.eventName.replace(/^s3:/, '').startsWith('ObjectCreated:'),
    ).map((r) => ({
      bucket: r.s3.bucket.name,
      key: decodeNotificationKey(r.s3.object.key),
      size: r.s3.object.size,
      etag: r.s3.object.eTag,
      versionId: r.s3.object.versionId,
      sequencer: r.s3.object.sequencer,
      time: r.eventTime,
    }));
  }
  throw new JobValidationError(
    'Unknown event: expected an EventBridge "Object Created" event from aws.s3, or S3 notification Records',
  );
}

/** S3 notifications URL-encode keys form-style: `red flower.jpg` arrives as `red+flower.jpg`. */
export function decodeNotificationKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}
