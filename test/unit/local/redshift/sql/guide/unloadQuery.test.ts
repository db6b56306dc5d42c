import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAndWait, startTestRedshift, type TestRedshift } from '../../../../../helpers/testRedshift.ts';
import { startTestS3, type TestS3 } from '../../../../../helpers/testS3.ts';

const ROLE = "IAM_ROLE 'arn:aws:iam::123456789012:role/RedshiftS3'";

// UNLOAD's query is Redshift SQL (r_UNLOAD.html: "a SELECT query"): it goes through the same
// translation as a statement, so the file holds what the same SELECT returns.
describe("UNLOAD's query speaks Redshift SQL", () => {
  let s3: TestS3;
  let rs: TestRedshift;
  beforeAll(async () => {
    s3 = await startTestS3();
    rs = await startTestRedshift({ s3Endpoint: s3.endpoint, slices: 1 });
    await s3.client.send(new CreateBucketCommand({ Bucket: 'rsq' }));
  });
  afterAll(async () => {
    await rs?.stop();
    await s3?.stop();
  });

  const ok = async (sql: string) => {
    const d = await executeAndWait(rs, { Sql: sql });
    expect(d.Error, sql).toBeUndefined();
    return d;
  };

  it('TOP in a subquery, AVG of integers and ADD_MONTHS are written as Redshift returns them', async () => {
    await ok('create table sales (qtysold smallint, saletime date)');
    await ok("insert into sales values (1, '2008-04-30'), (2, '2008-01-31'), (4, '2008-03-15')");
    await ok(
      `UNLOAD ('select avg(qtysold), max(add_months(saletime, 1)) from (select top 2 qtysold, saletime from sales order by qtysold)') TO 's3://rsq/u/' ${ROLE} PARALLEL OFF`,
    );
    // Top 2 by qtysold: 1 and 2 -> AVG 1 (BIGINT); 2008-04-30 + 1 month = 2008-05-31.
    expect((await s3.getBytes('rsq', 'u/000')).toString()).toBe('1|2008-05-31 00:00:00\n');
  });

  it('DECIMAL division is written with the scale Redshift gives it (r_numeric_computations201.html)', async () => {
    await ok('create table dsales (pricepaid decimal(8,2), commission decimal(8,2))');
    await ok('insert into dsales values (728.00, 109.20)');
    await ok(`UNLOAD ('select pricepaid / commission from dsales') TO 's3://rsq/d/' ${ROLE} PARALLEL OFF`);
    // DECIMAL(8,2) / DECIMAL(8,2) is DECIMAL(17,9): nine digits of scale, not PostgreSQL's 16.
    expect((await s3.getBytes('rsq', 'd/000')).toString()).toBe('6.666666667\n');
  });
});
