import { describe, expect, it } from 'vitest';
import {
  buildStartupPacket,
  commandComplete,
  errorResponse,
  message,
  parseStartupParams,
  readCString,
  readMessages,
  readStartupPacket,
  readyForQuery,
} from '../../../../local/jdbc/wireMessages.ts';

describe('PostgreSQL wire framing', () => {
  it('round-trips a startup packet and keeps the parameters in order', () => {
    const params = new Map([
      ['user', 'postgres'],
      ['database', 'dev'],
      ['driver_version', 'Redshift JDBC Driver 2.2.5'],
    ]);
    const packet = buildStartupPacket(params);
    expect(packet.readInt32BE(0)).toBe(packet.length);
    expect(packet.readInt32BE(4)).toBe(196608);
    expect([...parseStartupParams(packet)]).toEqual([...params]);
    expect(readStartupPacket(Buffer.concat([packet, Buffer.from('Q')]))).toEqual({
      packet,
      rest: Buffer.from('Q'),
    });
    expect(readStartupPacket(packet.subarray(0, 10))).toBeUndefined();
  });

  it('splits typed messages and keeps an incomplete tail for later', () => {
    const q = message('Q', Buffer.from('select 1\0'));
    const sync = message('S');
    const { messages, rest } = readMessages(Buffer.concat([q, sync, q.subarray(0, 3)]));
    expect(messages.map((m) => [m.type, m.body.toString('latin1')])).toEqual([
      ['Q', 'select 1\0'],
      ['S', ''],
    ]);
    expect(rest).toEqual(q.subarray(0, 3));
    expect(readCString(messages[0]?.body as Buffer, 0)).toEqual({ value: 'select 1', next: 9 });
  });

  it('builds the replies a driver expects for an emulated command', () => {
    expect(commandComplete('UNLOAD')).toEqual(Buffer.from('C\0\0\0\x0bUNLOAD\0', 'latin1'));
    expect(readyForQuery('I')).toEqual(Buffer.from('Z\0\0\0\x05I', 'latin1'));
    const error = errorResponse('42P01', 'relation "x" does not exist');
    expect(error.subarray(0, 1).toString()).toBe('E');
    expect(error.subarray(5).toString('latin1')).toBe(
      'SERROR\0VERROR\0C42P01\0Mrelation "x" does not exist\0\0',
    );
  });
});
