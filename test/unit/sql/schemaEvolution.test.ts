import { describe, expect, it } from 'vitest';
import { SchemaMismatchError } from '../../../src/errors.ts';
import { loadJobSchema } from '../../../src/job/loadJob.ts';
import {
  declaredShape,
  planSchemaChanges,
  type SchemaEvolutionOption,
  type TableColumnShape,
} from '../../../src/sql/schemaEvolution.ts';

const table = { schema: 'sales', name: 'orders' };
const col = (name: string, type: string, extra: Partial<TableColumnShape> = {}): TableColumnShape => ({
  name,
  type,
  maxLength: null,
  precision: null,
  scale: null,
  ...extra,
});
const existing = [
  col('id', 'bigint'),
  col('note', 'character varying', { maxLength: 10 }),
  col('amount', 'numeric', { precision: 12, scale: 2 }),
];
const plan = (
  fileColumns: { name: string; type: string; longestBytes?: number }[],
  evolution: SchemaEvolutionOption[],
) => planSchemaChanges({ table, tableColumns: existing, fileColumns, evolution, where: 's3://b/k.parquet' });
const id = { name: 'id', type: 'bigint' };
const note = { name: 'note', type: 'varchar(10)' };
const amount = { name: 'amount', type: 'numeric(12,2)' };
const same = [id, note, amount];

describe('planSchemaChanges', () => {
  it('changes nothing when the files match the table', () => {
    expect(plan(same, ['addColumns', 'widenVarchar'])).toEqual({ addColumns: [], widenVarchar: [] });
  });

  it('adds new columns as nullable ADD COLUMN statements (addColumns)', () => {
    expect(
      plan(
        [
          ...same,
          { name: 'Region', type: 'varchar(65535)', longestBytes: 3 },
          { name: 'qty', type: 'int' },
          { name: 'at', type: 'timestamptz' },
        ],
        ['addColumns'],
      ),
    ).toEqual({
      addColumns: [
        'ALTER TABLE "sales"."orders" ADD COLUMN "Region" VARCHAR(65535)',
        'ALTER TABLE "sales"."orders" ADD COLUMN "qty" INTEGER',
        'ALTER TABLE "sales"."orders" ADD COLUMN "at" TIMESTAMPTZ',
      ],
      widenVarchar: [],
    });
  });

  it('widens a VARCHAR to the longest value (widenVarchar), never narrows it', () => {
    expect(
      plan([id, { name: 'NOTE', type: 'varchar(4)', longestBytes: 42 }, amount], ['widenVarchar']),
    ).toEqual({
      addColumns: [],
      widenVarchar: ['ALTER TABLE "sales"."orders" ALTER COLUMN "note" TYPE VARCHAR(42)'],
    });
    expect(plan([id, { name: 'note', type: 'varchar(4)' }, amount], [])).toEqual({
      addColumns: [],
      widenVarchar: [],
    });
  });

  it.each([
    {
      what: 'a new column without addColumns',
      files: [...same, { name: 'region', type: 'varchar(20)' }],
      evolution: [] as SchemaEvolutionOption[],
      message:
        'new column "region" (varchar(20)) is not in the table (allow it with schemaEvolution: [addColumns])',
    },
    {
      what: 'a longer VARCHAR without widenVarchar',
      files: [id, { name: 'note', type: 'varchar(300)' }, amount],
      evolution: ['addColumns'] as SchemaEvolutionOption[],
      message:
        'column "note" is varchar(10) but the files need varchar(300) (allow it with schemaEvolution: [widenVarchar])',
    },
    {
      what: 'a value longer than VARCHAR(65535)',
      files: [id, { name: 'note', type: 'varchar(10)', longestBytes: 70000 }, amount],
      evolution: ['widenVarchar'] as SchemaEvolutionOption[],
      message: 'column "note" needs 70000 bytes, more than VARCHAR(65535) holds',
    },
    {
      what: 'a renamed column',
      files: [id, { name: 'comment', type: 'varchar(10)' }, amount],
      evolution: ['addColumns', 'widenVarchar'] as SchemaEvolutionOption[],
      message: 'column "note" of the table is missing from the files (removed or renamed?)',
    },
    {
      what: 'an integer narrowing',
      files: [{ name: 'id', type: 'numeric(20,0)' }, note, amount],
      evolution: ['addColumns', 'widenVarchar'] as SchemaEvolutionOption[],
      message: 'column "id" is bigint in the table but numeric(20,0) in the files (changed)',
    },
    {
      what: 'a decimal with more scale',
      files: [id, note, { name: 'amount', type: 'numeric(12,4)' }],
      evolution: ['addColumns', 'widenVarchar'] as SchemaEvolutionOption[],
      message: 'column "amount" is numeric(12,2) in the table but numeric(12,4) in the files (would narrow)',
    },
    {
      what: 'a changed type',
      files: [id, note, { name: 'amount', type: 'varchar(20)' }],
      evolution: ['addColumns', 'widenVarchar'] as SchemaEvolutionOption[],
      message: 'column "amount" is numeric(12,2) in the table but varchar(20) in the files (changed)',
    },
  ])('names $what in a SchemaMismatchError and alters nothing', ({ files, evolution, message }) => {
    let error: unknown;
    try {
      plan(files, evolution);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchemaMismatchError);
    expect((error as Error).message).toContain('s3://b/k.parquet does not match table "sales"."orders": ');
    expect((error as Error).message).toContain(message);
  });

  it('lists every difference at once', () => {
    expect(() =>
      plan(
        [
          { name: 'id', type: 'integer' },
          { name: 'x', type: 'date' },
        ],
        [],
      ),
    ).toThrow(
      /column "note" of the table is missing.*column "amount" of the table is missing.*new column "x" \(date\)/,
    );
  });

  it('accepts smaller integers and narrower decimals (they load as they are)', () => {
    expect(
      plan([{ name: 'id', type: 'smallint' }, note, { name: 'amount', type: 'numeric(8,1)' }], []),
    ).toEqual({ addColumns: [], widenVarchar: [] });
  });
});

describe('declaredShape', () => {
  it.each([
    ['varchar(300)', { type: 'varchar', maxLength: 300, precision: null, scale: null }],
    ['VARCHAR(MAX)', { type: 'varchar', maxLength: 65535, precision: null, scale: null }],
    ['numeric(12, 2)', { type: 'numeric', maxLength: null, precision: 12, scale: 2 }],
    ['double precision', { type: 'double precision', maxLength: null, precision: null, scale: null }],
  ])('%s', (type, shape) => {
    expect(declaredShape('c', type)).toEqual({ name: 'c', ...shape });
  });
});

describe('schemaEvolution in the job', () => {
  const base = {
    kind: 'load',
    name: 'j',
    target: { clusterIdentifier: 'c', database: 'd', dbUser: 'u' },
    iamRole: 'arn:aws:iam::123456789012:role/R',
    table: 'public.t',
    source: { prefix: 's3://landing/in/' },
    staging: 's3://staging/loads/',
    format: { type: 'parquet' },
  };

  const issues = (doc: Record<string, unknown>) =>
    loadJobSchema.safeParse(doc).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

  it('takes addColumns and widenVarchar, and refuses what does not apply, naming the field', () => {
    expect(loadJobSchema.parse({ ...base, schemaEvolution: ['addColumns'] }).schemaEvolution).toEqual([
      'addColumns',
    ]);
    expect(loadJobSchema.parse(base).schemaEvolution).toBeUndefined();
    const unknown = loadJobSchema.safeParse({ ...base, schemaEvolution: ['renameColumns'] });
    expect(unknown.error?.issues[0]?.path).toEqual(['schemaEvolution', 0]);
    const csvWiden = { ...base, format: { type: 'csv' }, schemaEvolution: ['widenVarchar'] };
    expect(loadJobSchema.parse(csvWiden).schemaEvolution).toEqual(['widenVarchar']);
    // Parquet too: prepare reads the string columns to measure them (parquetStringLengths.ts).
    expect(loadJobSchema.parse({ ...base, schemaEvolution: ['widenVarchar'] }).schemaEvolution).toEqual([
      'widenVarchar',
    ]);
    expect(issues({ ...csvWiden, copyOptions: { truncateColumns: true } })).toEqual([
      'schemaEvolution: widenVarchar and copyOptions.truncateColumns contradict each other (widen the column, or cut the value): keep one',
    ]);
    const named =
      'schemaEvolution: addColumns needs the files to name their columns: Parquet, CSV with a header, or JSON without jsonPaths, and no "columns" in the job';
    expect(issues({ ...base, format: { type: 'csv' }, schemaEvolution: ['addColumns'] })).toEqual([named]);
    expect(
      issues({
        ...base,
        format: { type: 'json', jsonPaths: 's3://landing/paths.json' },
        schemaEvolution: ['addColumns'],
      }),
    ).toEqual([named]);
    expect(
      issues({
        ...base,
        format: { type: 'csv', header: true },
        columns: ['a'],
        schemaEvolution: ['addColumns'],
      }),
    ).toEqual([named]);
    for (const format of [{ type: 'csv', header: true }, { type: 'json' }])
      expect(issues({ ...base, format, schemaEvolution: ['addColumns'] })).toBeUndefined();
  });

  it('createTable for CSV/JSON: declared columns or infer: true, not both, not for Parquet', () => {
    const csv = { ...base, format: { type: 'csv', header: true } };
    expect(issues({ ...csv, createTable: {} })).toEqual([
      'createTable.columns: declare the columns (name and type), or set createTable.infer: true to infer them from the first records of the first source object (as validate --infer shows them): csv files do not carry types',
    ]);
    expect(issues({ ...csv, createTable: { infer: true } })).toBeUndefined();
    expect(issues({ ...csv, createTable: { infer: true, columns: [{ name: 'a', type: 'int' }] } })).toEqual([
      'createTable.infer: the columns are declared already: keep "columns" or "infer"',
    ]);
    expect(issues({ ...base, createTable: { infer: true } })).toEqual([
      'createTable.infer: Parquet types come from the footer: leave infer out',
    ]);
  });
});
