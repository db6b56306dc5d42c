import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GuideRedshift, startGuideRedshift } from './guideHarness.ts';

describe('Computations with numeric values (r_numeric_computations201.html)', () => {
  let g: GuideRedshift;
  beforeAll(async () => {
    g = await startGuideRedshift();
    // SALES.PRICEPAID is DECIMAL(8,2): some values do not fit DECIMAL(7,3).
    await g.run('create table sales (salesid integer, pricepaid decimal(8,2))');
    await g.run('insert into sales values (1, 728.00), (2, 12345.00)');
  });
  afterAll(async () => {
    await g.stop();
  });

  it('a cast that some values do not fit fails with "Numeric data overflow (result precision)"', async () => {
    expect(await g.fails('select pricepaid::decimal(7,3) from sales')).toMatch(
      /^ERROR: {1,2}Numeric data overflow \(result precision\)$/,
    );
    // The values that fit are cast as asked.
    expect(await g.rows('select pricepaid::decimal(7,3) from sales where salesid = 1')).toEqual([
      [{ stringValue: '728.000' }],
    ]);
  });

  it('division by zero is an error', async () => {
    expect(await g.fails('select pricepaid / 0 from sales')).toMatch(/division by zero/);
  });
});
