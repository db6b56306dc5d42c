import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as validate } from '../../../cli/commands/validate.ts';
import { main } from '../../../cli/main.ts';
import { forTerminal } from '../../../cli/terminalText.ts';
import { JobValidationError } from '../../../src/errors.ts';
import { planExport } from '../../../src/export/planExport.ts';
import { parseJob } from '../../../src/job/job.ts';
import { startLoadPlan } from '../../../src/load/planLoad.ts';
import { planTransfer } from '../../../src/transfer/planTransfer.ts';

/**
 * Validation parity (issue 15, item 3): every rule lives in the zod job schemas, so
 * `redshift-transfer validate`, and the first task of each state machine (planExport, startLoadPlan,
 * planTransfer) refuse the same documents with the same message naming the field.
 */

const target = { clusterIdentifier: 'c1', database: 'dev', dbUser: 'awsuser' };
const iamRole = 'arn:aws:iam::123456789012:role/R';

function exportDoc(overrides: Record<string, unknown> = {}) {
  return {
    kind: 'export',
    name: 'v-export',
    target,
    iamRole,
    query: 'select 1 as a',
    staging: 's3://rt-staging/v/',
    destination: 's3://rt-exports/v/{runDate}/',
    ...overrides,
  };
}

function loadDoc(overrides: Record<string, unknown> = {}) {
  return {
    kind: 'load',
    name: 'v-load',
    target,
    iamRole,
    table: 'public.t',
    source: { prefix: 's3://rt-landing/in/' },
    staging: 's3://rt-staging/v/',
    ...overrides,
  };
}

function transferDoc(source: Record<string, unknown> = {}, destination: Record<string, unknown> = {}) {
  return {
    kind: 'transfer',
    name: 'v-transfer',
    source: { target, iamRole, table: 'public.src', ...source },
    destination: { target, iamRole, table: 'public.dst', ...destination },
    staging: 's3://rt-staging/v/',
  };
}

/** The issues parseJob reports for `doc` (fails the test when it accepts it). */
function issues(doc: unknown): string[] {
  try {
    parseJob(doc);
  } catch (error) {
    expect(error).toBeInstanceOf(JobValidationError);
    return [...(error as JobValidationError).issues];
  }
  throw new Error('the document was accepted');
}

const cases: [string, unknown, RegExp][] = [
  [
    'export table with a quote',
    exportDoc({ query: undefined, table: 'sa"les' }),
    /^table: Invalid name "sa\\"les"/,
  ],
  [
    'export table with three parts',
    exportDoc({ query: undefined, table: 'a.b.c' }),
    /^table: expected "table" or "schema.table"/,
  ],
  [
    'export table with NUL',
    exportDoc({ query: undefined, table: { name: 'a\u0000b' } }),
    /^table\.name: must not contain a NUL/,
  ],
  ['transfer source table', transferDoc({ table: 'x"y' }), /^source\.table: Invalid name "x\\"y"/],
  [
    'transfer destination table',
    transferDoc({}, { table: { schema: 's"', name: 't' } }),
    /^destination\.table\.schema: Invalid name/,
  ],
  [
    'transfer ledger table',
    transferDoc({}, { ledger: { table: 'led"ger' } }),
    /^destination\.ledger\.table: Invalid name/,
  ],
  ['load ledger schema', loadDoc({ ledger: { schema: 'a\u0001' } }), /^ledger\.schema: Invalid name/],
  [
    'zero-width space in a column',
    exportDoc({ query: undefined, table: 't', columns: ['id\u200b'] }),
    /^columns\[0\]: .*invisible character .*U\+200B/,
  ],
  [
    'bidi override in a table',
    loadDoc({ table: 'public.\u202eelbat' }),
    /^table: .*invisible character .*U\+202E/,
  ],
  ['NUL in a query', exportDoc({ query: 'select 1\u0000' }), /^query: must not contain a NUL character/],
  [
    'NUL in a description',
    loadDoc({ description: 'a\u0000' }),
    /^description: must not contain a NUL character/,
  ],
  [
    'bucket with ..',
    exportDoc({ destination: 's3://rt..exports/v/' }),
    /^destination: bucket name "rt\.\.exports" must not contain "\.\."/,
  ],
  [
    'bucket as an IP address',
    exportDoc({ destination: 's3://192.168.1.10/v/' }),
    /^destination: bucket name "192\.168\.1\.10" must not be an IP address/,
  ],
  [
    'bucket of 2 characters',
    exportDoc({ staging: 's3://ab/v/' }),
    /^staging: bucket name "ab" must be 3-63 characters long/,
  ],
  [
    'bucket of 64 characters',
    loadDoc({ source: { prefix: `s3://${'a'.repeat(64)}/x/` } }),
    /^source\.prefix: bucket name "a+" must be 3-63/,
  ],
  [
    '.. in a destination',
    exportDoc({ destination: 's3://rt-exports/v/../other/' }),
    /^destination: the key must not contain an empty, "\." or "\.\." path segment/,
  ],
  [
    '. in a source prefix',
    loadDoc({ source: { prefix: 's3://rt-landing/./in/' } }),
    /^source\.prefix: the key must not contain an empty, "\." or "\.\."/,
  ],
  [
    'empty segment in staging',
    exportDoc({ staging: 's3://rt-staging//v/' }),
    /^staging: the key must not contain an empty/,
  ],
  [
    '.. in a source object',
    loadDoc({ source: { objects: ['s3://rt-landing/a/../b.csv'] } }),
    /^source\.objects\[0\]: the key must not contain/,
  ],
  [
    'unbalanced {',
    exportDoc({ destination: 's3://rt-exports/v/{runDate/' }),
    /^destination: unbalanced "\{"/,
  ],
  [
    'unbalanced }',
    exportDoc({ destination: 's3://rt-exports/v/runDate}/' }),
    /^destination: unbalanced "\}"/,
  ],
  [
    'unknown placeholder',
    exportDoc({ destination: 's3://rt-exports/v/{rundate}/' }),
    /^destination: unknown placeholder \{rundate\}/,
  ],
  ['statement timeout of 0', exportDoc({ timeouts: { statement: 0 } }), /^timeouts\.statement: /],
  [
    'statement timeout over 24 h',
    loadDoc({ timeouts: { statement: '25h' } }),
    /^timeouts\.statement: expected at most 24h/,
  ],
  [
    'spark timeout over 7 days',
    exportDoc({ timeouts: { spark: 1e12 } }),
    /^timeouts\.spark: expected at most 7d/,
  ],
  [
    '1,601 export columns',
    exportDoc({ query: undefined, table: 't', columns: Array.from({ length: 1601 }, (_, i) => `c${i}`) }),
    /^columns: expected at most 1600 columns/,
  ],
  [
    '1,601 transfer columns',
    transferDoc({ columns: Array.from({ length: 1601 }, (_, i) => `c${i}`) }),
    /^source\.columns: expected at most 1600 columns/,
  ],
];

describe('validation parity', () => {
  it.each(cases)('refuses %s, naming the field', (_, doc, expected) => {
    const found = issues(doc);
    expect(
      found.some((i) => expected.test(i)),
      found.join('\n'),
    ).toBe(true);
  });

  it('accepts the documents these cases start from', () => {
    expect(parseJob(exportDoc()).kind).toBe('export');
    expect(parseJob(loadDoc()).kind).toBe('load');
    expect(parseJob(transferDoc()).kind).toBe('transfer');
    expect(parseJob(exportDoc({ staging: 's3://rt-staging/' })).kind).toBe('export');
  });

  it('makes the first task of every state machine refuse the same documents with the same issues', async () => {
    const now = Date.UTC(2024, 0, 1);
    const first = {
      export: (job: unknown) => planExport({ input: { job }, now }),
      // Validation comes before any client is used.
      load: (job: unknown) => startLoadPlan({ input: { job }, now } as Parameters<typeof startLoadPlan>[0]),
      transfer: (job: unknown) => planTransfer({ input: { job }, now }),
    };
    for (const [name, doc] of cases) {
      const kind = (doc as { kind: keyof typeof first }).kind;
      const planned = first[kind](doc);
      await expect(planned, name).rejects.toBeInstanceOf(JobValidationError);
      await expect(planned, name).rejects.toThrow(issues(doc)[0] ?? 'never');
    }
  });
});

describe('validate (CLI)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rt-validate-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function validateFile(name: string, doc: unknown) {
    const path = join(dir, `${name}.json`);
    await writeFile(path, JSON.stringify(doc));
    const err: string[] = [];
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err.push(String(chunk));
      return true;
    });
    const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      return { code: await validate([path]), stderr: err.join('') };
    } finally {
      e.mockRestore();
      o.mockRestore();
    }
  }

  it.each(cases)('refuses %s with exit 1, naming the field', async (_, doc) => {
    const name = (doc as { name: string }).name;
    const { code, stderr } = await validateFile(name, doc);
    expect(code).toBe(1);
    const first = issues(doc)[0] ?? 'never';
    expect(stderr).toContain(forTerminal(first));
    expect(stderr).not.toMatch(/ZodError|"code":|Cannot read properties/);
  });

  it('escapes control characters echoed to the terminal', async () => {
    const { code, stderr } = await validateFile(
      'v-export',
      exportDoc({ query: undefined, table: 'evil\u001b[2J\u0007name' }),
    );
    expect(code).toBe(1);
    expect(stderr).toContain('evil\\u001b[2J\\u0007name');
    expect(stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it("refuses a staging prefix that overlaps another job's destination or source in the jobs folder", async () => {
    const jobs = join(dir, 'jobs');
    await mkdir(jobs, { recursive: true });
    await writeFile(
      join(jobs, 'v-export.json'),
      JSON.stringify(exportDoc({ destination: 's3://rt-exports/shared/{runDate}/' })),
    );
    await writeFile(
      join(jobs, 'v-load.json'),
      JSON.stringify(loadDoc({ staging: 's3://rt-exports/shared/' })),
    );
    const err: string[] = [];
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err.push(String(chunk));
      return true;
    });
    const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await validate(['v-load', '--jobs-dir', jobs])).toBe(1);
      expect(await validate(['v-export', '--jobs-dir', jobs])).toBe(0);
    } finally {
      e.mockRestore();
      o.mockRestore();
    }
    expect(err.join('')).toContain(
      `staging: s3://rt-exports/shared/ overlaps the destination of job "v-export" (${join(jobs, 'v-export.json')})`,
    );
  });

  it('escapes control characters of an unknown command echoed back', async () => {
    const err: string[] = [];
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['\u001b[2Jwipe'])).toBe(2);
    } finally {
      e.mockRestore();
    }
    expect(err.join('')).toMatch(/^unknown command "\\u\{1b\}\[2Jwipe"/);
  });

  it('escapes what forTerminal must: controls, C1, bidi and zero-width; keeps newlines, tabs and text', () => {
    expect(forTerminal('a\u001b[31mb\u0000c\u0085d\u202ee\u200bf\ng\th é')).toBe(
      'a\\u{1b}[31mb\\u{0}c\\u{85}d\\u{202e}e\\u{200b}f\ng\th é',
    );
  });
});
