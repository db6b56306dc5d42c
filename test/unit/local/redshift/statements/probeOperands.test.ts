import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeOperands } from '../../../../../local/redshift/statements/probeOperands.ts';
import { createTestDatabase, type TestDatabase } from '../../../../helpers/testDatabase.ts';

describe('probeOperands', () => {
  let db: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase('probe');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('create table sales (pricepaid decimal(8,2), qtysold smallint)');
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it("gives the columns' types and modifiers without running the statement", async () => {
    const fields = await probeOperands(client, 'select pricepaid, qtysold, 1/0 from sales');
    // numeric(8,2): ((8 << 16) | 2) + 4; int2 has no modifier.
    expect(fields?.map((f) => [f.dataTypeID, f.dataTypeModifier])).toEqual([
      [1700, (8 << 16) + 2 + 4],
      [21, -1],
      [23, -1],
    ]);
  });

  it('answers undefined for a probe PostgreSQL refuses and leaves the open transaction usable', async () => {
    await client.query('begin');
    await client.query('insert into sales values (1.00, 1)');
    expect(await probeOperands(client, 'select nosuchcolumn from sales')).toBeUndefined();
    // Without the savepoint the failed Parse would have aborted the transaction.
    await client.query('insert into sales values (2.00, 2)');
    await client.query('commit');
    expect((await client.query('select count(*)::int as n from sales')).rows).toEqual([{ n: 2 }]);
  });
});
