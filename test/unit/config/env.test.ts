import { describe, expect, it } from 'vitest';
import { readEnv, userLogLevel } from '../../../src/config/env.ts';
import { ConfigError } from '../../../src/errors.ts';

describe('readEnv', () => {
  it('defaults the region and log level and leaves unset endpoints undefined (AWS)', () => {
    expect(readEnv({})).toEqual({
      AWS_REGION: 'us-east-1',
      RT_LOG_LEVEL: 'INFO',
      RT_JOBS_DIR: 'jobs',
      RT_LOAD_INLINE_MAX_PARTS: 100,
    });
  });

  it('reads every variable, trimmed; an empty endpoint counts as unset', () => {
    expect(
      readEnv({
        AWS_REGION: ' eu-west-1 ',
        RT_ENDPOINT_S3: 'http://127.0.0.1:4000',
        RT_ENDPOINT_REDSHIFT_DATA: ' http://127.0.0.1:4001 ',
        RT_ENDPOINT_SFN: '',
        RT_ENDPOINT_EMR: 'http://127.0.0.1:4003',
        RT_STATE_BUCKET: 'state',
        RT_LOG_LEVEL: 'SILENT',
        UNRELATED: 'ignored',
      }),
    ).toEqual({
      AWS_REGION: 'eu-west-1',
      RT_ENDPOINT_S3: 'http://127.0.0.1:4000',
      RT_ENDPOINT_REDSHIFT_DATA: 'http://127.0.0.1:4001',
      RT_ENDPOINT_SFN: undefined,
      RT_ENDPOINT_EMR: 'http://127.0.0.1:4003',
      RT_STATE_BUCKET: 'state',
      RT_LOG_LEVEL: 'SILENT',
      RT_JOBS_DIR: 'jobs',
      RT_LOAD_INLINE_MAX_PARTS: 100,
    });
  });

  it('names every bad variable in one ConfigError', () => {
    let error: unknown;
    try {
      readEnv({ RT_ENDPOINT_S3: 'not a url', RT_LOG_LEVEL: 'LOUD', RT_STATE_BUCKET: ' ' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as Error).message.split('\n');
    expect(lines[0]).toBe('Invalid environment:');
    expect(lines.filter((l) => l.startsWith('  - ')).map((l) => l.split(':')[0])).toEqual([
      '  - RT_ENDPOINT_S3',
      '  - RT_STATE_BUCKET',
      '  - RT_LOG_LEVEL',
    ]);
    expect(lines.at(-1)).toBe('Set the variables above (see README "Configuration").');
  });
});

describe('userLogLevel', () => {
  it('is the level the user set, or undefined so that the caller picks its own default', () => {
    expect(userLogLevel({ RT_LOG_LEVEL: 'DEBUG', RT_ENDPOINT_S3: 'not checked here' })).toBe('DEBUG');
    expect(userLogLevel({})).toBeUndefined();
  });

  it('refuses a level that is not one of the five', () => {
    expect(() => userLogLevel({ RT_LOG_LEVEL: 'debug' })).toThrow(ConfigError);
  });
});
