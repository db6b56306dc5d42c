import { describe, expect, it } from 'vitest';
import { loadJobSchema } from '../../../src/job/loadJob.ts';
import type { LoadContext } from '../../../src/load/loadRun.ts';
import { loadBatch } from '../../../src/load/loadStatement.ts';
import type { PreparedLoad } from '../../../src/load/writeCopyManifest.ts';
import { targetColumn } from '../../helpers/targetColumn.ts';

const job = loadJobSchema.parse({
  kind: 'load',
  name: 'events',
  target: { clusterIdentifier: 'c', database: 'd', dbUser: 'u' },
  iamRole: 'arn:aws:iam::123456789012:role/R',
  table: 'public.events',
  source: { prefix: 's3://landing/events/' },
  staging: 's3://staging/loads/',
  format: { type: 'parquet' },
});

const context = (types: string[]): LoadContext => ({
  runId: 'r1',
  runDate: '2024-05-01',
  stagingPrefix: 's3://staging/loads/events/r1/',
  table: { schema: 'public', name: 'events' },
  tableColumns: types.map((t, i) => targetColumn(`c${i}`, t)),
  fileColumns: types.map((_, i) => `c${i}`),
  slices: 2,
  partCount: 1,
});

const prepared: PreparedLoad = {
  manifestUri: 's3://staging/loads/events/r1/copy.manifest',
  objectsUri: 's3://staging/loads/events/r1/objects.csv',
  records: 3,
  rejected: 0,
  files: 1,
  bytes: 100,
  objects: 1,
  loadId: 'l1',
};

const copyOf = (types: string[]) =>
  loadBatch(job, context(types), prepared).sqls.find((s) => s.includes('FORMAT AS PARQUET'));

describe('loadBatch: the COPY of a Parquet load', () => {
  it('adds SERIALIZETOJSON when the table has a SUPER column (Redshift loads nested columns into SUPER only with it)', () => {
    expect(copyOf(['bigint', 'super'])).toContain(
      ' MANIFEST FORMAT AS PARQUET SERIALIZETOJSON COMPUPDATE OFF',
    );
  });

  it('leaves it out otherwise', () => {
    expect(copyOf(['bigint', 'character varying'])).toContain(' MANIFEST FORMAT AS PARQUET COMPUPDATE OFF');
  });
});
