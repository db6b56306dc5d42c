import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GuideRedshift, startGuideRedshift } from './guideHarness.ts';

describe('PIVOT, as the Developer Guide shows it (r_FROM_clause-pivot-unpivot-examples.html)', () => {
  let g: GuideRedshift;
  beforeAll(async () => {
    g = await startGuideRedshift();
    // The page's sample table and rows.
    await g.run(
      'CREATE TABLE part (partname varchar, manufacturer varchar, quality int, price decimal(12, 2))',
    );
    await g.run(`INSERT INTO part VALUES ('prop', 'local parts co', 2, 10.00), ('prop', 'big parts co', NULL, 9.00),
      ('prop', 'small parts co', 1, 12.00), ('rudder', 'local parts co', 1, 2.50), ('rudder', 'big parts co', 2, 3.75),
      ('rudder', 'small parts co', NULL, 1.90), ('wing', 'local parts co', NULL, 7.50), ('wing', 'big parts co', 1, 15.20),
      ('wing', 'small parts co', NULL, 11.80)`);
  });
  afterAll(async () => {
    await g.stop();
  });

  it('PIVOT on partname with an AVG aggregation on price', async () => {
    // prop | rudder | wing
    // 10.33 | 2.71 | 11.50
    expect(
      await g.rows(
        "SELECT * FROM (SELECT partname, price FROM part) PIVOT (AVG(price) FOR partname IN ('prop', 'rudder', 'wing'))",
      ),
    ).toEqual([[{ stringValue: '10.33' }, { stringValue: '2.71' }, { stringValue: '11.50' }]]);
  });

  it('manufacturer as an implicit (grouping) column', async () => {
    const rows = await g.rows(`SELECT * FROM (SELECT manufacturer, partname, price FROM part) PIVOT (
      AVG(price) FOR partname IN ('prop', 'rudder', 'wing')) ORDER BY manufacturer`);
    // big parts co | 9.00 | 3.75 | 15.20 ; local parts co | 10.00 | 2.50 | 7.50 ; small parts co | 12.00 | 1.90 | 11.80
    expect(rows).toEqual([
      [
        { stringValue: 'big parts co' },
        { stringValue: '9.00' },
        { stringValue: '3.75' },
        { stringValue: '15.20' },
      ],
      [
        { stringValue: 'local parts co' },
        { stringValue: '10.00' },
        { stringValue: '2.50' },
        { stringValue: '7.50' },
      ],
      [
        { stringValue: 'small parts co' },
        { stringValue: '12.00' },
        { stringValue: '1.90' },
        { stringValue: '11.80' },
      ],
    ]);
  });

  it('refuses what it cannot lower with one meaning', async () => {
    expect(await g.fails("SELECT * FROM part PIVOT (AVG(price) FOR partname IN ('prop'))")).toMatch(
      /PIVOT is not supported.*parenthesized SELECT/,
    );
  });
});
