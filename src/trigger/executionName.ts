import { createHash } from 'node:crypto';
import type { CreatedObject } from './s3Events.ts';

/**
 * The execution name (and run id) of the load of one object version by one job:
 * `<job>-<hash>`, where the hash covers the job, bucket, key and the version id (else the
 * sequencer, else the ETag). Every delivery of one event gives the same name, so a duplicate
 * StartExecution starts nothing (Step Functions keeps names unique per state machine for 90
 * days); a new version of the key gets a new name. At most 80 characters of [A-Za-z0-9-].
 */
export function executionName(jobName: string, object: CreatedObject): string {
  const version =
    object.versionId ?? (object.sequencer === undefined ? undefined : `seq:${object.sequencer}`);
  const identity = version ?? `etag:${(object.etag ?? '').replace(/"/g, '')}`;
  const hash = createHash('sha256')
    .update(`${jobName}\n${object.bucket}\n${object.key}\n${identity}`)
    .digest('hex')
    .slice(0, 32);
  const prefix = jobName.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 40);
  return `${prefix}-${hash}`;
}
