import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An error answered in the AWS JSON protocol's shape (`{"__type", "message"}` plus the
 * `X-Amzn-ErrorType` header, with its HTTP status), which the SDK turns into its typed exception
 * (`ValidationException`, `ResourceNotFoundException`...). `fields` are extra members of the shape,
 * e.g. `ResourceId`.
 */
export class AwsJsonError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = type;
  }
}

/** A response body the operation serialised itself (large result pages are built as text). */
export interface RawJson {
  rawJson: string;
}

export type JsonBody = Record<string, unknown>;
export type Operation = (body: JsonBody) => unknown;
export type RequestLog = (entry: { operation: string; status: number; ms: number; error?: string }) => void;

export interface AwsJsonServerOptions {
  /** The service part of `X-Amz-Target: <prefix>.<Operation>`: `RedshiftData`, `ElasticMapReduce`... */
  targetPrefix: string;
  /** The protocol version answered in `Content-Type` (Step Functions speaks 1.0, most others 1.1). */
  jsonVersion: '1.0' | '1.1';
  /** Answers one operation (sync or async); throws AwsJsonError for errors the client should see. */
  dispatch(operation: string, body: JsonBody): unknown;
  /** `__type` of unexpected errors (status 500); default `InternalServerException`. */
  internalErrorType?: string;
  /** Largest request body read; default 8 MiB. */
  maxBodyBytes?: number;
  /** Appended to the too-large-body message (what the limit means for this service). */
  tooLargeAdvice?: string;
  /** 0 (default) takes a free port. */
  port?: number;
  host?: string;
  /** Called after every request (operation, HTTP status, time, error). */
  onRequest?: RequestLog;
}

export interface AwsJsonServer {
  /** `http://HOST:PORT`: the `endpoint` of an SDK client. */
  endpoint: string;
  port: number;
  /**
   * Stops accepting connections and closes idle ones, awaits `drain` (which must make pending
   * operations, such as long polls, return) and the answers of requests in flight, then cuts
   * what is left. Safe to call twice.
   */
  close(drain?: () => Promise<void>): Promise<void>;
}

/** Past this a too-large body is no longer drained: the connection is closed. */
const MAX_DRAIN_BYTES = 256 * 1024 * 1024;

/**
 * An HTTP server on loopback speaking the AWS JSON protocol (`POST /`, `X-Amz-Target`, JSON body)
 * that the real SDK clients use unchanged via `endpoint`: the shared skeleton of the local
 * emulators. Nothing a client sends can throw out of it: malformed requests are answered with
 * the error AWS would send.
 */
export async function startAwsJsonServer(options: AwsJsonServerOptions): Promise<AwsJsonServer> {
  const host = options.host ?? '127.0.0.1';
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const handled = handleRequest(options, req, res);
    inFlight.add(handled);
    void handled.finally(() => inFlight.delete(handled));
  });
  // Long polls (the Data API's WaitTimeSeconds, up to 30 s) must not be cut by the default timeouts.
  server.requestTimeout = 120_000;
  server.keepAliveTimeout = 65_000;
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    close: (drain) => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        try {
          await drain?.();
          // Once drained, every handler is on its way to answering: let the answers out.
          await Promise.all(inFlight);
        } finally {
          server.closeAllConnections();
          await closed;
        }
      })();
      return closing;
    },
  };
}

/**
 * A `dispatch` over a table of operations; other names are UnknownOperationException naming
 * the ones served.
 */
export function dispatchTable(
  targetPrefix: string,
  operations: Record<string, Operation>,
): AwsJsonServerOptions['dispatch'] {
  return (operation, body) => {
    const run = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
    if (run === undefined) {
      throw new AwsJsonError(
        'UnknownOperationException',
        `Unknown operation ${targetPrefix}.${operation}. Supported: ${Object.keys(operations).join(', ')}.`,
      );
    }
    return run(body);
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function handleRequest(
  options: AwsJsonServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const t0 = performance.now();
  const contentType = `application/x-amz-json-${options.jsonVersion}`;
  const prefix = `${options.targetPrefix}.`;
  let operation = '-';
  try {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST') {
      throw new AwsJsonError(
        'UnknownOperationException',
        `Use POST / with an X-Amz-Target header (got ${req.method}).`,
      );
    }
    if (typeof target !== 'string' || !target.startsWith(prefix)) {
      throw new AwsJsonError(
        'UnknownOperationException',
        `Missing or unknown X-Amz-Target header "${String(target ?? '')}": expected ${prefix}<Operation>.`,
      );
    }
    operation = target.slice(prefix.length);
    const body = await readBody(req, options.maxBodyBytes ?? 8 * 1024 * 1024, options.tooLargeAdvice);
    let parsed: unknown;
    try {
      parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new AwsJsonError(
        'SerializationException',
        `The request body is not valid JSON: ${(error as Error).message}`,
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new AwsJsonError('SerializationException', 'The request body must be a JSON object.');
    }
    const result = await options.dispatch(operation, parsed as JsonBody);
    send(res, 200, contentType, isRawJson(result) ? result.rawJson : JSON.stringify(result ?? {}));
    options.onRequest?.({ operation, status: 200, ms: performance.now() - t0 });
  } catch (error) {
    const e =
      error instanceof AwsJsonError
        ? error
        : new AwsJsonError(
            options.internalErrorType ?? 'InternalServerException',
            `Internal error: ${(error as Error).message}`,
            500,
          );
    const text = JSON.stringify({ __type: e.type, message: e.message, Message: e.message, ...e.fields });
    send(res, e.status, contentType, text, e.type);
    options.onRequest?.({
      operation,
      status: e.status,
      ms: performance.now() - t0,
      error: `${e.type}: ${e.message}`,
    });
  }
}

function isRawJson(value: unknown): value is RawJson {
  return typeof value === 'object' && value !== null && typeof (value as RawJson).rawJson === 'string';
}

function send(res: ServerResponse, status: number, contentType: string, text: string, errorType?: string) {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
    ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
  });
  res.end(text);
}

/**
 * Reads the body up to `maxBytes`. A larger one is drained (so the client reads our error
 * instead of a reset connection) up to MAX_DRAIN_BYTES, then the connection is dropped.
 */
function readBody(req: IncomingMessage, maxBytes: number, advice: string | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        if (size > MAX_DRAIN_BYTES) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > maxBytes) {
        const message = `The request body is ${size} bytes; the maximum is ${maxBytes} bytes.`;
        reject(new AwsJsonError('ValidationException', advice ? `${message} ${advice}` : message));
      } else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
