import type { HistoryEvent } from '@aws-sdk/client-sfn';

/**
 * What the console draws for one execution, computed from its state machine definition and its
 * history: the top-level states laid out in levels (breadth-first from StartAt) with the edges
 * between them, each coloured by what happened to it, and a timeline of every state visit.
 */

export const stateStatuses = ['succeeded', 'failed', 'caught', 'running', 'not-run'] as const;
export type StateStatus = (typeof stateStatuses)[number];

export interface GraphNode {
  name: string;
  type: string;
  level: number;
  /** Position within its level. */
  column: number;
  status: StateStatus;
  /** Times the state was entered (polling loops enter the same state many times). */
  entries: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** `next`, `choice`, `default` or `catch`. */
  kind: string;
}

export interface TimelineSpan {
  state: string;
  /** Milliseconds from the execution start. */
  start: number;
  end: number;
  status: StateStatus;
}

export interface ExecutionView {
  nodes: GraphNode[];
  edges: GraphEdge[];
  spans: TimelineSpan[];
  /** Milliseconds from the execution start to its end (or the last event while running). */
  duration: number;
}

interface AslState {
  Type?: string;
  Next?: string;
  Default?: string;
  End?: boolean;
  Choices?: { Next?: string }[];
  Catch?: { Next?: string }[];
}

interface AslDefinition {
  StartAt?: string;
  States?: Record<string, AslState>;
}

function edgesOf(name: string, state: AslState): GraphEdge[] {
  const edges: GraphEdge[] = [];
  if (state.Next) edges.push({ from: name, to: state.Next, kind: 'next' });
  for (const c of state.Choices ?? []) if (c.Next) edges.push({ from: name, to: c.Next, kind: 'choice' });
  if (state.Default) edges.push({ from: name, to: state.Default, kind: 'default' });
  for (const c of state.Catch ?? []) if (c.Next) edges.push({ from: name, to: c.Next, kind: 'catch' });
  // One edge per pair: a Choice with two rules to the same state is one arrow.
  return edges.filter((e, i) => edges.findIndex((x) => x.to === e.to) === i);
}

const isFailure = (type: string) =>
  type.endsWith('Failed') || type.endsWith('TimedOut') || type.endsWith('Aborted');

export function executionView(
  definition: AslDefinition,
  history: readonly HistoryEvent[],
  executionStatus: string,
): ExecutionView {
  const states = definition.States ?? {};
  const names = Object.keys(states);
  const edges = names.flatMap((n) => edgesOf(n, states[n] ?? {}));

  // Levels: breadth-first from StartAt along the success paths; the states reached only through
  // a Catch (cleanup, failure) go below all of them, breadth-first among themselves.
  const level = new Map<string, number>();
  const spread = (roots: string[], first: number, follow: (e: GraphEdge) => boolean) => {
    for (const r of roots) level.set(r, first);
    const queue = [...roots];
    for (let i = 0; i < queue.length; i++) {
      const from = queue[i] as string;
      for (const e of edges) {
        if (e.from === from && follow(e) && !level.has(e.to) && e.to in states) {
          level.set(e.to, (level.get(from) ?? 0) + 1);
          queue.push(e.to);
        }
      }
    }
  };
  const start = definition.StartAt ?? names[0];
  if (start !== undefined) spread([start], 0, (e) => e.kind !== 'catch');
  const caughtRoots = [
    ...new Set(
      edges.filter((e) => e.kind === 'catch' && !level.has(e.to) && e.to in states).map((e) => e.to),
    ),
  ];
  spread(caughtRoots, Math.max(-1, ...level.values()) + 1, () => true);
  const deepest = Math.max(0, ...level.values());
  for (const n of names) if (!level.has(n)) level.set(n, deepest + 1);

  // Outcomes from the history (top level only: Map iterations count in their Map state).
  const t0 = history[0]?.timestamp?.getTime() ?? 0;
  const at = (e: HistoryEvent) => (e.timestamp?.getTime() ?? t0) - t0;
  const statusOf = new Map<string, StateStatus>();
  const entries = new Map<string, number>();
  const spans: TimelineSpan[] = [];
  let open: { name: string; start: number; failed: boolean } | undefined;
  let depth = 0;
  let last = 0;
  for (const event of history) {
    const type = event.type ?? '';
    last = Math.max(last, at(event));
    if (type === 'MapIterationStarted') depth++;
    if (type === 'MapIterationSucceeded' || type === 'MapIterationFailed' || type === 'MapIterationAborted') {
      depth = Math.max(0, depth - 1);
      continue;
    }
    if (depth > 0) continue;
    if (type.endsWith('StateEntered')) {
      const name = event.stateEnteredEventDetails?.name ?? '?';
      open = { name, start: at(event), failed: false };
      entries.set(name, (entries.get(name) ?? 0) + 1);
    } else if (type.endsWith('StateExited') && open !== undefined) {
      const status: StateStatus = open.failed ? 'caught' : 'succeeded';
      spans.push({ state: open.name, start: open.start, end: at(event), status });
      // A later clean visit (a retried poll) does not hide an earlier caught failure.
      if (statusOf.get(open.name) !== 'caught') statusOf.set(open.name, status);
      open = undefined;
    } else if (open !== undefined && isFailure(type)) {
      open.failed = true;
    } else if (open !== undefined && type.endsWith('Succeeded') && !type.startsWith('Execution')) {
      // A retried task that succeeded in the end.
      open.failed = false;
    }
  }
  if (open !== undefined) {
    const status: StateStatus = executionStatus === 'RUNNING' ? 'running' : 'failed';
    spans.push({ state: open.name, start: open.start, end: last, status });
    statusOf.set(open.name, status);
  }

  const columns = new Map<number, number>();
  const nodes = names.map((name): GraphNode => {
    const l = level.get(name) ?? 0;
    const column = columns.get(l) ?? 0;
    columns.set(l, column + 1);
    return {
      name,
      type: states[name]?.Type ?? '?',
      level: l,
      column,
      status: statusOf.get(name) ?? 'not-run',
      entries: entries.get(name) ?? 0,
    };
  });
  return { nodes, edges: edges.filter((e) => e.to in states), spans, duration: last };
}
