import { pollDecision } from '../../../src/dataapi/pollDecision.ts';
import { notePayload, scenario } from './_scenario.ts';

interface Statement {
  id: string;
  startedAt: number;
  deadline: number;
  attempt: number;
}

/** Stand-in for functions/pollStatement.ts: STARTED until the scenario's poll, then FINISHED. */
export const handler = async (event: { statement: Statement }) => {
  notePayload(event, 'PollStatement input');
  const s = event.statement;
  const finished = s.attempt + 1 >= scenario.pollsUntilDone;
  const status = finished ? 'FINISHED' : 'STARTED';
  const decision = pollDecision({
    status,
    attempt: s.attempt,
    startedAt: s.startedAt,
    deadline: s.deadline,
    now: s.startedAt + 1000 * (s.attempt + 1),
  });
  return {
    ...s,
    attempt: s.attempt + 1,
    status,
    done: decision.done,
    nextWaitSeconds: decision.nextWaitSeconds,
    resultRows: finished ? scenario.parts * scenario.rowsPerPart : null,
  };
};
