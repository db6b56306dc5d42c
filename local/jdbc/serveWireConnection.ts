import { createConnection, type Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DatabasePools } from '../redshift/engine/databasePools.ts';
import { clientMessageHandler } from './clientMessageHandler.ts';
import { redshiftParameterStatus } from './redshiftVersion.ts';
import { negotiateStartup } from './startupHandshake.ts';
import { startupSession } from './startupSession.ts';
import { wireCommands } from './wireCommands.ts';
import {
  buildStartupPacket,
  CANCEL_REQUEST,
  errorResponse,
  MAX_CLIENT_MESSAGE,
  type Message,
  readMessages,
} from './wireMessages.ts';
import { wireOperandProbe } from './wireOperandProbe.ts';
import { WireQueryHistory } from './wireQueryHistory.ts';

/** What every connection of one endpoint shares. */
export interface WireEndpoint {
  /** Any database URL of the PostgreSQL engine. */
  databaseUrl: string;
  /** Installs the compat functions and system tables in a database on its first connection. */
  pools: DatabasePools;
  /** TLS for SSLRequest; plain text only when undefined. */
  secureContext: SecureContext | undefined;
  s3: S3Client;
  slices: number;
  nextQueryId: () => number;
  /** Ends an engine backend and resolves once it is gone. */
  terminateBackend: (pid: number) => Promise<void>;
}

const STARTUP_TIMEOUT_MS = 30_000;

/** What a connection opened on the side, to close once the client has gone: each resolves when closed. */
type Closers = Array<() => Promise<void>>;

/**
 * Serves one client connection: startup (TLS, cancel requests), the engine connection as the
 * connecting user, then messages both ways. Every failure stays with its connection: an abrupt,
 * malformed or slow client is dropped, the other connections and endpoints go on. Resolves once
 * the client has gone and the side connections it opened (UNLOAD/COPY, operand probe) are closed,
 * so that an endpoint stopped, then its engine or database, leaves no client of ours to be ended
 * under it (pg would report 57P01 as an 'error').
 */
export async function serveWireConnection(client: Socket, endpoint: WireEndpoint): Promise<void> {
  const gone = new Promise<void>((resolve) => client.once('close', () => resolve()));
  client.on('error', () => client.destroy());
  // A client that sends no complete startup packet within the timeout is dropped.
  client.setTimeout(STARTUP_TIMEOUT_MS, () => client.destroy());
  const closers: Closers = [];
  await serve(client, endpoint, closers).catch(() => client.destroy());
  await gone;
  await Promise.all(closers.map((close) => close().catch(() => {})));
}

async function serve(raw: Socket, endpoint: WireEndpoint, closers: Closers): Promise<void> {
  const { pools } = endpoint;
  const { socket: client, startup, rest: buffered } = await negotiateStartup(raw, endpoint.secureContext);
  const code = startup.readInt32BE(4);
  raw.setTimeout(0);
  const engine = new URL(endpoint.databaseUrl);
  const upstream = createConnection({ host: engine.hostname, port: Number(engine.port || 5432) });
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
  client.once('close', () => upstream.destroy());
  upstream.once('close', () => client.destroy());
  // Gone already (its 'close' will not come again): the engine connection goes with it.
  if (client.destroyed) upstream.destroy();
  if (code === CANCEL_REQUEST) {
    upstream.write(startup);
    return;
  }
  const { session, params } = startupSession(startup);
  // The connecting user is a role of the engine, created on demand as for the Data API's DbUser.
  const refused = await pools.roles
    .mapsUsers()
    .then((maps) => (maps ? pools.roles.ensure(session.user) : undefined))
    .then(
      () => undefined,
      (error: Error) => error.message,
    );
  if (refused !== undefined) {
    client.end(errorResponse('28000', refused, 'FATAL'));
    return;
  }
  const history = new WireQueryHistory({
    database: session.database,
    write: async (sql, values) => (await pools.sidePool(session.database)).query(sql, values),
    nextQueryId: endpoint.nextQueryId,
  });
  // A missing database is left for the engine to report, in its words, to the client.
  await pools.pool(session.database).catch(() => {});
  upstream.write(buildStartupPacket(params));

  // UNLOAD and COPY: the emulator, on a side connection as the same user.
  const commands = wireCommands({
    databaseUrl: endpoint.databaseUrl,
    database: session.database,
    user: session.user,
    s3: endpoint.s3,
    slices: endpoint.slices,
    nextQueryId: endpoint.nextQueryId,
    terminate: endpoint.terminateBackend,
  });
  const probe = wireOperandProbe({
    databaseUrl: endpoint.databaseUrl,
    database: session.database,
    user: session.user,
  });
  closers.push(commands.end, probe.end, async () => {
    await history.flushed();
  });

  // Track the transaction status the engine reports, for the ReadyForQuery we send ourselves.
  let status = 'I';
  let serverBuffer: Buffer = Buffer.alloc(0);
  upstream.on('data', (chunk: Buffer) => {
    serverBuffer = Buffer.concat([serverBuffer, chunk]);
    const { messages, rest } = readMessages(serverBuffer);
    serverBuffer = rest;
    const out: Buffer[] = [];
    for (const m of messages) {
      if (m.type === 'Z') status = String.fromCharCode(m.body[0] as number);
      history.reply(m);
      out.push(m.type === 'S' ? redshiftParameterStatus(m) : m.raw);
    }
    if (out.length > 0) client.write(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out));
  });

  // Client -> engine, one message after the other, with UNLOAD/COPY answered here.
  const handle = clientMessageHandler({
    client,
    upstream,
    status: () => status,
    history,
    run: commands.run,
    describe: probe.describe,
  });
  let clientBuffer: Buffer = buffered;
  let chain: Promise<unknown> = Promise.resolve();
  const onClientData = (chunk: Buffer) => {
    clientBuffer = Buffer.concat([clientBuffer, chunk]);
    let messages: Message[];
    try {
      ({ messages, rest: clientBuffer } = readMessages(clientBuffer, MAX_CLIENT_MESSAGE));
    } catch {
      client.destroy();
      return;
    }
    for (const m of messages) chain = chain.then(() => handle(m)).catch(() => client.destroy());
  };
  client.on('data', onClientData);
  client.resume(); // Paused since its startup packet was read.
  if (clientBuffer.length > 0) onClientData(Buffer.alloc(0));
}
