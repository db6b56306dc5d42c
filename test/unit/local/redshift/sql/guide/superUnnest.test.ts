import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GuideRedshift, plainCells, startGuideRedshift } from './guideHarness.ts';

const cells = plainCells;

describe('SUPER: PartiQL unnesting in FROM (query-super "Unnesting", "Lax semantics")', () => {
  let g: GuideRedshift;
  beforeAll(async () => {
    g = await startGuideRedshift();
    await g.run('create table customer_orders_lineitem (c_custkey int, c_name varchar(25), c_orders super)');
    await g.run(`insert into customer_orders_lineitem values
      (8251, 'Customer#000008251', json_parse('[{"o_orderkey": 3020007, "o_lineitems": [{"l_partkey": 1}, {"l_partkey": 2}]}]')),
      (9452, 'Customer#000009452', json_parse('[{"o_orderkey": 4043971, "o_lineitems": []}]')),
      (1, 'Customer#000000001', json_parse('{"not": "an array"}'))`);
  });
  afterAll(async () => {
    await g.stop();
  });

  it('x AS y AT z: the element and its 0-based index (the page example and output)', async () => {
    const rows = await g.rows(`SELECT c_name,
       orders.o_orderkey AS orderkey,
       index AS orderkey_index
FROM customer_orders_lineitem c, c.c_orders AS orders AT index
ORDER BY orderkey_index, c_name`);
    // Customer#000008251 | 3020007 | 0 ; Customer#000009452 | 4043971 | 0 (2 rows: the object is no array)
    expect(cells(rows)).toEqual([
      ['Customer#000008251', '3020007', 0],
      ['Customer#000009452', '4043971', 0],
    ]);
  });

  it('a scalar array: index, element (the page example and output)', async () => {
    await g.run(`CREATE TABLE bar AS SELECT json_parse('{"scalar_array": [1, 2.3, 45000000]}') AS data`);
    const rows = await g.rows('SELECT index, element FROM bar AS b, b.data.scalar_array AS element AT index');
    expect(cells(rows)).toEqual([
      [0, '1'],
      [1, '2.3'],
      [2, '45000000'],
    ]);
  });

  it('an array of arrays with two unnest clauses (the page example, printed as Redshift prints SUPER)', async () => {
    await g.run(
      "CREATE TABLE foo AS SELECT json_parse('[[1.1, 1.2], [2.1, 2.2], [3.1, 3.2]]') AS multi_level_array",
    );
    const rows = await g.rows(
      'SELECT array, element FROM foo AS f, f.multi_level_array AS array, array AS element',
    );
    expect(cells(rows)).toEqual([
      ['[1.1,1.2]', '1.1'],
      ['[1.1,1.2]', '1.2'],
      ['[2.1,2.2]', '2.1'],
      ['[2.1,2.2]', '2.2'],
      ['[3.1,3.2]', '3.1'],
      ['[3.1,3.2]', '3.2'],
    ]);
  });

  it('nested unnesting (c.c_orders o, o.o_lineitems l) and c.*, o', async () => {
    const rows = await g.rows(
      'SELECT c.c_custkey, o.o_orderkey, l.l_partkey FROM customer_orders_lineitem c, c.c_orders o, o.o_lineitems l ORDER BY 1, 3',
    );
    expect(cells(rows)).toEqual([
      [8251, '3020007', '1'],
      [8251, '3020007', '2'],
    ]);
    const all = await g.rows(
      'SELECT c.*, o FROM customer_orders_lineitem c, c.c_orders o ORDER BY c_custkey',
    );
    expect(all.map((r) => r.length)).toEqual([4, 4]);
  });

  it('lax: an attribute the object lacks is NULL', async () => {
    expect(
      cells(await g.rows('SELECT c.c_orders.something FROM customer_orders_lineitem c WHERE c_custkey = 1')),
    ).toEqual([[null]]);
  });

  it('leaves ordinary joins of several tables alone', async () => {
    await g.run('create table a (id int, x int); create table b (id int, y int)');
    await g.run('insert into a values (1, 10); insert into b values (1, 20)');
    expect(cells(await g.rows('select a.x, b.y from a, b where a.id = b.id'))).toEqual([[10, 20]]);
  });
});
