import type { Socket } from 'node:net';
import { isRedshiftCommand } from '../redshift/commands/index.ts';
import type { DescribeOperands } from '../redshift/sql/lowerDecimalArithmetic.ts';
import { VERSION_QUERY, versionRowDescription, versionRows } from './redshiftVersion.ts';
import { toPostgres } from './toPostgres.ts';
import { cstring, type Message, message, readCString, readyForQuery } from './wireMessages.ts';
import type { WireQueryHistory } from './wireQueryHistory.ts';

export interface ClientMessageHandlerOptions {
  client: Socket;
  /** The connection to the PostgreSQL engine. */
  upstream: Socket;
  /** The transaction status the engine last reported, for the ReadyForQuery sent here. */
  status: () => string;
  history: WireQueryHistory;
  /** Answers UNLOAD or COPY with the emulator (wireCommands). */
  run: (sql: string) => Promise<Buffer>;
  /** Probes operand types for lowerDecimalArithmetic (wireOperandProbe). */
  describe: DescribeOperands;
}

/**
 * Handles one client message at a time (the caller chains them): Redshift SQL goes to the engine
 * translated (toPostgres), while UNLOAD, COPY and `select version()` are answered here, in the
 * simple protocol (Query) and the extended one. Extended-protocol statements answered here are
 * held by name so that their Bind/Describe/Execute/Close are answered here too, with the replies
 * held until Sync or Flush.
 */
export function clientMessageHandler(options: ClientMessageHandlerOptions): (m: Message) => Promise<void> {
  const { client, upstream, status, history, run, describe } = options;
  const intercepted = new Set<string>(); // prepared statement names
  const interceptedPortals = new Map<string, string>(); // portal -> sql
  const sqlByStatement = new Map<string, string>();
  let holding: Buffer[] = []; // our replies until Sync
  return async (m) => {
    switch (m.type) {
      case 'Q': {
        const sql = readCString(m.body, 0).value;
        if (VERSION_QUERY.test(sql)) {
          client.write(Buffer.concat([versionRowDescription(), versionRows()]));
          client.write(readyForQuery(status()));
          return;
        }
        if (!isRedshiftCommand(sql)) {
          history.query(sql);
          await history.flushed();
          return void upstream.write(message('Q', cstring(await toPostgres(sql, describe))));
        }
        client.write(await run(sql));
        client.write(readyForQuery(status()));
        return;
      }
      case 'P': {
        const name = readCString(m.body, 0);
        const sql = readCString(m.body, name.next).value;
        if (!isRedshiftCommand(sql) && !VERSION_QUERY.test(sql)) {
          intercepted.delete(name.value);
          history.parse(name.value, sql);
          await history.flushed();
          const rest = m.body.subarray(readCString(m.body, name.next).next);
          return void upstream.write(
            message(
              'P',
              Buffer.concat([cstring(name.value), cstring(await toPostgres(sql, describe)), rest]),
            ),
          );
        }
        intercepted.add(name.value);
        sqlByStatement.set(name.value, sql);
        holding.push(message('1'));
        return;
      }
      case 'B': {
        const portal = readCString(m.body, 0);
        const statement = readCString(m.body, portal.next).value;
        if (!intercepted.has(statement)) {
          interceptedPortals.delete(portal.value);
          history.bind(portal.value, statement);
          return void upstream.write(m.raw);
        }
        interceptedPortals.set(portal.value, sqlByStatement.get(statement) as string);
        holding.push(message('2'));
        return;
      }
      case 'D': {
        const kind = String.fromCharCode(m.body[0] as number);
        const name = readCString(m.body, 1).value;
        if (kind === 'S' && intercepted.has(name)) {
          const rows = VERSION_QUERY.test(sqlByStatement.get(name) ?? '')
            ? versionRowDescription()
            : message('n');
          holding.push(message('t', Buffer.from([0, 0])), rows);
          return;
        }
        if (kind === 'P' && interceptedPortals.has(name)) {
          holding.push(
            VERSION_QUERY.test(interceptedPortals.get(name) ?? '') ? versionRowDescription() : message('n'),
          );
          return;
        }
        return void upstream.write(m.raw);
      }
      case 'E': {
        const portal = readCString(m.body, 0).value;
        const sql = interceptedPortals.get(portal);
        if (sql === undefined) {
          history.execute(portal);
          return void upstream.write(m.raw);
        }
        holding.push(VERSION_QUERY.test(sql) ? versionRows() : await run(sql));
        return;
      }
      case 'C': {
        const kind = String.fromCharCode(m.body[0] as number);
        const name = readCString(m.body, 1).value;
        if (kind === 'S' && intercepted.delete(name)) return void holding.push(message('3'));
        if (kind === 'P' && interceptedPortals.delete(name)) return void holding.push(message('3'));
        return void upstream.write(m.raw);
      }
      case 'S':
      case 'H': {
        if (holding.length > 0) {
          client.write(Buffer.concat(holding));
          holding = [];
          if (m.type === 'S') client.write(readyForQuery(status()));
          return;
        }
        return void upstream.write(m.raw);
      }
      default:
        upstream.write(m.raw);
    }
  };
}
