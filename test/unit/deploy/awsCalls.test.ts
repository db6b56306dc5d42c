import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeAwsCalls, analyzeBundle } from '../../../deploy/iam/awsCalls.ts';
import { fixtureTree, handlerCalling } from './fixtures.ts';

describe('analyzeAwsCalls', () => {
  let tree: Awaited<ReturnType<typeof fixtureTree>>;

  beforeAll(async () => {
    tree = await fixtureTree({
      'functions/readPart.ts': handlerCalling('store', 'readPart'),
      'src/store.ts': [
        "import { DeleteObjectsCommand, GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';",
        "import { Upload } from '@aws-sdk/lib-storage';",
        "import * as rd from '@aws-sdk/client-redshift-data';",
        'declare const s3: S3Client;',
        'export async function readPart(event: unknown) {',
        "  await s3.send(new GetObjectCommand({ Bucket: 'b', Key: String(event), VersionId: 'v1' }));",
        "  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: 'b' })) void page;",
        "  await new Upload({ client: s3, params: { Bucket: 'b', Key: 'k', Body: 'x' } }).done();",
        "  return new rd.RedshiftDataClient({}).send(new rd.DescribeStatementCommand({ Id: 'x' }));",
        '}',
        '// Not reachable from the handler: tree shaking drops it, so it needs no grant.',
        'export function purge() {',
        "  return s3.send(new DeleteObjectsCommand({ Bucket: 'b', Delete: { Objects: [] } }));",
        '}',
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await tree.remove();
  });

  it('maps every reachable command, paginator and Upload to IAM actions, with the file that calls it', async () => {
    const analysis = await analyzeAwsCalls(tree.root, 'functions/readPart.ts');
    expect(analysis.problems).toEqual([]);
    expect(analysis.actions).toEqual([
      'redshift-data:DescribeStatement',
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:GetObjectVersion',
      's3:ListBucket',
      's3:PutObject',
    ]);
    expect(analysis.calls.map((c) => `${c.symbol}@${c.file}`)).toEqual([
      'GetObjectCommand@src/store.ts',
      'paginateListObjectsV2@src/store.ts',
      'Upload@src/store.ts',
      'DescribeStatementCommand@src/store.ts',
    ]);
  });
});

describe('analyzeBundle', () => {
  it('reports aggregated clients and services it cannot map instead of guessing', () => {
    const analysis = analyzeBundle(
      [
        "import { S3 } from '@aws-sdk/client-s3';",
        "import { PutItemCommand } from '@aws-sdk/client-unknownservice';",
        '// src/odd.ts',
        'new S3({}).getObject({});',
        'new PutItemCommand({});',
      ].join('\n'),
    );
    expect(analysis.actions).toEqual([]);
    expect(analysis.problems).toEqual([
      'src/odd.ts: new S3() from @aws-sdk/client-s3: aggregated clients hide which APIs are called; send XxxCommand objects instead',
      'src/odd.ts: PutItemCommand from @aws-sdk/client-unknownservice: unknown AWS service; add its IAM prefix to deploy/iam/actionMap.ts',
    ]);
  });

  it('uses the IAM names where they differ from the API (S3, GetStatementResultV2)', () => {
    const analysis = analyzeBundle(
      [
        "import { HeadObjectCommand, CopyObjectCommand, ListObjectsV2Command, DeleteObjectsCommand } from '@aws-sdk/client-s3';",
        "import { GetStatementResultV2Command as V2 } from '@aws-sdk/client-redshift-data';",
        "import { AddJobFlowStepsCommand } from '@aws-sdk/client-emr';",
        "import { StartExecutionCommand } from '@aws-sdk/client-sfn';",
        'new HeadObjectCommand({}); new CopyObjectCommand({}); new ListObjectsV2Command({}); new DeleteObjectsCommand({});',
        'new V2({}); new AddJobFlowStepsCommand({}); new StartExecutionCommand({});',
      ].join('\n'),
    );
    expect(analysis.actions).toEqual([
      'elasticmapreduce:AddJobFlowSteps',
      'redshift-data:GetStatementResult',
      's3:DeleteObject',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      'states:StartExecution',
    ]);
  });
});
