import { describe, expect, it } from 'vitest';
import { parseS3Uri, s3Uri, s3Url, tryParseS3Uri } from '../../../src/aws/s3Uri.ts';

describe('the S3 URI parser', () => {
  it('splits bucket and key; the key may be empty, a prefix, or hold any character', () => {
    expect(parseS3Uri('s3://bucket/a/b.csv')).toEqual({ bucket: 'bucket', key: 'a/b.csv' });
    expect(parseS3Uri('s3://bucket/prefix/')).toEqual({ bucket: 'bucket', key: 'prefix/' });
    expect(parseS3Uri('s3://bucket')).toEqual({ bucket: 'bucket', key: '' });
    expect(parseS3Uri('s3://bucket/')).toEqual({ bucket: 'bucket', key: '' });
    expect(parseS3Uri('s3://b/line\nbreak and space')).toEqual({ bucket: 'b', key: 'line\nbreak and space' });
  });

  it('refuses what is not an S3 URI', () => {
    for (const bad of [
      'https://bucket/key',
      's3:/bucket/key',
      's3://',
      's3://bad bucket/key',
      'bucket/key',
    ]) {
      expect(tryParseS3Uri(bad), bad).toBeUndefined();
    }
    expect(() => parseS3Uri('https://x/y')).toThrow('Not an S3 URI: https://x/y');
  });

  it('formats back what it parses', () => {
    const uri = 's3://bucket/a/b.csv';
    const { bucket, key } = parseS3Uri(uri);
    expect(s3Uri(bucket, key)).toBe(uri);
    expect(s3Url({ bucket, key })).toBe(uri);
  });
});
