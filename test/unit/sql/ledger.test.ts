import { describe, expect, it } from 'vitest';
import {
  createLedgerSql,
  ledgerLookupSql,
  ledgerObjectsCsv,
  objectVersion,
} from '../../../src/sql/ledger.ts';

describe('Function: createLedgerSql', () => {
  it('creates the schema and the table if missing', () => {
    expect(createLedgerSql({ schema: 'etl', name: 'rt_load_ledger' })).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "etl"',
      'CREATE TABLE IF NOT EXISTS "etl"."rt_load_ledger" (target_table VARCHAR(512) NOT NULL, ' +
        'bucket VARCHAR(63) NOT NULL, object_key VARCHAR(1024) NOT NULL, object_version VARCHAR(1100) NOT NULL, ' +
        'records BIGINT NOT NULL, run_id VARCHAR(128) NOT NULL, load_id VARCHAR(64) NOT NULL, ' +
        'loaded_at TIMESTAMP NOT NULL)',
    ]);
  });
});

describe('Function: objectVersion', () => {
  it('is the ETag without quotes (multipart ETags too)', () => {
    expect(objectVersion({ etag: '"abc"' })).toBe('etag:abc');
    expect(objectVersion({ etag: '"d41d8cd98f00b204e9800998ecf8427e-2"' })).toBe(
      'etag:d41d8cd98f00b204e9800998ecf8427e-2',
    );
  });
});

describe('Function: ledgerLookupSql', () => {
  it('looks up keys under a prefix', () => {
    expect(
      ledgerLookupSql({
        ledger: { schema: 'public', name: 'rt_load_ledger' },
        table: { schema: 'public', name: 'sales' },
        bucket: 'landing',
        keyPrefix: "in/o'neil/",
      }),
    ).toBe(
      `SELECT object_key, object_version, run_id FROM "public"."rt_load_ledger" WHERE target_table = '"public"."sales"' ` +
        `AND bucket = 'landing' AND SUBSTRING(object_key, 1, 10) = 'in/o''neil/' ORDER BY object_key`,
    );
  });

  it('looks up a list of keys', () => {
    expect(
      ledgerLookupSql({
        ledger: { name: 'ledger' },
        table: { name: 'sales' },
        bucket: 'b',
        keyPrefix: 'x',
        keys: ['a.csv', 'b.csv'],
      }),
    ).toBe(
      `SELECT object_key, object_version, run_id FROM "ledger" WHERE target_table = '"sales"' AND bucket = 'b' ` +
        `AND object_key IN ('a.csv', 'b.csv') ORDER BY object_key`,
    );
  });
});

describe('Function: ledgerObjectsCsv', () => {
  it('quotes every field', () => {
    expect(
      ledgerObjectsCsv([
        { bucket: 'b', key: 'a "quoted", key.csv', objectVersion: 'etag:1', records: 3 },
        { bucket: 'b', key: 'k2', objectVersion: 'v:2', records: 0 },
      ]),
    ).toBe('"b","a ""quoted"", key.csv","etag:1",3\n"b","k2","v:2",0\n');
  });
});
