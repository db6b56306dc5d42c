import type { Logger } from '@aws-lambda-powertools/logger';

/** Runs one step of a best-effort sequence: `what` says what the step does ("remove staging"). */
export type BestEffortStep = (what: string, step: () => Promise<void>) => Promise<void>;

/**
 * Steps that must not throw (cleanup runs after the run's own error, which must stay the one
 * reported): a failed step is appended to `problems` as `<what>: <ErrorName>: <message>`, logged
 * as a warning, and the next step still runs.
 */
export function bestEffort(problems: string[], logger?: Logger): BestEffortStep {
  return async (what, step) => {
    try {
      await step();
    } catch (error) {
      const { name, message } = error as Error;
      problems.push(`${what}: ${name}: ${message}`);
      logger?.warn(`cleanup could not ${what}`, { errorName: name, errorMessage: message });
    }
  };
}
