import { describe, expect, it } from 'vitest';
import { parseUnloadManifest } from '../../../src/manifest/unloadManifest.ts';

const verbose = {
  entries: [
    { url: 's3://rt-staging/run/0000_part_00.gz', meta: { content_length: 32295, record_count: 10 } },
    { url: 's3://rt-staging/run/0001_part_00.gz', meta: { content_length: 32302, record_count: 12 } },
  ],
  schema: {
    elements: [
      { name: 'venueid', type: { base: 'integer' } },
      { name: 'venuename', type: { base: 'character varying', byte_length: 25 } },
      { name: 'price', type: { base: 'numeric', precision: 8, scale: 2 } },
    ],
  },
  meta: { content_length: 64597, record_count: 22 },
  author: { name: 'Amazon Redshift', version: '1.0.0' },
};

describe('Function: parseUnloadManifest', () => {
  it('reads the documented MANIFEST VERBOSE layout', () => {
    expect(parseUnloadManifest(JSON.stringify(verbose), 's3://rt-staging/run/manifest')).toEqual({
      entries: [
        { url: 's3://rt-staging/run/0000_part_00.gz', contentLength: 32295, recordCount: 10 },
        { url: 's3://rt-staging/run/0001_part_00.gz', contentLength: 32302, recordCount: 12 },
      ],
      schema: [
        { name: 'venueid', type: 'integer' },
        { name: 'venuename', type: 'character varying' },
        { name: 'price', type: 'numeric' },
      ],
      totalRecords: 22,
      totalBytes: 64597,
    });
  });

  it('reads a plain manifest and an empty one', () => {
    expect(
      parseUnloadManifest(
        JSON.stringify({ entries: [{ url: 's3://b/k', meta: { content_length: 1 } }] }),
        'm',
      ),
    ).toEqual({
      entries: [{ url: 's3://b/k', contentLength: 1, recordCount: undefined }],
      schema: [],
      totalRecords: undefined,
      totalBytes: 1,
    });
    expect(parseUnloadManifest('{"entries":[]}', 'm')).toEqual({
      entries: [],
      schema: [],
      totalRecords: 0,
      totalBytes: 0,
    });
  });

  it.each([
    ['not json', /is not valid JSON/],
    ['{}', /entries: Invalid input: expected array, received undefined/],
    [
      JSON.stringify({ entries: [{ url: 's3://b/k', meta: { content_length: -1, record_count: 1.5 } }] }),
      /entries\[0\]\.meta\.content_length: expected a number >= 0\n {2}- entries\[0\]\.meta\.record_count: expected a whole number/,
    ],
    [
      JSON.stringify({ entries: [{ url: 'http://x', meta: { content_length: 1 } }] }),
      /entries\[0\]\.url: expected an s3:\/\/bucket\/key URL/,
    ],
    [
      JSON.stringify({ ...verbose, meta: { content_length: 64597, record_count: 23 } }),
      /meta\.record_count is 23 but the entries add up to 22/,
    ],
    [
      JSON.stringify({ ...verbose, entries: [verbose.entries[0], verbose.entries[0]] }),
      /entries\[1\]\.url .* is listed twice/,
    ],
    [JSON.stringify({ ...verbose, schema: { elements: [{ name: 'x' }] } }), /schema\.elements\[0\]\.type: /],
  ])('rejects a malformed manifest %#', (text, message) => {
    expect(() => parseUnloadManifest(text, 's3://rt-staging/run/manifest')).toThrowError(message);
    expect(() => parseUnloadManifest(text, 's3://rt-staging/run/manifest')).toThrowError(
      expect.objectContaining({
        name: 'ManifestError',
        message: expect.stringContaining('s3://rt-staging/run/manifest'),
      }),
    );
  });
});
