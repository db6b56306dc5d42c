import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { formatLoadReport, type LoadOutput } from '../../src/load/loadReport.ts';
import { loadJobDocument, runJobDocument } from '../helpers/loadJobDocument.ts';
import { LOAD_TEST_BUCKETS, useTestStateMachine } from '../helpers/testStateMachine.ts';

/** CSV/text dialects and JSON options through the load state machine on the local stack. */

const t = useTestStateMachine({ kind: 'load', buckets: LOAD_TEST_BUCKETS, slices: 2 });

async function put(key: string, body: string | Buffer) {
  await t.s3.client.send(new PutObjectCommand({ Bucket: 'rt-landing', Key: key, Body: body }));
}

async function table(sql: string): Promise<unknown[][]> {
  return (await t.db.query({ text: sql, rowMode: 'array' })).rows;
}

function job(name: string, tableName: string, overrides: Record<string, unknown> = {}) {
  return loadJobDocument(name, t.redshift.database, tableName, overrides);
}

function run(j: Record<string, unknown>) {
  return runJobDocument(t.runner, t.sm, j);
}

const AIRPORTS = 'create table %s (airport_name varchar(40), cost_total numeric(10,2), id int)';

describe('CSV dialects (local stack)', () => {
  it('header: true with columns maps by position (IGNOREHEADER 1 + column list); BOM, CRLF, trailing blank lines', async () => {
    await t.db.query(AIRPORTS.replace('%s', 'airports_pos'));
    await put(
      'pos/a.csv',
      '\ufeffAirport Name,Cost Total $,Id\r\n"Oslo, Gardermoen",12.50,1\r\nRome,3,2\r\n\r\n\r\n',
    );
    const r = await run(
      job('pos', 'public.airports_pos', {
        columns: ['airport_name', 'cost_total', 'id'],
        copyOptions: { ignoreBlankLines: true },
      }),
    );
    expect(r.error, r.cause).toBeUndefined();
    expect(await table('select * from airports_pos order by id')).toEqual([
      ['Oslo, Gardermoen', '12.50', 1],
      ['Rome', '3.00', 2],
    ]);
    // The report in the execution output and in words (the CLI summary's lines).
    const output = r.output as LoadOutput;
    expect(output.result).toMatchObject({
      objects: 1,
      rowsRead: 2,
      records: 2,
      inserted: 2,
      updated: 0,
      rejected: 0,
      perObject: [{ uri: 's3://rt-landing/pos/a.csv', records: 2, rejected: 0 }],
    });
    expect(formatLoadReport(output).slice(0, 3)).toEqual([
      '  table    public.airports_pos (append)',
      '  objects  1 loaded, 0 skipped (loaded by earlier runs)',
      '  rows     2 read, 0 rejected, 2 staged',
    ]);
    const again = await run(
      job('pos', 'public.airports_pos', {
        columns: ['airport_name', 'cost_total', 'id'],
        copyOptions: { ignoreBlankLines: true },
      }),
    );
    const words = formatLoadReport(again.output as LoadOutput);
    expect(words[0]).toBe(
      '  nothing to do: all 1 source object(s) were loaded by earlier runs; no rows changed',
    );
    expect(words[1]).toMatch(/^ {4}skipped s3:\/\/rt-landing\/pos\/a\.csv \(loaded by run .+\)$/);
  });

  it('without columns, header names match case-insensitively after spaces and punctuation become "_"', async () => {
    await t.db.query(AIRPORTS.replace('%s', 'airports_names'));
    await put('names/a.csv', 'ID,Cost Total $,Airport Name\n1,12.5,Oslo\n2,7,"Rome\nFiumicino"\n');
    const r = await run(job('names', 'public.airports_names'));
    expect(r.error, r.cause).toBeUndefined();
    expect(await table('select * from airports_names order by id')).toEqual([
      ['Oslo', '12.50', 1],
      ['Rome\nFiumicino', '7.00', 2],
    ]);
  });

  it('columnMap maps a header name to a column explicitly', async () => {
    await t.db.query(AIRPORTS.replace('%s', 'airports_map'));
    await put('map/a.csv', 'Airport,Total (EUR),id\nOslo,1.25,1\n');
    const r = await run(
      job('map', 'public.airports_map', {
        columnMap: { Airport: 'airport_name', 'Total (EUR)': 'cost_total' },
      }),
    );
    expect(r.error, r.cause).toBeUndefined();
    expect(await table('select * from airports_map')).toEqual([['Oslo', '1.25', 1]]);
  });

  it('refuses a header name that fits no column, with the exact message', async () => {
    await t.db.query(AIRPORTS.replace('%s', 'airports_bad'));
    await put('bad/a.csv', 'Airport,Cost Total $,id\nOslo,1.25,1\n');
    const r = await run(job('bad', 'public.airports_bad'));
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('SchemaMismatchError');
    expect(r.cause).toContain(
      'The header of s3://rt-landing/bad/a.csv (line 1) does not fit the table (airport_name, cost_total, id): field(s) "Airport" match no column of the table. Header names match columns case-insensitively after spaces and punctuation become "_"; map the others with "columnMap" ({"Header Name": "column"}) or name the fields in order with "columns".',
    );
    expect(await table('select count(*)::int from airports_bad')).toEqual([[0]]);
  });

  it('skipLines skips a preamble; ";" delimiter; quoted newlines', async () => {
    await t.db.query(AIRPORTS.replace('%s', 'airports_skip'));
    await put(
      'skip/a.csv',
      'Report "airports" (unbalanced quote\nGenerated 2024-05-01\nid;airport_name;cost_total\n1;"A;\nB";2.5\n',
    );
    const r = await run(
      job('skip', 'public.airports_skip', {
        format: { type: 'csv', header: true, delimiter: ';', skipLines: 2 },
      }),
    );
    expect(r.error, r.cause).toBeUndefined();
    expect(await table('select * from airports_skip')).toEqual([['A;\nB', '2.50', 1]]);
  });

  it.each([
    ['tab', '\t'],
    ['pipe', '|'],
  ])('loads a %s-delimited file', async (name, delimiter) => {
    await t.db.query(AIRPORTS.replace('%s', `airports_${name}`));
    await put(
      `${name}/a.txt`,
      `${['id', 'airport_name', 'cost_total'].join(delimiter)}\n1${delimiter}Oslo${delimiter}3\n`,
    );
    const r = await run(
      job(name, `public.airports_${name}`, { format: { type: 'csv', header: true, delimiter } }),
    );
    expect(r.error, r.cause).toBeUndefined();
    expect(await table(`select * from airports_${name}`)).toEqual([['Oslo', '3.00', 1]]);
  });

  it('timeFormat auto takes ISO 8601 with Z, offsets and fractions in the checks and in COPY', async () => {
    await t.db.query('create table events_auto (id int, at timestamptz, local_at timestamp)');
    await put(
      'auto/a.csv',
      'id,at,local_at\n1,2019-02-11T05:09:12.195Z,2013-01-01T06:00:00Z\n2,1997-12-17 07:37:16-08,2013-01-01T06:00:00.000Z\n',
    );
    const r = await run(job('auto', 'public.events_auto', { copyOptions: { timeFormat: 'auto' } }));
    expect(r.error, r.cause).toBeUndefined();
    expect(
      await table(
        `select id, to_char(at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS'), to_char(local_at, 'YYYY-MM-DD HH24:MI:SS') from events_auto order by id`,
      ),
    ).toEqual([
      [1, '2019-02-11 05:09:12.195', '2013-01-01 06:00:00'],
      [2, '1997-12-17 15:37:16.000', '2013-01-01 06:00:00'],
    ]);
  });
});

describe('JSON lines options (local stack)', () => {
  it('honours copyOptions in the checks: timeFormat epochmillisecs', async () => {
    await t.db.query('create table clicks_epoch (id int, at timestamp)');
    await put('epoch/a.json', '{"id": 1, "at": 1549861752195}\n{"id": 2, "at": 0}\n');
    const r = await run(
      job('epoch', 'public.clicks_epoch', {
        format: { type: 'json' },
        copyOptions: { timeFormat: 'epochmillisecs' },
      }),
    );
    expect(r.error, r.cause).toBeUndefined();
    expect(
      await table(`select id, to_char(at, 'YYYY-MM-DD HH24:MI:SS.MS') from clicks_epoch order by id`),
    ).toEqual([
      [1, '2019-02-11 05:09:12.195'],
      [2, '1970-01-01 00:00:00.000'],
    ]);
  });

  it("keys: ignorecase loads Miles_per_Gallon into miles_per_gallon (COPY JSON 'auto ignorecase')", async () => {
    await t.db.query('create table cars_ic (name varchar(20), miles_per_gallon real)');
    await put(
      'ic/a.json',
      '{"Name": "chevrolet", "Miles_per_Gallon": 18}\n{"NAME": "buick", "Miles_per_Gallon": null}\n',
    );
    const r = await run(job('ic', 'public.cars_ic', { format: { type: 'json', keys: 'ignorecase' } }));
    expect(r.error, r.cause).toBeUndefined();
    expect(await table('select * from cars_ic order by name')).toEqual([
      ['buick', null],
      ['chevrolet', 18],
    ]);
  });

  it('without keys: ignorecase a capitalised field is refused with the exact message', async () => {
    await t.db.query('create table cars_exact (name varchar(20), miles_per_gallon real)');
    await put('exact/a.json', '{"name": "chevrolet", "Miles_per_Gallon": 18}\n');
    const r = await run(job('exact', 'public.cars_exact', { format: { type: 'json' } }));
    expect(r.error).toBe('SchemaMismatchError');
    expect(r.cause).toContain(
      's3://rt-landing/exact/a.json line 1: field "Miles_per_Gallon" is not a column of public.cars_exact (COPY JSON \'auto\' matches lowercase column names exactly; set format.keys to "ignorecase" for other spellings; columns: name, miles_per_gallon). Rename the field or the column, or map fields with format.jsonPaths.',
    );
  });

  it('a JSONPaths file maps nested fields to the columns by position', async () => {
    await t.db.query('create table cars_paths (name varchar(20), mpg real, maker varchar(20))');
    await put(
      'paths-def/paths.json',
      JSON.stringify({ jsonpaths: ["$['Name']", '$.specs.mpg', '$.makers[0]'] }),
    );
    await put(
      'paths/a.json',
      '{"Name": "chevrolet", "specs": {"mpg": 18}, "makers": ["GM", "x"], "extra": 1}\n',
    );
    const r = await run(
      job('paths', 'public.cars_paths', {
        format: { type: 'json', jsonPaths: 's3://rt-landing/paths-def/paths.json' },
      }),
    );
    expect(r.error, r.cause).toBeUndefined();
    expect(await table('select * from cars_paths')).toEqual([['chevrolet', 18, 'GM']]);
  });
});

describe('createTable (local stack)', () => {
  it('creates a missing target from the declared columns with dist and sort keys, and never alters an existing one', async () => {
    await put('create/a.csv', 'id,name,amount\n1,Ann,1.50\n2,Bob,2\n');
    const createTable = {
      columns: [
        { name: 'id', type: 'integer' },
        { name: 'name', type: 'varchar(20)' },
        { name: 'amount', type: 'numeric(8,2)' },
      ],
      distKey: 'id',
      sortKey: ['id'],
    };
    const r = await run(job('create', 'public.created_t', { createTable }));
    expect(r.error, r.cause).toBeUndefined();
    expect(await table('select * from created_t order by id')).toEqual([
      [1, 'Ann', '1.50'],
      [2, 'Bob', '2.00'],
    ]);
    expect(
      await table(
        `select column_name, data_type from information_schema.columns where table_name = 'created_t' order by ordinal_position`,
      ),
    ).toEqual([
      ['id', 'integer'],
      ['name', 'character varying'],
      ['amount', 'numeric'],
    ]);

    // The table exists now: another declaration does not change it, and the rows stay.
    await put('create/b.csv', 'id,name,amount\n3,Cy,3\n');
    const again = await run(
      job('create', 'public.created_t', {
        createTable: { columns: [{ name: 'id', type: 'bigint' }, ...createTable.columns.slice(1)] },
      }),
    );
    expect(again.error, again.cause).toBeUndefined();
    expect(
      await table(
        `select data_type from information_schema.columns where table_name = 'created_t' and column_name = 'id'`,
      ),
    ).toEqual([['integer']]);
    expect(await table('select count(*)::int from created_t')).toEqual([[3]]);
  });
});
