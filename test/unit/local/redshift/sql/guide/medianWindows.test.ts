import { describe, expect, it } from 'vitest';
import { createWinsales, useGuideRedshift } from './guideHarness.ts';

const numbers = (rows: unknown[][]) =>
  rows.map((r) =>
    r.map(
      (c) =>
        (c as { longValue?: number; doubleValue?: number }).longValue ??
        (c as { doubleValue?: number }).doubleValue ??
        null,
    ),
  );

describe('MEDIAN and PERCENTILE_CONT as window functions (r_WF_MEDIAN, r_WF_PERCENTILE_CONT)', () => {
  const g = useGuideRedshift(createWinsales);

  it("MEDIAN(qty) OVER (PARTITION BY sellerid): the page's median per seller", async () => {
    const rows = await g.rows(
      'select sellerid, qty, median(qty) over (partition by sellerid) from winsales order by sellerid, qty',
    );
    // 1: 10.0 (10, 10, 30); 2: 20.0; 3: 17.5 (10, 15, 20, 30); 4: 25.0 (10, 40)
    expect(numbers(rows)).toEqual([
      [1, 10, 10],
      [1, 10, 10],
      [1, 30, 10],
      [2, 20, 20],
      [2, 20, 20],
      [3, 10, 17.5],
      [3, 15, 17.5],
      [3, 20, 17.5],
      [3, 30, 17.5],
      [4, 10, 25],
      [4, 40, 25],
    ]);
  });

  it('PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY qty) OVER (): 20 for every row; DESC reads from the other end', async () => {
    const all = await g.rows(
      'select sellerid, qty, percentile_cont(0.5) within group (order by qty) over() as median from winsales order by 1, 2',
    );
    expect(new Set(all.map((r) => (r[2] as { doubleValue: number }).doubleValue))).toEqual(new Set([20]));
    // Seller 3 (10, 15, 20, 30): 0.25 ascending is 13.75, 0.25 descending is 22.5.
    const q =
      await g.rows(`select percentile_cont(0.25) within group (order by qty) over (partition by sellerid),
      percentile_cont(0.25) within group (order by qty desc) over (partition by sellerid) from winsales where sellerid = 3 limit 1`);
    expect(numbers(q)).toEqual([[13.75, 22.5]]);
  });

  it('refuses a window ordering or frame (the OVER clause takes only PARTITION BY)', async () => {
    expect(await g.fails('select median(qty) over (order by salesid) from winsales')).toMatch(
      /only PARTITION BY/,
    );
  });
});
