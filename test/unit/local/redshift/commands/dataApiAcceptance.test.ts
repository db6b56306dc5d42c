import { zstdDecompressSync } from 'node:zlib';
import { GetStatementResultCommand } from '@aws-sdk/client-redshift-data';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestRedshift } from '../../../../helpers/testRedshift.ts';
import { executeAndWait, startTestRedshift } from '../../../../helpers/testRedshift.ts';
import type { TestS3 } from '../../../../helpers/testS3.ts';
import { startTestS3 } from '../../../../helpers/testS3.ts';

const ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftS3'";
let s3: TestS3;
let rs: TestRedshift;

// Redshift keeps pg_last_*() per session: statements that read them run in the session of the
// statement before (SessionKeepAliveSeconds / SessionId), as with the real Data API.
let sessionId: string | undefined;
const sql = async (text: string) => {
  const d = await executeAndWait(
    rs,
    sessionId
      ? { Sql: text, SessionId: sessionId, ClusterIdentifier: undefined, Database: undefined }
      : { Sql: text, SessionKeepAliveSeconds: 300 },
  );
  sessionId ??= d.SessionId;
  return d;
};
const ok = async (text: string) => {
  const d = await sql(text);
  expect(d.Error, text).toBeUndefined();
  expect(d.Status).toBe('FINISHED');
  return d;
};
const keys = async (prefix: string) =>
  ((await s3.client.send(new ListObjectsV2Command({ Bucket: 'acc', Prefix: prefix }))).Contents ?? [])
    .map((o) => o.Key)
    .sort();
const body = async (key: string) => {
  const r = await s3.client.send(new GetObjectCommand({ Bucket: 'acc', Key: key }));
  return Buffer.from(
    await (r.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
  );
};
const scalar = async (q: string) => {
  const d = await ok(q);
  const r = await rs.client.send(new GetStatementResultCommand({ Id: d.Id }));
  const f = r.Records?.[0]?.[0];
  return f ? Object.values(f)[0] : undefined;
};

beforeAll(async () => {
  s3 = await startTestS3();
  rs = await startTestRedshift({ s3Endpoint: s3.endpoint, slices: 2 });
  await s3.client.send(new CreateBucketCommand({ Bucket: 'acc' }));
  await ok(
    `CREATE TABLE venue (venueid smallint, venuename varchar(100), venuecity varchar(30), venuestate char(2), venueseats integer)`,
  );
  await ok(`INSERT INTO venue VALUES (1, 'Toyota Park', 'Bridgeview', 'IL', 0), (2, 'Columbus Crew Stadium', 'Columbus', 'OH', 0),
    (3, 'RFK Stadium', 'Washington', 'DC', 0), (4, 'CommunityAmerica Ballpark', 'Kansas City', 'KS', NULL), (5, 'Gillette Stadium', 'Foxborough', 'MA', 68756)`);
});
afterAll(async () => {
  await rs?.stop();
  await s3?.stop();
});

describe('UNLOAD through the Data API (documented examples)', () => {
  const cases: { name: string; sql: string; rows: number; keys: string[]; first?: [string, string] }[] = [
    {
      name: 'pipe-delimited, one file per slice',
      sql: `unload ('select * from venue order by venueid') to 's3://acc/u1/venue_pipe_' ${ROLE}`,
      rows: 5,
      keys: ['u1/venue_pipe_0000_part_00', 'u1/venue_pipe_0001_part_00'],
      first: [
        'u1/venue_pipe_0000_part_00',
        '1|Toyota Park|Bridgeview|IL|0\n3|RFK Stadium|Washington|DC|0\n5|Gillette Stadium|Foxborough|MA|68756\n',
      ],
    },
    {
      name: 'PARALLEL OFF serial file',
      sql: `unload ('select venueid, venuename from venue where venueid < 3 order by venueid') to 's3://acc/u2/venue_serial_' ${ROLE} parallel off`,
      rows: 2,
      keys: ['u2/venue_serial_000'],
      first: ['u2/venue_serial_000', '1|Toyota Park\n2|Columbus Crew Stadium\n'],
    },
    {
      name: "NULL AS 'fred' and ADDQUOTES",
      sql: `unload ('select venueid, venueseats from venue where venueid = 4') to 's3://acc/u3/' ${ROLE} null as 'fred' addquotes parallel off`,
      rows: 1,
      keys: ['u3/000'],
      first: ['u3/000', '"4"|"fred"\n'],
    },
    {
      name: 'FIXEDWIDTH',
      sql: `unload ('select venueid, venuestate from venue where venueid = 1') to 's3://acc/u4/fw_' ${ROLE} fixedwidth as 'venueid:3,venuestate:4' parallel off`,
      rows: 1,
      keys: ['u4/fw_000'],
      first: ['u4/fw_000', '1  IL  \n'],
    },
    {
      name: 'PARTITION BY with NULL partition and INCLUDE',
      sql: `unload ('select venuestate, venueseats, venueid from venue where venueid in (1, 4)') to 's3://acc/u5/p' ${ROLE} partition by (venueseats) include parallel off manifest`,
      rows: 2,
      keys: ['u5/p/manifest', 'u5/p/venueseats=0/000', 'u5/p/venueseats=__HIVE_DEFAULT_PARTITION__/000'],
      first: ['u5/p/venueseats=0/000', 'IL|0|1\n'],
    },
    {
      name: 'JSON, zero rows writes no object',
      sql: `unload ('select * from venue where false') to 's3://acc/u6/j_' ${ROLE} format json`,
      rows: 0,
      keys: [],
    },
    {
      name: 'EXTENSION with GZIP and MAXFILESIZE',
      sql: `unload ('select * from venue') to 's3://acc/u7/e_' ${ROLE} extension 'csv.gz' gzip csv maxfilesize 5 mb parallel off`,
      rows: 5,
      keys: ['u7/e_000.csv.gz'],
    },
  ];
  it.each(cases)('$name', async (c) => {
    const d = await ok(c.sql);
    expect(d.ResultRows).toBe(c.rows);
    expect(await keys(c.sql.match(/s3:\/\/acc\/(u\d+\/)/)?.[1] ?? '')).toEqual(c.keys);
    if (c.first) expect((await body(c.first[0])).toString()).toBe(c.first[1]);
    expect(Number(await scalar('select pg_last_unload_count()'))).toBe(c.rows);
  });

  it('a syntax error fails the statement with Redshift wording and keeps pg_last_unload_count', async () => {
    const d = await sql(`unload ('select 1') to 's3://acc/x/' ${ROLE} parquet delimiter ','`);
    expect(d.Status).toBe('FAILED');
    expect(d.Error).toBe('ERROR: PARQUET is not compatible with DELIMITER.');
  });
});

describe('COPY through the Data API', () => {
  it('loads gzip-less CSV with a header and reports ResultRows and pg_last_copy_count()', async () => {
    await ok('CREATE TABLE v2 (LIKE venue)');
    await s3.client.send(
      new PutObjectCommand({
        Bucket: 'acc',
        Key: 'c1/venue.csv',
        Body: 'id,name,city,st,seats\n10,"A, ""B""",X,NY,\n11,,Y,CA,5\n',
      }),
    );
    const d = await ok(`copy v2 from 's3://acc/c1/venue' ${ROLE} csv ignoreheader 1`);
    expect(d.ResultRows).toBe(2);
    expect(await scalar('select pg_last_copy_count()')).toBe(2);
    expect(await scalar('select venuename from v2 where venueid = 10')).toBe('A, "B"');
  });

  it('the manifest-under-the-prefix trap: COPY of an UNLOAD prefix without MANIFEST reads the manifest as data', async () => {
    await ok(`unload ('select * from venue') to 's3://acc/c2/v_' ${ROLE} manifest zstd`);
    const d = await sql(`copy v2 from 's3://acc/c2/v_' ${ROLE} zstd`);
    expect(d.Status).toBe('FAILED');
    expect(d.Error).toMatch(/ZSTD decompression of s3:\/\/acc\/c2\/v_manifest failed/);
    const m = await ok(`copy v2 from 's3://acc/c2/v_manifest' ${ROLE} manifest zstd`);
    expect(m.ResultRows).toBe(5);
    expect(
      zstdDecompressSync(await body('c2/v_0000_part_00.zst'))
        .toString()
        .split('\n').length,
    ).toBeGreaterThan(1);
  });

  it('over MAXERROR the statement fails pointing at stl_load_errors, which keep the line after the rollback', async () => {
    await s3.client.send(
      new PutObjectCommand({ Bucket: 'acc', Key: 'c3/bad.txt', Body: '1|ok|c|NY|1\n2|ok|c|NY|notanumber\n' }),
    );
    const d = await sql(`copy v2 from 's3://acc/c3/bad.txt' ${ROLE}`);
    expect(d.Status).toBe('FAILED');
    expect(d.Error).toBe(
      "ERROR: Load into table 'v2' failed. Check 'stl_load_errors' system table for details.",
    );
    expect(Number(await scalar('select pg_last_copy_count()'))).toBe(0);
    expect(
      await scalar(
        "select line_number || ':' || trim(colname) || ':' || err_code from stl_load_errors where filename like 's3://acc/c3/%'",
      ),
    ).toBe('2:venueseats:1207');
  });

  it('a missing bucket is an S3ServiceException in the statement error', async () => {
    const d = await sql(`copy v2 from 's3://no-such-bucket/x' ${ROLE}`);
    expect(d.Status).toBe('FAILED');
    expect(d.Error).toMatch(
      /^ERROR: S3ServiceException:The specified bucket does not exist,Status 404,Error NoSuchBucket/,
    );
  });
});
