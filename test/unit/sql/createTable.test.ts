import { describe, expect, it } from 'vitest';
import { loadJobSchema } from '../../../src/job/loadJob.ts';
import { buildCreateTable } from '../../../src/sql/createTable.ts';

describe('buildCreateTable', () => {
  it('creates only when missing, with dist and sort keys', () => {
    expect(
      buildCreateTable({
        table: { schema: 'sales', name: 'orders' },
        columns: [
          { name: 'id', type: 'bigint' },
          { name: 'amount', type: 'numeric(12,2)' },
        ],
        distKey: 'id',
        sortKey: ['id', 'amount'],
      }),
    ).toBe(
      'CREATE TABLE IF NOT EXISTS "sales"."orders" ("id" BIGINT, "amount" NUMERIC(12,2)) DISTSTYLE KEY DISTKEY ("id") SORTKEY ("id", "amount")',
    );
  });

  it('refuses a type that is not a Redshift type (nothing else reaches the SQL)', () => {
    expect(() =>
      buildCreateTable({ table: 't', columns: [{ name: 'a', type: 'int); drop table x; --' }] }),
    ).toThrow('unsupported column type "int); drop table x; --" for "a"');
  });

  it('validates createTable in the job with messages naming the field', () => {
    const r = loadJobSchema.safeParse({
      kind: 'load',
      name: 'j',
      target: { clusterIdentifier: 'c', database: 'd', dbUser: 'u' },
      iamRole: 'arn:aws:iam::123456789012:role/R',
      table: 'public.t',
      source: { prefix: 's3://landing/in/' },
      staging: 's3://staging/loads/',
      createTable: { columns: [{ name: 'id', type: 'integr' }], distKey: 'nope', sortKey: ['id'] },
    });
    expect(r.success).toBe(false);
    const issues = r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual([
      'createTable.columns.0.type: expected a Redshift type such as "varchar(100)", "numeric(12,2)" or "timestamp"',
      'createTable.distKey: "nope" is not one of createTable.columns',
    ]);
  });
});
