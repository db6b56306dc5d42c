import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * "Start something, then wait for it" has one shape in every state machine, so that a reader
 * learns it once and a fix to one loop is a fix to all: `Wait` (SecondsPath
 * `$.<x>.nextWaitSeconds`, the poller's own advice) -> poll Task (ResultPath `$.<x>`) -> `Choice`
 * on `$.<x>.done` (true leaves, Default waits again). Statement polls also share their task:
 * PollStatement with `{ runId, target, statement }` and the same Retry.
 */

type State = Record<string, unknown>;
type States = Record<string, State>;

const dir = 'statemachines';
const files = readdirSync(dir).filter((f) => f.endsWith('.asl.yml'));

/** Every States map of a definition, nested Map processors included. */
function allStateMaps(definition: { States: States }): States[] {
  const maps: States[] = [definition.States];
  for (const state of Object.values(definition.States)) {
    const processor = (state.ItemProcessor ?? state.Iterator) as { States: States } | undefined;
    if (processor !== undefined) maps.push(...allStateMaps(processor));
  }
  return maps;
}

interface PollLoop {
  file: string;
  /** The States map the loop lives in. */
  states: States;
  wait: string;
  poll: State;
  pollName: string;
  subject: string;
}

function pollLoops(): PollLoop[] {
  const loops: PollLoop[] = [];
  for (const file of files) {
    const definition = parse(readFileSync(join(dir, file), 'utf8')) as { States: States };
    for (const states of allStateMaps(definition)) {
      for (const [name, state] of Object.entries(states)) {
        if (state.Type !== 'Wait') continue;
        const subject = /^\$\.([A-Za-z]+)\.nextWaitSeconds$/.exec(String(state.SecondsPath))?.[1];
        expect(subject, `${file} ${name}: SecondsPath $.<x>.nextWaitSeconds`).toBeDefined();
        const pollName = String(state.Next);
        const poll = states[pollName];
        expect(poll, `${file} ${name}: Next names a state`).toBeDefined();
        loops.push({ file, states, wait: name, poll: poll as State, pollName, subject: subject as string });
      }
    }
  }
  return loops;
}

const statementPollRetry = [
  {
    ErrorEquals: [
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
      'TransientError',
    ],
    IntervalSeconds: 2,
    MaxAttempts: 8,
    BackoffRate: 2,
    MaxDelaySeconds: 60,
    JitterStrategy: 'FULL',
  },
];

describe('poll loops (run and wait) in statemachines/*.asl.yml', () => {
  const loops = pollLoops();

  it('finds the loops of every file', () => {
    expect(new Set(loops.map((l) => l.file))).toEqual(new Set(files));
    expect(loops.length).toBeGreaterThanOrEqual(6);
  });

  it('is Wait -> poll Task -> Choice on done -> back to the Wait, everywhere', () => {
    for (const { file, states, wait, poll, pollName, subject } of loops) {
      const at = `${file} ${wait} -> ${pollName}`;
      expect(poll.Type, at).toBe('Task');
      expect(poll.ResultPath, at).toBe(`$.${subject}`);
      const choice = states[String(poll.Next)] as State;
      expect(choice?.Type, `${at}: Next is a Choice`).toBe('Choice');
      expect(choice.Default, `${at}: not done -> wait again`).toBe(wait);
      expect(choice.Choices, at).toEqual([
        { Variable: `$.${subject}.done`, BooleanEquals: true, Next: expect.any(String) },
      ]);
    }
  });

  it('polls statements with one task shape and one Retry', () => {
    const statementLoops = loops.filter((l) => l.subject === 'statement');
    expect(statementLoops.length).toBeGreaterThanOrEqual(4);
    for (const { file, poll, pollName } of statementLoops) {
      const at = `${file} ${pollName}`;
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL placeholder, not a template
      expect(poll.Resource, at).toBe('${PollStatementFunctionArn}');
      expect(Object.keys(poll.Parameters as object).sort(), at).toEqual([
        'runId.$',
        'statement.$',
        'target.$',
      ]);
      expect((poll.Parameters as Record<string, string>)['statement.$'], at).toBe('$.statement');
      expect((poll.Parameters as Record<string, string>)['runId.$'], at).toBe('$.runId');
      expect(poll.Retry, at).toEqual(statementPollRetry);
    }
  });
});
