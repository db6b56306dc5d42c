import { fileURLToPath } from 'node:url';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidExecutionInput,
  InvalidName,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSfn, startLocalSfn } from '../../../../local/sfn/startLocalSfn.ts';
import { createSfnClient } from '../../../../src/aws/clients.ts';

const fixtures = fileURLToPath(new URL('../../../fixtures/statemachines/', import.meta.url));
const arn = (kind: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:redshift-transfer-${kind}`;

let sfn: LocalSfn;
let client: SFNClient;

beforeAll(async () => {
  sfn = await startLocalSfn({
    region: 'us-east-1',
    stateMachinesDir: fixtures,
    kinds: ['tasks', 'waits'],
    functionsDir: `${fixtures}functions`,
    substitutions: { stateBucket: 'state-bucket' },
    waitScale: 0,
  });
  client = createSfnClient({ region: 'us-east-1', endpoint: sfn.endpoint });
});

afterAll(async () => {
  client?.destroy();
  await sfn?.stop();
});

describe('startLocalSfn (through @aws-sdk/client-sfn)', () => {
  it('lists and describes the state machines registered from the files', async () => {
    const list = await client.send(new ListStateMachinesCommand({}));
    expect(list.stateMachines?.map((s) => [s.name, s.stateMachineArn, s.type])).toEqual([
      ['redshift-transfer-tasks', arn('tasks'), 'STANDARD'],
      ['redshift-transfer-waits', arn('waits'), 'STANDARD'],
    ]);
    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: arn('tasks') }));
    expect(described.status).toBe('ACTIVE');
    expect(JSON.parse(described.definition ?? '').States.Echo.Resource).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:redshift-transfer-local-echo',
    );
    await expect(
      client.send(new DescribeStateMachineCommand({ stateMachineArn: arn('nope') })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });

  it('starts an execution, describes it when done and pages through its history', async () => {
    // Act
    const started = await client.send(
      new StartExecutionCommand({
        stateMachineArn: arn('tasks'),
        name: 'run-1',
        input: '{"failures":0,"count":2}',
      }),
    );
    await sfn.whenDone(started.executionArn ?? '');
    const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    const pages: HistoryEvent[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new GetExecutionHistoryCommand({ executionArn: started.executionArn, maxResults: 5, nextToken }),
      );
      pages.push(page.events ?? []);
      nextToken = page.nextToken;
    } while (nextToken);
    const reversed = await client.send(
      new GetExecutionHistoryCommand({
        executionArn: started.executionArn,
        reverseOrder: true,
        includeExecutionData: false,
      }),
    );

    // Assess
    expect(started.executionArn).toBe(
      'arn:aws:states:us-east-1:000000000000:execution:redshift-transfer-tasks:run-1',
    );
    expect(started.startDate).toBeInstanceOf(Date);
    expect(described).toMatchObject({
      status: 'SUCCEEDED',
      name: 'run-1',
      stateMachineArn: arn('tasks'),
      input: '{"failures":0,"count":2}',
    });
    expect(JSON.parse(described.output ?? '')).toMatchObject({ validated: { doubled: 4 } });
    expect(described.stopDate?.getTime()).toBeGreaterThanOrEqual(described.startDate?.getTime() ?? 0);
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 4]);
    const events = pages.flat();
    expect(events.map((e) => e.id)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    expect(events[0]).toMatchObject({
      type: 'ExecutionStarted',
      timestamp: expect.any(Date),
      executionStartedEventDetails: { input: '{"failures":0,"count":2}' },
    });
    expect(reversed.events?.[0]).toMatchObject({
      type: 'ExecutionSucceeded',
      executionSucceededEventDetails: {},
    });
    expect(reversed.events?.[0]?.executionSucceededEventDetails?.output).toBeUndefined();
  });

  it('DescribeStateMachineForExecution and the DescribeExecution fields real clients read', async () => {
    const started = await client.send(
      new StartExecutionCommand({
        stateMachineArn: arn('tasks'),
        input: JSON.stringify({ failures: 0, count: 1 }),
      }),
    );
    await sfn.whenDone(started.executionArn ?? '');
    const machine = await client.send(
      new DescribeStateMachineForExecutionCommand({ executionArn: started.executionArn }),
    );
    expect(machine.stateMachineArn).toBe(arn('tasks'));
    expect(machine.name).toBe('redshift-transfer-tasks');
    expect(machine.updateDate).toBeInstanceOf(Date);
    expect(JSON.parse(machine.definition ?? '').States.Echo).toBeDefined();
    const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described).toMatchObject({
      inputDetails: { included: true },
      outputDetails: { included: true },
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    });
    await expect(
      client.send(
        new DescribeStateMachineForExecutionCommand({
          executionArn: 'arn:aws:states:us-east-1:000000000000:execution:redshift-transfer-tasks:nope',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });

  it('redrives a failed execution from the state that failed, keeping its ARN, input and history', async () => {
    // Arrange: Flaky fails 5 times per execution name; its Retry allows 4 attempts, so the first
    // attempt fails at Flaky and the redrive (attempts 5 and 6) gets through.
    const started = await client.send(
      new StartExecutionCommand({
        stateMachineArn: arn('tasks'),
        name: 'redrive-1',
        input: JSON.stringify({ failures: 5, count: 3 }),
      }),
    );
    const executionArn = started.executionArn ?? '';
    await sfn.whenDone(executionArn);
    const failed = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(failed).toMatchObject({ status: 'FAILED', error: 'TransientError', redriveCount: 0 });
    expect(failed.redriveStatus).toBe('REDRIVABLE');
    const firstAttemptEvents =
      (await client.send(new GetExecutionHistoryCommand({ executionArn }))).events ?? [];

    // Act
    const redriven = await client.send(new RedriveExecutionCommand({ executionArn }));
    await sfn.whenDone(executionArn);

    // Assert
    expect(redriven.redriveDate).toBeInstanceOf(Date);
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({
      status: 'SUCCEEDED',
      redriveCount: 1,
      redriveStatus: 'NOT_REDRIVABLE',
      input: JSON.stringify({ failures: 5, count: 3 }),
    });
    expect(described.redriveDate?.getTime()).toBe(redriven.redriveDate?.getTime());
    expect(described.error).toBeUndefined();
    const output = JSON.parse(described.output ?? '{}');
    // Echo's result from the first attempt is kept; Flaky's attempts went on counting: 6.
    expect(output).toMatchObject({
      echo: { echoed: true },
      flaky: { attempts: 6 },
      validated: { doubled: 6 },
    });
    const events = (await client.send(new GetExecutionHistoryCommand({ executionArn }))).events ?? [];
    expect(events.slice(0, firstAttemptEvents.length).map((e) => e.type)).toEqual(
      firstAttemptEvents.map((e) => e.type),
    );
    const after = events.slice(firstAttemptEvents.length);
    expect(after[0]).toMatchObject({
      type: 'ExecutionRedriven',
      executionRedrivenEventDetails: { redriveCount: 1 },
    });
    const entered = after.flatMap((e) =>
      e.stateEnteredEventDetails ? [e.stateEnteredEventDetails.name] : [],
    );
    expect(entered).toEqual(['Flaky', 'ShouldFail', 'Validated']);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    const executions = await client.send(new ListExecutionsCommand({ stateMachineArn: arn('tasks') }));
    expect(executions.executions?.filter((e) => e.name === 'redrive-1')).toHaveLength(1);

    // A succeeded (or running) execution is not redrivable.
    await expect(client.send(new RedriveExecutionCommand({ executionArn }))).rejects.toBeInstanceOf(
      ExecutionNotRedrivable,
    );
  });

  it('reports a failed execution with its error and cause', async () => {
    const started = await client.send(
      new StartExecutionCommand({
        stateMachineArn: arn('tasks'),
        input: JSON.stringify({ failures: 0, count: 1, failWith: 'PartProcessingError' }),
      }),
    );
    const done = await sfn.whenDone(started.executionArn ?? '');
    expect(done).toMatchObject({
      status: 'FAILED',
      error: 'PartProcessingError',
      cause: 'part 7 has 3 rows, the manifest says 4',
    });
  });

  it('treats a repeated name like AWS: same input while running is idempotent, otherwise ExecutionAlreadyExists', async () => {
    const slowSfn = await startLocalSfn({
      region: 'us-east-1',
      stateMachinesDir: fixtures,
      kinds: ['waits'],
      functionsDir: `${fixtures}functions`,
      substitutions: { stateBucket: 'state-bucket' },
      waitScale: 1,
    });
    const slow = createSfnClient({ region: 'us-east-1', endpoint: slowSfn.endpoint });
    try {
      const input = '{"waitSeconds":1,"items":[]}';
      const first = await slow.send(
        new StartExecutionCommand({ stateMachineArn: arn('waits'), name: 'dup', input }),
      );
      const again = await slow.send(
        new StartExecutionCommand({ stateMachineArn: arn('waits'), name: 'dup', input }),
      );
      expect(again.executionArn).toBe(first.executionArn);
      expect(again.startDate).toEqual(first.startDate);
      await expect(
        slow.send(
          new StartExecutionCommand({
            stateMachineArn: arn('waits'),
            name: 'dup',
            input: '{"waitSeconds":2}',
          }),
        ),
      ).rejects.toBeInstanceOf(ExecutionAlreadyExists);

      const stopped = await slow.send(
        new StopExecutionCommand({
          executionArn: first.executionArn,
          error: 'Operator',
          cause: 'not needed',
        }),
      );
      expect(stopped.stopDate).toBeInstanceOf(Date);
      expect(await slowSfn.whenDone(first.executionArn ?? '')).toMatchObject({
        status: 'ABORTED',
        error: 'Operator',
        cause: 'not needed',
      });
      // Closed: the name stays taken whatever the input.
      await expect(
        slow.send(new StartExecutionCommand({ stateMachineArn: arn('waits'), name: 'dup', input })),
      ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    } finally {
      slow.destroy();
      await slowSfn.stop();
    }
  });

  it('redrives an aborted execution from the state it was stopped in; a running one is not redrivable', async () => {
    const slowSfn = await startLocalSfn({
      region: 'us-east-1',
      stateMachinesDir: fixtures,
      kinds: ['waits'],
      functionsDir: `${fixtures}functions`,
      substitutions: { stateBucket: 'state-bucket' },
      waitScale: 1,
    });
    const slow = createSfnClient({ region: 'us-east-1', endpoint: slowSfn.endpoint });
    try {
      const started = await slow.send(
        new StartExecutionCommand({
          stateMachineArn: arn('waits'),
          name: 'redrive-aborted',
          input: '{"waitSeconds":1,"items":[]}',
        }),
      );
      const executionArn = started.executionArn ?? '';
      await slow.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'paused' }));
      await slowSfn.whenDone(executionArn);
      const aborted = await slow.send(new DescribeExecutionCommand({ executionArn }));
      expect(aborted).toMatchObject({ status: 'ABORTED', redriveStatus: 'REDRIVABLE', redriveCount: 0 });
      const execution = slowSfn.executions.get(executionArn);
      const reentered = new Promise<HistoryEvent>((resolve) => {
        execution?.onEvent((event) => {
          if (event.type === 'WaitStateEntered') resolve(event);
        });
      });

      await slow.send(new RedriveExecutionCommand({ executionArn }));

      // WaitLong (3600 s) was running when it was stopped: the redrive enters it again.
      expect((await reentered).stateEnteredEventDetails?.name).toBe('WaitLong');
      const running = await slow.send(new DescribeExecutionCommand({ executionArn }));
      expect(running).toMatchObject({ status: 'RUNNING', redriveCount: 1, redriveStatus: 'NOT_REDRIVABLE' });
      expect(running.error).toBeUndefined();
      expect(running.stopDate).toBeUndefined();
      await expect(slow.send(new RedriveExecutionCommand({ executionArn }))).rejects.toBeInstanceOf(
        ExecutionNotRedrivable,
      );
      await slow.send(new StopExecutionCommand({ executionArn }));
      expect(await slowSfn.whenDone(executionArn)).toMatchObject({ status: 'ABORTED', redriveCount: 1 });
    } finally {
      slow.destroy();
      await slowSfn.stop();
    }
  });

  it('lists executions newest first, filtered by status and paged', async () => {
    for (const name of ['list-a', 'list-b', 'list-c']) {
      const started = await client.send(
        new StartExecutionCommand({
          stateMachineArn: arn('waits'),
          name,
          input: '{"waitSeconds":0,"items":[1]}',
        }),
      );
      await sfn.whenDone(started.executionArn ?? '');
    }
    const first = await client.send(
      new ListExecutionsCommand({ stateMachineArn: arn('waits'), statusFilter: 'SUCCEEDED', maxResults: 2 }),
    );
    const second = await client.send(
      new ListExecutionsCommand({
        stateMachineArn: arn('waits'),
        statusFilter: 'SUCCEEDED',
        nextToken: first.nextToken,
      }),
    );
    expect([...(first.executions ?? []), ...(second.executions ?? [])].map((e) => e.name)).toEqual([
      'list-c',
      'list-b',
      'list-a',
    ]);
    expect(second.nextToken).toBeUndefined();
  });

  it('rejects bad requests with the typed exceptions', async () => {
    await expect(
      client.send(
        new StartExecutionCommand({ stateMachineArn: arn('tasks'), name: 'has space', input: '{}' }),
      ),
    ).rejects.toBeInstanceOf(InvalidName);
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn: arn('tasks'), input: '{not json' })),
    ).rejects.toBeInstanceOf(InvalidExecutionInput);
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn: arn('missing'), input: '{}' })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(
      client.send(
        new DescribeExecutionCommand({
          executionArn: `${arn('tasks').replace('stateMachine', 'execution')}:nope`,
        }),
      ),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });
});
