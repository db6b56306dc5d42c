import { GetStatementResultCommand, GetStatementResultV2Command } from '@aws-sdk/client-redshift-data';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAndWait, startTestRedshift, type TestRedshift } from '../../../../helpers/testRedshift.ts';
import { startTestS3, type TestS3 } from '../../../../helpers/testS3.ts';

const ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftS3'";

/**
 * Every Redshift type through the real Data API client: the Field member AWS documents for it
 * (API_Field: longValue, doubleValue, booleanValue, stringValue, blobValue, isNull), the
 * ColumnMetadata, GetStatementResultV2's CSV, and the text UNLOAD writes for the same values.
 */
describe('typed results of the local Data API and UNLOAD', () => {
  let s3: TestS3;
  let rs: TestRedshift;
  const COLUMNS = 'i2, i4, i8, d, r, f, b, c, v, dt, ts, tstz, t, s, vb';
  beforeAll(async () => {
    s3 = await startTestS3();
    rs = await startTestRedshift({ s3Endpoint: s3.endpoint, slices: 1 });
    await s3.client.send(new CreateBucketCommand({ Bucket: 'typed' }));
    const ok = async (sql: string) => {
      const d = await executeAndWait(rs, { Sql: sql });
      expect(d.Error, sql).toBeUndefined();
    };
    await ok(`create table typed (id int, i2 smallint, i4 integer, i8 bigint, d decimal(12,4), r real, f double precision,
      b boolean, c char(5), v varchar(20), dt date, ts timestamp, tstz timestamptz, t time, s super, vb varbyte(8))`);
    await ok(`insert into typed values (1, -7, 2147483647, 9007199254740991, 12345.6789, 1.5, 2.25, true, 'ab', 'x,y',
      '2008-01-05', '2008-01-05 14:30:00.123', '2008-01-05 14:30:00+00', '12:34:56', json_parse('{"a":[1,2]}'), 'ab')`);
    await ok('insert into typed (id) values (2)');
  });
  afterAll(async () => {
    await rs?.stop();
    await s3?.stop();
  });

  it('GetStatementResult: one Field member per type, isNull for NULL; Redshift type names in ColumnMetadata', async () => {
    const d = await executeAndWait(rs, { Sql: `select ${COLUMNS} from typed order by id` });
    const r = await rs.client.send(new GetStatementResultCommand({ Id: d.Id }));
    expect(r.Records?.[0]).toEqual([
      { longValue: -7 },
      { longValue: 2147483647 },
      { longValue: 9007199254740991 },
      { stringValue: '12345.6789' },
      { doubleValue: 1.5 },
      { doubleValue: 2.25 },
      { booleanValue: true },
      { stringValue: 'ab   ' },
      { stringValue: 'x,y' },
      { stringValue: '2008-01-05' },
      { stringValue: '2008-01-05 14:30:00.123' },
      { stringValue: '2008-01-05 14:30:00+00' },
      { stringValue: '12:34:56' },
      { stringValue: '{"a":[1,2]}' },
      { blobValue: new Uint8Array([0x61, 0x62]) },
    ]);
    expect(r.Records?.[1]).toEqual(Array.from({ length: 15 }, () => ({ isNull: true })));
    expect(r.ColumnMetadata?.map((c) => [c.name, c.typeName, c.precision, c.scale])).toEqual([
      ['i2', 'int2', 5, 0],
      ['i4', 'int4', 10, 0],
      ['i8', 'int8', 19, 0],
      ['d', 'numeric', 12, 4],
      ['r', 'float4', 8, 8],
      ['f', 'float8', 17, 17],
      ['b', 'bool', 0, 0],
      ['c', 'bpchar', 5, 0],
      ['v', 'varchar', 20, 0],
      ['dt', 'date', 0, 0],
      ['ts', 'timestamp', 0, 0],
      ['tstz', 'timestamptz', 0, 0],
      ['t', 'time', 0, 0],
      ['s', 'super', 0, 0],
      ['vb', 'varbyte', 0, 0],
    ]);
    expect(r.ColumnMetadata?.every((c) => c.tableName === 'typed' && c.nullable === 1)).toBe(true);
    // Text functions return VARCHAR (Redshift has no TEXT type).
    const u = await executeAndWait(rs, { Sql: "select upper(v), 'lit' from typed where id = 1" });
    const ur = await rs.client.send(new GetStatementResultCommand({ Id: u.Id }));
    expect(ur.ColumnMetadata?.map((c) => c.typeName)).toEqual(['varchar', 'varchar']);
  });

  it('GetStatementResultV2 (CSV) and UNLOAD write the same text as stringValue for DECIMAL, DATE, TIMESTAMP, TIMESTAMPTZ, SUPER', async () => {
    const sql = 'select d, dt, ts, tstz, s, b from typed where id = 1';
    const json = await rs.client.send(
      new GetStatementResultCommand({ Id: (await executeAndWait(rs, { Sql: sql })).Id }),
    );
    const texts = (json.Records?.[0] ?? [])
      .slice(0, 5)
      .map((f) => (f as { stringValue: string }).stringValue);
    const csv = await rs.client.send(
      new GetStatementResultV2Command({
        Id: (await executeAndWait(rs, { Sql: sql, ResultFormat: 'CSV' })).Id,
      }),
    );
    const csvText = (csv.Records?.[0] as { CSVRecords?: string } | undefined)?.CSVRecords;
    // The SUPER text holds commas and quotes: CSV quotes it and doubles the quotes.
    expect(csvText).toBe(
      `d,dt,ts,tstz,s,b\n${texts.slice(0, 4).join(',')},"${(texts[4] as string).replace(/"/g, '""')}",t\n`,
    );
    const unload = await executeAndWait(rs, {
      Sql: `UNLOAD ('${sql.replace(/'/g, "''")}') TO 's3://typed/u/' ${ROLE} PARALLEL OFF`,
    });
    expect(unload.Error).toBeUndefined();
    // BOOLEAN is t/f in UNLOAD's text, as Redshift writes it.
    expect((await s3.getBytes('typed', 'u/000')).toString()).toBe(`${texts.join('|')}|t\n`);
  });
});
