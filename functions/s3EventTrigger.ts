import { z } from 'zod';
import { ConfigError } from '../src/errors.ts';
import { triggeredJobs, triggerLoads } from '../src/trigger/triggerLoads.ts';
import { defineHandler } from './_shared/defineHandler.ts';

/**
 * S3EventTrigger: an EventBridge "Object Created" event or S3 notification Records -> one load
 * execution per (object version, matching job in RT_JOBS_DIR), named from the object so that a
 * re-delivered event starts nothing. Returns what was started, what was a duplicate, and what no
 * job matched. Needs RT_LOAD_STATE_MACHINE_ARN.
 */
export const handler = defineHandler({
  name: 's3EventTrigger',
  input: z.unknown(),
  run: async (event, { clients, env }) => {
    if (env.RT_LOAD_STATE_MACHINE_ARN === undefined) {
      throw new ConfigError(
        'RT_LOAD_STATE_MACHINE_ARN is not set: the trigger does not know which state machine to start.',
      );
    }
    return triggerLoads({
      sfn: clients.sfn,
      stateMachineArn: env.RT_LOAD_STATE_MACHINE_ARN,
      jobs: await triggeredJobs(env.RT_JOBS_DIR),
      event,
    });
  },
});
