import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GuideRedshift, startGuideRedshift } from './guideHarness.ts';

describe('QUALIFY, as the Developer Guide documents it (r_QUALIFY_clause.html)', () => {
  let g: GuideRedshift;
  beforeAll(async () => {
    g = await startGuideRedshift();
    // The page's sample data, as printed.
    await g.run(
      'create table store_sales (ss_sold_date date, ss_sold_time time, ss_item text, ss_sales_price float)',
    );
    await g.run(`insert into store_sales values ('2022-01-01', '09:00:00', 'Product 1', 100.0),
      ('2022-01-01', '11:00:00', 'Product 2', 500.0), ('2022-01-01', '15:00:00', 'Product 3', 20.0),
      ('2022-01-01', '17:00:00', 'Product 4', 1000.0), ('2022-01-01', '18:00:00', 'Product 5', 30.0),
      ('2022-01-02', '10:00:00', 'Product 6', 5000.0), ('2022-01-02', '16:00:00', 'Product 7', 5.0)`);
  });
  afterAll(async () => {
    await g.stop();
  });

  it('finds the two most expensive items sold after 12:00 each day', async () => {
    // The page prints, in this order:
    // 2022-01-01 | 17:00:00 | Product 4 | 1000
    // 2022-01-01 | 18:00:00 | Product 5 | 30
    // 2022-01-02 | 16:00:00 | Product 7 | 5
    // (its statement has no ORDER BY; we sort to compare the same rows)
    const rows = await g.rows(`SELECT * FROM (
      SELECT * FROM store_sales ss WHERE ss_sold_time > time '12:00:00'
      QUALIFY row_number() OVER (PARTITION BY ss_sold_date ORDER BY ss_sales_price DESC) <= 2
    ) x ORDER BY ss_sold_date, ss_sold_time`);
    expect(rows).toEqual([
      [
        { stringValue: '2022-01-01' },
        { stringValue: '17:00:00' },
        { stringValue: 'Product 4' },
        { doubleValue: 1000 },
      ],
      [
        { stringValue: '2022-01-01' },
        { stringValue: '18:00:00' },
        { stringValue: 'Product 5' },
        { doubleValue: 30 },
      ],
      [
        { stringValue: '2022-01-02' },
        { stringValue: '16:00:00' },
        { stringValue: 'Product 7' },
        { doubleValue: 5 },
      ],
    ]);
  });

  it('keeps the select list names, applies ORDER BY and LIMIT after the filter, DISTINCT after QUALIFY', async () => {
    const d = await g.rows(`SELECT ss_sold_date AS day, ss_item, ss_sales_price * 2 FROM store_sales ss
      QUALIFY rank() OVER (PARTITION BY ss_sold_date ORDER BY ss_sales_price) = 1 ORDER BY day DESC LIMIT 1`);
    // The cheapest item of the last day: Product 7 at 5.
    expect(d).toEqual([[{ stringValue: '2022-01-02' }, { stringValue: 'Product 7' }, { doubleValue: 10 }]]);
    const days = await g.rows(
      'SELECT DISTINCT ss_sold_date FROM store_sales ss QUALIFY count(*) OVER (PARTITION BY ss_sold_date) > 2',
    );
    expect(days).toEqual([[{ stringValue: '2022-01-01' }]]);
  });

  it('refuses a bare * over several relations instead of guessing the columns', async () => {
    const error = await g.fails(
      'SELECT * FROM store_sales a, store_sales b QUALIFY row_number() OVER (ORDER BY a.ss_item) = 1',
    );
    expect(error).toMatch(/QUALIFY .*alias\.\*/);
  });
});
