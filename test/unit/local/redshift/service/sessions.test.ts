import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Sessions } from '../../../../../local/redshift/service/sessions.ts';

/** A checked-out pool client as far as Sessions uses it: events and release(). */
function fakeClient() {
  const release = vi.fn();
  return { client: Object.assign(new EventEmitter(), { release }) as unknown as pg.PoolClient, release };
}

const connection = { database: 'dev', clusterIdentifier: 'local' } as const;

describe('Class: Sessions', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('closes an idle session after its keep-alive, releasing (discarding) its connection', () => {
    const sessions = new Sessions();
    const { client, release } = fakeClient();
    const session = sessions.open(client, connection, 60);
    sessions.idle(session);
    vi.advanceTimersByTime(59_999);
    expect(sessions.get(session.id)).toBe(session);
    vi.advanceTimersByTime(1);
    expect(sessions.get(session.id)).toBeUndefined();
    expect(release).toHaveBeenCalledExactlyOnceWith(true);
  });

  it('never closes a session while a statement of it runs, however long; the clock restarts when it ends', () => {
    const sessions = new Sessions();
    const { client, release } = fakeClient();
    const session = sessions.open(client, connection, 1);
    sessions.idle(session);
    vi.advanceTimersByTime(999);
    sessions.begin(session, 'statement-2');
    expect(session).toMatchObject({ busy: true, currentStatementId: 'statement-2' });
    vi.advanceTimersByTime(3_600_000);
    expect(sessions.get(session.id)).toBe(session);
    expect(release).not.toHaveBeenCalled();
    sessions.idle(session);
    vi.advanceTimersByTime(1_000);
    expect(sessions.get(session.id)).toBeUndefined();
    expect(release).toHaveBeenCalledExactlyOnceWith(true);
  });

  it('ends an idle session whose connection the engine ends, and a busy one when its statement ends', () => {
    const sessions = new Sessions();
    const idle = fakeClient();
    const idleSession = sessions.open(idle.client, connection, 60);
    sessions.idle(idleSession);
    idle.client.emit('error', new Error('terminating connection due to administrator command'));
    expect(sessions.get(idleSession.id)).toBeUndefined();
    expect(idle.release).toHaveBeenCalledExactlyOnceWith(true);

    const busy = fakeClient();
    const busySession = sessions.open(busy.client, connection, 60);
    sessions.idle(busySession);
    sessions.begin(busySession, 'running');
    busy.client.emit('error', new Error('terminating connection due to administrator command'));
    expect(busy.release).not.toHaveBeenCalled();
    expect(sessions.get(busySession.id)).toBe(busySession);
  });
});
