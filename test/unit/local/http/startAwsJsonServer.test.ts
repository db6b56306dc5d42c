import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AwsJsonError,
  type AwsJsonServer,
  dispatchTable,
  startAwsJsonServer,
} from '../../../../local/http/startAwsJsonServer.ts';

async function post(
  endpoint: string,
  target: string | undefined,
  body: string | Uint8Array,
  method = 'POST',
) {
  const res = await fetch(endpoint, {
    method,
    headers: target === undefined ? {} : { 'x-amz-target': target },
    ...(method === 'GET' ? {} : { body }),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    errorType: res.headers.get('x-amzn-errortype'),
    json: (await res.json()) as Record<string, unknown>,
  };
}

describe('startAwsJsonServer', () => {
  let server: AwsJsonServer;
  const calls: string[] = [];
  beforeAll(async () => {
    server = await startAwsJsonServer({
      targetPrefix: 'Demo',
      jsonVersion: '1.1',
      maxBodyBytes: 1024,
      tooLargeAdvice: 'Send less.',
      internalErrorType: 'InternalFailure',
      onRequest: ({ operation, status }) => calls.push(`${operation} ${status}`),
      dispatch: dispatchTable('Demo', {
        Echo: (body) => ({ got: body }),
        Later: async (body) => ({ later: body.n }),
        Raw: () => ({ rawJson: '{"pre":"serialised"}' }),
        Missing: (body) => {
          throw new AwsJsonError('ResourceNotFoundException', `No ${String(body.id)}`, 404, {
            ResourceId: String(body.id),
          });
        },
        Broken: () => {
          throw new TypeError('boom');
        },
      }),
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers an operation with its JSON result, sync or async, or a body it serialised itself', async () => {
    expect(await post(server.endpoint, 'Demo.Echo', '{"a":1}')).toEqual({
      status: 200,
      type: 'application/x-amz-json-1.1',
      errorType: null,
      json: { got: { a: 1 } },
    });
    expect((await post(server.endpoint, 'Demo.Later', '{"n":2}')).json).toEqual({ later: 2 });
    expect((await post(server.endpoint, 'Demo.Raw', '')).json).toEqual({ pre: 'serialised' });
  });

  it('answers a named error in the AWS shape with its status, header and extra fields', async () => {
    expect(await post(server.endpoint, 'Demo.Missing', '{"id":"x1"}')).toEqual({
      status: 404,
      type: 'application/x-amz-json-1.1',
      errorType: 'ResourceNotFoundException',
      json: {
        __type: 'ResourceNotFoundException',
        message: 'No x1',
        Message: 'No x1',
        ResourceId: 'x1',
      },
    });
  });

  it('answers an unexpected error as a 500 of the configured type', async () => {
    const broken = await post(server.endpoint, 'Demo.Broken', '{}');
    expect(broken.status).toBe(500);
    expect(broken.json).toMatchObject({ __type: 'InternalFailure', message: 'Internal error: boom' });
  });

  it('rejects what AWS rejects: unknown operations, other methods, missing targets, bad JSON, huge bodies', async () => {
    const unknown = await post(server.endpoint, 'Demo.Drop', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.json.message).toBe(
      'Unknown operation Demo.Drop. Supported: Echo, Later, Raw, Missing, Broken.',
    );
    const inherited = await post(server.endpoint, 'Demo.toString', '{}');
    expect(inherited.json.__type).toBe('UnknownOperationException');
    const get = await post(server.endpoint, 'Demo.Echo', '', 'GET');
    expect(get.json).toMatchObject({
      __type: 'UnknownOperationException',
      message: 'Use POST / with an X-Amz-Target header (got GET).',
    });
    const otherService = await post(server.endpoint, 'Other.Echo', '{}');
    expect(otherService.json.message).toBe(
      'Missing or unknown X-Amz-Target header "Other.Echo": expected Demo.<Operation>.',
    );
    expect((await post(server.endpoint, undefined, '{}')).json.__type).toBe('UnknownOperationException');
    const malformed = await post(server.endpoint, 'Demo.Echo', '{"a":');
    expect(malformed.status).toBe(400);
    expect(malformed.json.__type).toBe('SerializationException');
    expect((await post(server.endpoint, 'Demo.Echo', '[1]')).json).toMatchObject({
      __type: 'SerializationException',
      message: 'The request body must be a JSON object.',
    });
    const huge = await post(server.endpoint, 'Demo.Echo', new Uint8Array(5000).fill(32));
    expect(huge).toMatchObject({
      status: 400,
      json: {
        __type: 'ValidationException',
        message: 'The request body is 5000 bytes; the maximum is 1024 bytes. Send less.',
      },
    });
    expect(calls).toContain('Drop 400');
    expect(calls).toContain('- 400');
  });
});

describe('startAwsJsonServer: close', () => {
  it('lets an in-flight request answer during drain, then stops accepting', async () => {
    let onArrive = () => {};
    let onRelease = () => {};
    const arrived = new Promise<void>((resolve) => {
      onArrive = resolve;
    });
    const release = new Promise<void>((resolve) => {
      onRelease = resolve;
    });
    const server = await startAwsJsonServer({
      targetPrefix: 'Demo',
      jsonVersion: '1.0',
      dispatch: async () => {
        onArrive();
        await release;
        return { done: true };
      },
    });
    const pending = post(server.endpoint, 'Demo.Wait', '{}');
    await arrived;
    const closed = server.close(async () => onRelease());
    expect(await pending).toMatchObject({
      status: 200,
      type: 'application/x-amz-json-1.0',
      json: { done: true },
    });
    await closed;
    expect(server.close()).toBe(closed);
    await expect(fetch(server.endpoint, { method: 'POST' })).rejects.toThrow();
  });
});
