import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GuideRedshift, plainCells, startGuideRedshift } from './guideHarness.ts';

const cells = plainCells;

describe('SUPER: PartiQL navigation, lax semantics and introspection (query-super)', () => {
  let g: GuideRedshift;
  beforeAll(async () => {
    g = await startGuideRedshift();
    // A small customer_orders_lineitem and region_nations with the shapes the page queries.
    await g.run('create table customer_orders_lineitem (c_custkey int, c_name varchar(25), c_orders super)');
    await g.run(`insert into customer_orders_lineitem values
      (8251, 'Customer#000008251', json_parse('[{"o_orderkey": 3020007, "o_orderstatus": "O", "o_orderdate": "1995-07-03",
        "o_lineitems": [{"l_partkey": 1}]}]')),
      (9452, 'Customer#000009452', json_parse('[{"o_orderkey": 4043971, "o_orderstatus": "F", "o_orderdate": "1993-04-13"},
        {"o_orderkey": 4043972, "o_orderstatus": "P", "o_orderdate": "1993-04-14"}]')),
      (1, 'Customer#000000001', json_parse('[]'))`);
    await g.run(
      'create table region_nations (r_regionkey smallint, r_name varchar, r_comment varchar, r_nations super)',
    );
    await g.run(`insert into region_nations values (0, 'AFRICA', 'c',
      json_parse('[{"n_nationkey": 0, "n_name": "ALGERIA"}, {"n_nationkey": 1, "n_name": "ARGENTINA"}]'))`);
  });
  afterAll(async () => {
    await g.stop();
  });

  it('bracket and dot navigation, with or without the table alias, in SELECT, WHERE, GROUP BY, ORDER BY', async () => {
    expect(
      cells(await g.rows('SELECT c_orders[0].o_orderkey FROM customer_orders_lineitem ORDER BY c_custkey')),
    ).toEqual([[null], ['3020007'], ['4043971']]);
    expect(
      cells(
        await g.rows(
          'SELECT cust.c_orders[0].o_orderkey FROM customer_orders_lineitem AS cust ORDER BY c_custkey',
        ),
      ),
    ).toEqual([[null], ['3020007'], ['4043971']]);
    expect(
      cells(
        await g.rows(
          'SELECT count(*) FROM customer_orders_lineitem WHERE c_orders[0]. o_orderkey IS NOT NULL',
        ),
      ),
    ).toEqual([[2]]);
    const grouped = await g.rows(`SELECT c_orders[0].o_orderdate,
       c_orders[0].o_orderstatus,
       count(*)
FROM customer_orders_lineitem
WHERE c_orders[0].o_orderkey IS NOT NULL
GROUP BY c_orders[0].o_orderstatus,
         c_orders[0].o_orderdate
ORDER BY c_orders[0].o_orderdate`);
    // SUPER values come back as their JSON text (a string in quotes), as the Data API returns SUPER.
    expect(cells(grouped)).toEqual([
      ['"1993-04-13"', '"F"', 1],
      ['"1995-07-03"', '"O"', 1],
    ]);
    expect(
      cells(
        await g.rows(
          'SELECT c_orders[0].o_lineitems[0].l_partkey FROM customer_orders_lineitem WHERE c_custkey = 8251',
        ),
      ),
    ).toEqual([['1']]);
  });

  it('lax semantics: a missing attribute, an index out of bounds or a non-array is NULL, not an error', async () => {
    expect(
      cells(
        await g.rows(
          'SELECT c.c_orders[0].something, c.c_orders[1][1], c.c_orders[5].o_orderkey FROM customer_orders_lineitem c WHERE c_custkey = 9452',
        ),
      ),
    ).toEqual([[null, null, null]]);
  });

  it("dynamic typing: nav = 'P' holds only for that string; ::VARCHAR reads the string's text", async () => {
    // The page's query and its static-typing form agree.
    const dynamic = await g.rows(`SELECT c_custkey, c_orders[1].o_orderkey
FROM customer_orders_lineitem
WHERE c_orders[1].o_orderstatus = 'P'`);
    expect(cells(dynamic)).toEqual([[9452, '4043972']]);
    const staticTyped = await g.rows(`SELECT c_custkey
FROM customer_orders_lineitem
WHERE CASE WHEN JSON_TYPEOF(c_orders[1].o_orderstatus) = 'string'
           THEN c_orders[1].o_orderstatus::VARCHAR = 'P'
           ELSE FALSE END`);
    expect(cells(staticTyped)).toEqual([[9452]]);
    // A number compares with a number, never with its digits as a string.
    expect(
      cells(
        await g.rows('SELECT count(*) FROM customer_orders_lineitem WHERE c_orders[0].o_orderkey = 3020007'),
      ),
    ).toEqual([[1]]);
    expect(
      cells(
        await g.rows(
          "SELECT count(*) FROM customer_orders_lineitem WHERE c_orders[0].o_orderkey = '3020007'",
        ),
      ),
    ).toEqual([[0]]);
    expect(
      cells(
        await g.rows("SELECT count(*) FROM customer_orders_lineitem WHERE c_orders[0].o_orderstatus <> 'O'"),
      ),
    ).toEqual([[1]]);
  });

  it('JSON_TYPEOF and the IS_ functions, false for NULL', async () => {
    expect(cells(await g.rows('SELECT JSON_TYPEOF(r_nations) FROM region_nations'))).toEqual([['array']]);
    expect(cells(await g.rows('SELECT JSON_TYPEOF(r_nations[0].n_nationkey) FROM region_nations'))).toEqual([
      ['number'],
    ]);
    expect(cells(await g.rows('SELECT IS_VARCHAR(r_nations[0].n_name) FROM region_nations'))).toEqual([
      [true],
    ]);
    expect(
      cells(
        await g.rows(`SELECT IS_ARRAY(r_nations), IS_OBJECT(r_nations[0]), IS_SCALAR(r_nations[0].n_name), IS_INTEGER(r_nations[0].n_nationkey),
          IS_ARRAY(r_nations[9]), IS_OBJECT(NULL::super), IS_SCALAR(json_parse('null')), IS_INTEGER(json_parse('1.5')),
          IS_SMALLINT(json_parse('70000')), IS_BIGINT(json_parse('70000')), IS_BOOLEAN(json_parse('true'))
          FROM region_nations`),
      ),
    ).toEqual([[true, true, true, true, false, false, false, false, false, true, true]]);
  });
});
