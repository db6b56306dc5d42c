import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, startS3 } from '../../../../local/s3/startS3.ts';
import { LOCAL_CREDENTIALS } from '../../../../src/aws/localCredentials.ts';
import { testPythonFor } from '../../../helpers/pythonEnv.ts';

const run = promisify(execFile);
const py = testPythonFor('test/unit/local/s3/pythonClients.test.ts');

// boto3 as a user would drive it: special keys, a presigned URL, a managed multipart upload.
const BOTO3_SCRIPT = `
import json, sys, urllib.request
import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
endpoint, big = sys.argv[1], sys.argv[2]
# SigV4 presigning, as AWS asks: like S3 in every region opened since 2014, no SigV2.
s3 = boto3.client("s3", endpoint_url=endpoint, config=Config(signature_version="s3v4"))
s3.create_bucket(Bucket="boto")
key = "odd/a&b'c<d>e.csv"
s3.put_object(Bucket="boto", Key=key, Body=b"special")
listed = [o["Key"] for o in s3.list_objects_v2(Bucket="boto", Prefix="odd/")["Contents"]]
got = s3.get_object(Bucket="boto", Key=listed[0])["Body"].read().decode()
url = s3.generate_presigned_url("get_object", Params={"Bucket": "boto", "Key": key}, ExpiresIn=300)
presigned = urllib.request.urlopen(url).read().decode()
cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
s3.upload_file(big, "boto", "big.bin", Config=cfg)
etag = s3.head_object(Bucket="boto", Key="big.bin")["ETag"]
quiet = s3.delete_objects(Bucket="boto", Delete={"Objects": [{"Key": key}], "Quiet": True})
print(json.dumps({"listed": listed, "got": got, "presigned": presigned, "etag": etag,
                  "quietDeleted": quiet.get("Deleted", []), "after": s3.list_objects_v2(Bucket="boto", Prefix="odd/").get("KeyCount")}))
`;

describe.skipIf(!py.ok)('local S3 through boto3 and the AWS CLI', () => {
  let dataDir: string;
  let s3: LocalS3;
  let env: NodeJS.ProcessEnv;
  const python = py.ok ? py.python : '';
  const aws = join(dirname(python), 'aws');

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rt-s3-py-'));
    s3 = await startS3({ dataDir });
    env = {
      PATH: process.env.PATH,
      HOME: dataDir,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: join(dataDir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dataDir, 'no-credentials'),
    };
  });

  afterAll(async () => {
    await s3?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('boto3: special keys round-trip, presigned GET, multipart ETag -N, quiet DeleteObjects', async () => {
    const big = join(dataDir, 'big.bin');
    await writeFile(big, Buffer.alloc(11 * 1024 * 1024, 7));
    const { stdout } = await run(python, ['-c', BOTO3_SCRIPT, s3.endpoint, big], { env });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out.listed).toEqual(["odd/a&b'c<d>e.csv"]);
    expect(out.got).toBe('special');
    expect(out.presigned).toBe('special');
    expect(out.etag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(out.quietDeleted).toEqual([]);
    expect(out.after).toBe(0);
  });

  it('AWS CLI: s3 cp up and down, s3 ls, s3api list-objects-v2', async () => {
    const file = join(dataDir, 'cli.csv');
    await writeFile(file, 'a,b\n1,2\n');
    const cli = (...args: string[]) => run(aws, ['--endpoint-url', s3.endpoint, ...args], { env });
    await cli('s3', 'mb', 's3://cli-bucket');
    await cli('s3', 'cp', file, 's3://cli-bucket/dir/cli.csv');
    const ls = await cli('s3', 'ls', 's3://cli-bucket/dir/');
    expect(ls.stdout).toMatch(/\s8 cli\.csv/);
    const api = await cli('s3api', 'list-objects-v2', '--bucket', 'cli-bucket');
    expect((JSON.parse(api.stdout) as { Contents: { Key: string }[] }).Contents.map((c) => c.Key)).toEqual([
      'dir/cli.csv',
    ]);
    const back = join(dataDir, 'back.csv');
    await cli('s3', 'cp', 's3://cli-bucket/dir/cli.csv', back);
    expect(await readFile(back, 'utf8')).toBe('a,b\n1,2\n');
    // The same object, as a plain file.
    expect(await readFile(join(s3.bucketsDir, 'cli-bucket', 'dir', 'cli.csv'), 'utf8')).toBe('a,b\n1,2\n');
  });
});
