import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  ExecuteStatementCommand,
  GetStatementResultCommand,
  ValidationException,
} from '@aws-sdk/client-redshift-data';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../../src/aws/localCredentials.ts';
import { madeUpRoles } from '../../../helpers/madeUpRoles.ts';
import { testPythonFor } from '../../../helpers/pythonEnv.ts';
import {
  executeAndWait,
  startTestRedshift,
  type TestRedshift,
  waitForStatement,
} from '../../../helpers/testRedshift.ts';

const run = promisify(execFile);
const py = testPythonFor('test/unit/local/redshift/databaseUsers.test.ts');
const WHO = 'select current_user as cu, user as u, session_user as su';

let rs: TestRedshift;
const roles = madeUpRoles();
const newUser = (prefix: string) => roles.newUser(prefix);

beforeAll(async () => {
  rs = await startTestRedshift();
});
afterAll(async () => {
  await rs?.stop();
  // Only the roles this file made up (their database is gone with rs.stop()).
  await roles.drop();
});

async function who(input: Record<string, unknown>): Promise<{ row: string[]; dbUser: string | undefined }> {
  const d = await executeAndWait(rs, { Sql: WHO, ...input });
  expect(d.Error).toBeUndefined();
  expect(d.Status).toBe('FINISHED');
  const r = await rs.client.send(new GetStatementResultCommand({ Id: d.Id }));
  return { row: (r.Records?.[0] ?? []).map((f) => f.stringValue as string), dbUser: d.DbUser };
}

describe('Data API: DbUser and the IAM identity are database users created on demand', () => {
  it('runs as DbUser: current_user, user and session_user name it, DescribeStatement keeps it', async () => {
    const user = newUser('etl');
    expect(await who({ DbUser: user })).toEqual({ row: [user, user, user], dbUser: user });
  });

  it('runs as IAMR:local without DbUser (cluster or workgroup), and as awsuser with a SecretArn', async () => {
    expect((await who({})).row).toEqual(['IAMR:local', 'IAMR:local', 'IAMR:local']);
    expect((await who({ ClusterIdentifier: undefined, WorkgroupName: 'local' })).row).toEqual([
      'IAMR:local',
      'IAMR:local',
      'IAMR:local',
    ]);
    const secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:local-admin-AbCdEf';
    expect((await who({ SecretArn: secret })).row).toEqual(['awsuser', 'awsuser', 'awsuser']);
  });

  it('two first statements of a new user at once both run as that user', async () => {
    const user = newUser('twin');
    const [a, b] = await Promise.all([who({ DbUser: user }), who({ DbUser: user })]);
    expect(a.row).toEqual([user, user, user]);
    expect(b.row).toEqual([user, user, user]);
  });

  it('keeps the user for a session, and the next pooled statement is back to its own user', async () => {
    const user = newUser('sess');
    const first = await executeAndWait(rs, {
      Sql: 'create temp table t (a int)',
      DbUser: user,
      SessionKeepAliveSeconds: 60,
    });
    expect(first.Status).toBe('FINISHED');
    const { Id } = await rs.client.send(
      new ExecuteStatementCommand({ Sql: WHO, SessionId: first.SessionId }),
    );
    const d = await waitForStatement(rs.client, Id as string);
    expect(d.DbUser).toBe(user);
    const r = await rs.client.send(new GetStatementResultCommand({ Id }));
    expect(r.Records?.[0]?.map((f) => f.stringValue)).toEqual([user, user, user]);
    expect((await who({ DbUser: 'awsuser' })).row).toEqual(['awsuser', 'awsuser', 'awsuser']);
  });

  it('a table one user creates is usable by another (every local user acts as the admin user)', async () => {
    const owner = newUser('owner');
    const other = newUser('other');
    expect((await executeAndWait(rs, { Sql: 'create table shared_t (a int)', DbUser: owner })).Status).toBe(
      'FINISHED',
    );
    const ins = await executeAndWait(rs, { Sql: 'insert into shared_t values (1), (2)', DbUser: other });
    expect(ins.Error).toBeUndefined();
    const engine = new pg.Client(rs.databaseUrl);
    await engine.connect();
    try {
      const row = (
        await engine.query(
          "select tableowner, (select count(*)::int from shared_t) as n from pg_tables where tablename = 'shared_t'",
        )
      ).rows[0];
      expect(row).toEqual({ tableowner: owner, n: 2 });
    } finally {
      await engine.end();
    }
  });

  it('refuses a hostile or invalid DbUser with a ValidationException naming it, and runs nothing', async () => {
    const bad = [
      'x"; drop table shared_t; --',
      'a\u0000b',
      `a${'b'.repeat(70)}`,
      'IAM:bob',
      '1abc',
      'public',
      'pg_monitor',
    ];
    for (const DbUser of bad) {
      const error = await rs.client
        .send(
          new ExecuteStatementCommand({
            ClusterIdentifier: 'local',
            Database: rs.database,
            Sql: 'select 1',
            DbUser,
          }),
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error, DbUser).toBeInstanceOf(ValidationException);
      expect((error as Error).message).toMatch(/DbUser|User name/);
    }
    // The table the first one named is untouched and the server goes on.
    expect((await who({ DbUser: 'awsuser' })).row).toEqual(['awsuser', 'awsuser', 'awsuser']);
    const d = await executeAndWait(rs, { Sql: 'select count(*) from shared_t', DbUser: 'awsuser' });
    expect(d.Status).toBe('FINISHED');
  });
});

describe.skipIf(!py.ok)('Data API users through boto3', () => {
  it('execute_statement with DbUser runs as that user; a hostile DbUser is a ValidationException', async () => {
    const user = newUser('boto');
    const script = `
import json, sys, time
import boto3, botocore
endpoint, database, user = sys.argv[1], sys.argv[2], sys.argv[3]
rd = boto3.client("redshift-data", endpoint_url=endpoint, region_name="us-east-1")
out = rd.execute_statement(ClusterIdentifier="local", Database=database, DbUser=user, Sql="${WHO}")
d = rd.describe_statement(Id=out["Id"])
while d["Status"] not in ("FINISHED", "FAILED", "ABORTED"):
    time.sleep(0.05)
    d = rd.describe_statement(Id=out["Id"])
row = [f["stringValue"] for f in rd.get_statement_result(Id=out["Id"])["Records"][0]]
try:
    rd.execute_statement(ClusterIdentifier="local", Database=database, DbUser='x"; drop table t; --', Sql="select 1")
    refused = None
except botocore.exceptions.ClientError as e:
    refused = e.response["Error"]["Code"]
print(json.dumps({"row": row, "dbUser": d.get("DbUser"), "submitted": out.get("DbUser"), "refused": refused}))
`;
    const { stdout } = await run(py.ok ? py.python : '', ['-c', script, rs.endpoint, rs.database, user], {
      env: {
        PATH: process.env.PATH,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
    });
    expect(JSON.parse(stdout)).toEqual({
      row: [user, user, user],
      dbUser: user,
      submitted: user,
      refused: 'ValidationException',
    });
  });
});
