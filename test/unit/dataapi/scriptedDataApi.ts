import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRedshiftDataClient } from '../../../src/aws/clients.ts';

export interface RecordedCall {
  operation: string;
  body: Record<string, unknown>;
}

type Reply = { status?: number; body: unknown };

/**
 * A loopback HTTP server speaking the Data API's JSON 1.1 protocol with scripted replies per
 * operation, recording every request: for asserting the exact requests our wrapper sends.
 */
export async function startScriptedDataApi(script: Record<string, (body: Record<string, unknown>) => Reply>) {
  const calls: RecordedCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace('RedshiftData.', '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      calls.push({ operation, body });
      const handler = script[operation];
      const reply = handler
        ? handler(body)
        : { status: 400, body: { __type: 'ValidationException', message: `unscripted ${operation}` } };
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = createRedshiftDataClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}` });
  return {
    client,
    calls,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
