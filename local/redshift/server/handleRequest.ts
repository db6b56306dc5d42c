import type { IncomingMessage, ServerResponse } from 'node:http';
import { DataApiError } from '../api/dataApiError.ts';
import type { DataApiService, RawJson } from '../service/dataApiService.ts';

/** Largest request body read (a batch of 40 statements of 100 KB fits well within it). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Past this a too-large body is no longer drained: the connection is closed. */
const MAX_DRAIN_BYTES = 256 * 1024 * 1024;

const CONTENT_TYPE = 'application/x-amz-json-1.1';

export type RequestLog = (entry: { operation: string; status: number; ms: number; error?: string }) => void;

/**
 * One AWS JSON 1.1 request: `POST /` with `X-Amz-Target: RedshiftData.<Operation>` and a JSON
 * body. Errors are answered as `{"__type", "message"}` with the status the SDK maps to its typed
 * exceptions; nothing a client sends can throw out of here.
 */
export async function handleRequest(
  service: DataApiService,
  req: IncomingMessage,
  res: ServerResponse,
  log?: RequestLog,
): Promise<void> {
  const t0 = performance.now();
  let operation = '-';
  try {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST') {
      throw new DataApiError(
        'UnknownOperationException',
        400,
        `Use POST / with an X-Amz-Target header (got ${req.method}).`,
      );
    }
    if (typeof target !== 'string' || !target.startsWith('RedshiftData.')) {
      throw new DataApiError(
        'UnknownOperationException',
        400,
        `Missing or unknown X-Amz-Target header "${String(target ?? '')}": expected RedshiftData.<Operation>.`,
      );
    }
    operation = target.slice('RedshiftData.'.length);
    const body = await readBody(req);
    let parsed: unknown;
    try {
      parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new DataApiError(
        'SerializationException',
        400,
        `The request body is not valid JSON: ${(error as Error).message}`,
      );
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new DataApiError('SerializationException', 400, 'The request body must be a JSON object.');
    }
    const result = await service.call(operation, parsed);
    const text = 'rawJson' in result ? (result as RawJson).rawJson : JSON.stringify(result);
    send(res, 200, text);
    log?.({ operation, status: 200, ms: performance.now() - t0 });
  } catch (error) {
    const e =
      error instanceof DataApiError
        ? error
        : new DataApiError('InternalServerException', 500, `Internal error: ${(error as Error).message}`);
    send(
      res,
      e.status,
      JSON.stringify({ __type: e.type, message: e.message, Message: e.message, ...e.fields }),
    );
    log?.({ operation, status: e.status, ms: performance.now() - t0, error: `${e.type}: ${e.message}` });
  }
}

function send(res: ServerResponse, status: number, text: string) {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
  });
  res.end(text);
}

/**
 * Reads the body up to MAX_BODY_BYTES. A larger one is drained (so the client reads our error
 * instead of a reset connection) up to MAX_DRAIN_BYTES, then the connection is dropped.
 */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        if (size > MAX_DRAIN_BYTES) req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        reject(
          new DataApiError(
            'ValidationException',
            400,
            `The request body is ${size} bytes; the maximum is ${MAX_BODY_BYTES} bytes. A statement may not exceed 100 KB.`,
          ),
        );
      } else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
