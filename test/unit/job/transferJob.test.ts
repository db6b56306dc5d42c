import { describe, expect, it } from 'vitest';
import { parseJob } from '../../../src/job/job.ts';

const transfer = (destination: Record<string, unknown>) => ({
  kind: 'transfer',
  name: 'orders-copy',
  source: {
    target: { clusterIdentifier: 'src', database: 'dev', dbUser: 'awsuser' },
    iamRole: 'arn:aws:iam::123456789012:role/Unload',
    query: 'select id, updated_at from orders',
  },
  destination: {
    target: { clusterIdentifier: 'dst', database: 'dev', dbUser: 'awsuser' },
    iamRole: 'arn:aws:iam::123456789012:role/Copy',
    table: 'analytics.orders',
    ...destination,
  },
  staging: 's3://staging/transfers/',
});

describe('transfer job: the merge rules of a load, at destination', () => {
  it('needs keys for upsert, and keys for orderBy, naming the destination field', () => {
    expect(() => parseJob(transfer({ mode: 'upsert' }))).toThrow(
      'destination.keys: mode "upsert" needs "keys": the columns that identify a row',
    );
    expect(() => parseJob(transfer({ orderBy: 'updated_at' }))).toThrow(
      'destination.orderBy: "orderBy" picks a winner among rows with the same keys: give "keys" too',
    );
    expect(parseJob(transfer({ mode: 'upsert', keys: ['id'], orderBy: 'updated_at' }))).toMatchObject({
      destination: { mode: 'upsert', keys: ['id'], orderBy: 'updated_at' },
    });
  });
});
