import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GuideRedshift, startGuideRedshift } from './guideHarness.ts';

const longs = (rows: unknown[][]) =>
  rows.map((r) => r.map((c) => (c as { longValue?: number; isNull?: boolean }).longValue ?? null));

describe('IGNORE NULLS in window functions (r_WF_first_value, r_WF_last_value, r_WF_LAG, r_WF_LEAD)', () => {
  let g: GuideRedshift;
  beforeAll(async () => {
    g = await startGuideRedshift();
    // id: order; v: the value, NULL in places; two partitions.
    await g.run('create table t (p integer, id integer, v integer)');
    await g.run(`insert into t values (1, 1, null), (1, 2, 20), (1, 3, null), (1, 4, 40), (1, 5, null),
      (2, 1, null), (2, 2, null)`);
  });
  afterAll(async () => {
    await g.stop();
  });

  it('FIRST_VALUE/LAST_VALUE ... IGNORE NULLS return the first/last non-NULL value of the frame, NULL when all are NULL', async () => {
    // "the function returns the first value in the frame that is not NULL (or NULL if all values are NULL)"
    const rows = await g.rows(`select id,
      first_value(v) ignore nulls over (partition by p order by id rows between unbounded preceding and unbounded following),
      last_value(v) ignore nulls over (partition by p order by id rows between unbounded preceding and current row),
      first_value(v) over (partition by p order by id rows between unbounded preceding and unbounded following)
      from t order by p, id`);
    expect(longs(rows)).toEqual([
      [1, 20, null, null],
      [2, 20, 20, null],
      [3, 20, 20, null],
      [4, 20, 40, null],
      [5, 20, 40, null],
      [1, null, null, null],
      [2, null, null, null],
    ]);
  });

  it('LAG/LEAD ... IGNORE NULLS skip NULL rows when counting the offset; RESPECT NULLS is the default', async () => {
    const rows = await g.rows(`select id,
      lag(v) ignore nulls over (partition by p order by id),
      lead(v, 1) ignore nulls over (partition by p order by id),
      lag(v, 2) ignore nulls over (partition by p order by id),
      lag(v) respect nulls over (partition by p order by id)
      from t where p = 1 order by id`);
    expect(longs(rows)).toEqual([
      [1, null, 20, null, null],
      [2, null, 40, null, null],
      [3, 20, 40, null, 20],
      [4, 20, null, null, null],
      [5, 40, null, 20, 40],
    ]);
  });

  it('accepts IGNORE NULLS inside the parentheses and refuses a named window', async () => {
    const d = await g.rows(
      'select count(*) from (select first_value(v ignore nulls) over (order by p, id rows between unbounded preceding and current row) as f from t) s where f is not null',
    );
    expect(d).toEqual([[{ longValue: 6 }]]);
    expect(await g.fails('select lag(v) ignore nulls over w from t window w as (order by id)')).toMatch(
      /named window/,
    );
  });
});
