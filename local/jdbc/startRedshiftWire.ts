import type { AddressInfo } from 'node:net';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { createS3Client } from '../../src/aws/clients.ts';
import { isRedshiftCommand, SYSTEM_TABLES_DDL } from '../redshift/commands/index.ts';
import { DatabasePools, SESSION_OPTIONS } from '../redshift/engine/databasePools.ts';
import { type DescribeOperands, lowerDecimalArithmetic } from '../redshift/sql/lowerDecimalArithmetic.ts';
import { joinTokens, splitStatements, tokenize } from '../redshift/sql/tokenize.ts';
import { loadSqlParser, translateRedshiftSql } from '../redshift/sql/translateRedshiftSql.ts';
import {
  redshiftParameterStatus,
  VERSION_QUERY,
  versionRowDescription,
  versionRows,
} from './redshiftVersion.ts';
import { negotiateStartup } from './startupHandshake.ts';
import { ensureWireCertificate, type WireCertificate } from './wireCertificate.ts';
import { wireCommands } from './wireCommands.ts';
import {
  buildStartupPacket,
  CANCEL_REQUEST,
  cstring,
  errorResponse,
  MAX_CLIENT_MESSAGE,
  type Message,
  message,
  parseStartupParams,
  readCString,
  readMessages,
  readyForQuery,
} from './wireMessages.ts';
import { wireOperandProbe } from './wireOperandProbe.ts';
import { WireQueryHistory } from './wireQueryHistory.ts';

export interface RedshiftWireOptions {
  /** The PostgreSQL engine behind the local Redshift (any database of it: the client names one). */
  databaseUrl: string;
  /** The local S3 that UNLOAD writes to and COPY reads from. */
  s3Endpoint: string;
  region?: string;
  slices?: number;
  port?: number;
  /**
   * Where the TLS certificate is kept (made at first start): SSLRequest is then answered `S` and
   * the connection upgraded. Without it the endpoint answers `N` and speaks plain text only.
   */
  tlsDir?: string;
}

export interface RedshiftWire {
  host: string;
  port: number;
  /**
   * `jdbc:redshift://127.0.0.1:<port>/<database>`, with `?ssl=false` when the endpoint has no
   * certificate.
   */
  jdbcUrl(database: string): string;
  /** The certificate files when TLS is on: `caFile` is what clients are told to trust. */
  tls?: WireCertificate | undefined;
  stop(): Promise<void>;
}

/**
 * Startup parameters PostgreSQL understands; the Redshift JDBC driver adds its own
 * (`driver_version`, `os_version`, `plugin_name`, `client_protocol_version`...), which PostgreSQL
 * would refuse with "unrecognized configuration parameter".
 */
const POSTGRES_STARTUP_PARAMS = new Set([
  'user',
  'database',
  'options',
  'application_name',
  'client_encoding',
  'DateStyle',
  'TimeZone',
  'extra_float_digits',
  'search_path',
  'replication',
]);

const STARTUP_TIMEOUT_MS = 30_000;

/** No-op statements (physical layout on Redshift) still answer, with a harmless statement. */
const NOOP_STATEMENT = 'DO $noop$ BEGIN END $noop$';

/**
 * The statements of a query as PostgreSQL runs them: the Data API's translation of Redshift SQL
 * (translateRedshiftSql), statement by statement, with Redshift's DECIMAL result types
 * (lowerDecimalArithmetic, probing operand types with `describe`). Text the tokenizer cannot read
 * goes unchanged, for the engine to report.
 */
async function toPostgres(sql: string, describe: DescribeOperands): Promise<string> {
  let statements: ReturnType<typeof splitStatements>;
  try {
    statements = splitStatements(tokenize(sql));
  } catch {
    return sql;
  }
  if (statements.length === 0) return sql;
  const out: string[] = [];
  for (const tokens of statements) {
    const text = joinTokens(tokens);
    if (isRedshiftCommand(text)) return sql; // mixed with UNLOAD/COPY: the engine says why not
    const translated = await translateRedshiftSql(tokens);
    out.push(
      translated.noop
        ? NOOP_STATEMENT
        : await lowerDecimalArithmetic(joinTokens(translated.tokens), describe),
    );
  }
  return out.join(';\n');
}

/**
 * A PostgreSQL-wire endpoint for the local Redshift that drivers (the Redshift JDBC driver,
 * redshift_connector, psycopg2...) connect to, over TLS when `tlsDir` is given: it relays
 * everything to the PostgreSQL engine as the connecting user (a role created on demand), minus the
 * Redshift driver's extra startup parameters, with Redshift SQL translated, and answers UNLOAD and
 * COPY itself with the emulator (wireCommands).
 */
export async function startRedshiftWire(options: RedshiftWireOptions): Promise<RedshiftWire> {
  const engine = new URL(options.databaseUrl);
  const s3 = createS3Client({ region: options.region ?? 'us-east-1', endpoint: options.s3Endpoint });
  const sockets = new Set<Socket>();
  // Installs the compat functions and system tables in a database on its first connection, as the
  // Data API does, so that translated SQL (getdate(), len...) finds them.
  const pools = new DatabasePools({
    baseUrl: options.databaseUrl,
    poolSize: 1,
    bootstrapDdl: async () => SYSTEM_TABLES_DDL,
  });
  await loadSqlParser();
  const certificate = options.tlsDir === undefined ? undefined : await ensureWireCertificate(options.tlsDir);
  const secureContext: SecureContext | undefined =
    certificate === undefined
      ? undefined
      : createSecureContext({ key: certificate.key, cert: certificate.cert });
  let queryIds = 1_000_000;
  const server: Server = createServer((client) => {
    sockets.add(client);
    // Every failure stays with its connection: an abrupt, malformed or slow client is dropped,
    // the other connections and endpoints go on.
    client.on('error', () => client.destroy());
    client.once('close', () => sockets.delete(client));
    // A client that sends no complete startup packet within the timeout is dropped.
    client.setTimeout(STARTUP_TIMEOUT_MS, () => client.destroy());
    void serve(client).catch(() => client.destroy());
  });

  async function serve(raw: Socket): Promise<void> {
    const { socket: client, startup, rest: buffered } = await negotiateStartup(raw, secureContext);
    const code = startup.readInt32BE(4);
    raw.setTimeout(0);
    const upstream = createConnection({ host: engine.hostname, port: Number(engine.port || 5432) });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    if (code === CANCEL_REQUEST) {
      upstream.write(startup);
      return;
    }
    const params = parseStartupParams(startup);
    const session = {
      database: params.get('database') ?? params.get('user') ?? 'postgres',
      user: params.get('user') ?? 'postgres',
    };
    for (const key of [...params.keys()]) if (!POSTGRES_STARTUP_PARAMS.has(key)) params.delete(key);
    // A Redshift session's settings (those of the Data API's sessions); the client's own come after.
    params.set('options', `${SESSION_OPTIONS} ${params.get('options') ?? ''}`.trim());
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
      nextQueryId: () => queryIds++,
    });
    // A missing database is left for the engine to report, in its words, to the client.
    await pools.pool(session.database).catch(() => {});
    upstream.write(buildStartupPacket(params));

    // UNLOAD and COPY: the emulator, on a side connection as the same user.
    const commands = wireCommands({
      databaseUrl: options.databaseUrl,
      database: session.database,
      user: session.user,
      s3,
      slices: options.slices ?? 2,
      nextQueryId: () => queryIds++,
    });
    client.once('close', () => void commands.end());
    const run = commands.run;
    const probe = wireOperandProbe({
      databaseUrl: options.databaseUrl,
      database: session.database,
      user: session.user,
    });
    client.once('close', () => void probe.end());

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

    // Client -> engine, with UNLOAD/COPY answered here. Extended-protocol statements are held by
    // name so their Bind/Describe/Execute are answered here too.
    const intercepted = new Set<string>(); // prepared statement names
    const interceptedPortals = new Map<string, string>(); // portal -> sql
    const sqlByStatement = new Map<string, string>();
    let pendingSql: string | undefined;
    let holding: Buffer[] = []; // our replies until Sync
    let clientBuffer: Buffer = buffered;
    let chain: Promise<unknown> = Promise.resolve();
    const handle = async (m: Message) => {
      switch (m.type) {
        case 'Q': {
          const sql = readCString(m.body, 0).value;
          if (VERSION_QUERY.test(sql)) {
            client.write(Buffer.concat([versionRowDescription(), versionRows()]));
            client.write(readyForQuery(status));
            return;
          }
          if (!isRedshiftCommand(sql)) {
            history.query(sql);
            await history.flushed();
            return void upstream.write(message('Q', cstring(await toPostgres(sql, probe.describe))));
          }
          client.write(await run(sql));
          client.write(readyForQuery(status));
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
                Buffer.concat([cstring(name.value), cstring(await toPostgres(sql, probe.describe)), rest]),
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
          pendingSql = sql;
          holding.push(VERSION_QUERY.test(sql) ? versionRows() : await run(pendingSql));
          pendingSql = undefined;
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
            if (m.type === 'S') client.write(readyForQuery(status));
            return;
          }
          return void upstream.write(m.raw);
        }
        default:
          upstream.write(m.raw);
      }
    };
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      void pools.end();
      reject(error);
    });
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    jdbcUrl: (database) =>
      `jdbc:redshift://127.0.0.1:${port}/${database}${certificate === undefined ? '?ssl=false' : ''}`,
    tls: certificate,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pools.end();
      s3.destroy();
    },
  };
}
