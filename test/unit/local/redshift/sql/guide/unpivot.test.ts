import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GuideRedshift, startGuideRedshift } from './guideHarness.ts';

const s = (v: string) => ({ stringValue: v });
const n = (v: number) => ({ longValue: v });
const NULL = { isNull: true };

describe('UNPIVOT, as the Developer Guide shows it (r_FROM_clause-pivot-unpivot-examples.html#r_FROM_clause-unpivot-examples)', () => {
  let g: GuideRedshift;
  beforeAll(async () => {
    g = await startGuideRedshift();
    // The page's sample table and rows.
    await g.run('CREATE TABLE count_by_color (quality varchar, red int, green int, blue int)');
    await g.run(`INSERT INTO count_by_color VALUES ('high', 15, 20, 7);
      INSERT INTO count_by_color VALUES ('normal', 35, NULL, 40);
      INSERT INTO count_by_color VALUES ('low', 10, 23, NULL)`);
  });
  afterAll(async () => {
    await g.stop();
  });

  it('UNPIVOT on input columns red, green and blue: NULL values yield no row', async () => {
    const rows = await g.rows(`SELECT *
      FROM (SELECT red, green, blue FROM count_by_color) UNPIVOT (
          cnt FOR color IN (red, green, blue)
      )`);
    //  color | cnt
    //  red   |  15 / red | 35 / red | 10 / green | 20 / green | 23 / blue | 7 / blue | 40
    expect(rows).toEqual([
      [s('red'), n(15)],
      [s('red'), n(35)],
      [s('red'), n(10)],
      [s('green'), n(20)],
      [s('green'), n(23)],
      [s('blue'), n(7)],
      [s('blue'), n(40)],
    ]);
  });

  it('INCLUDE NULLS: NULL input values generate result rows', async () => {
    const rows = await g.rows(`SELECT *
      FROM (
          SELECT red, green, blue
          FROM count_by_color
      ) UNPIVOT INCLUDE NULLS (
          cnt FOR color IN (red, green, blue)
      )`);
    expect(rows).toEqual([
      [s('red'), n(15)],
      [s('red'), n(35)],
      [s('red'), n(10)],
      [s('green'), n(20)],
      [s('green'), NULL],
      [s('green'), n(23)],
      [s('blue'), n(7)],
      [s('blue'), n(40)],
      [s('blue'), NULL],
    ]);
  });

  it('quality as an implicit column (the source names it), with aliases for the IN values', async () => {
    // The guide writes `FROM count_by_color UNPIVOT (...)`; here the source lists its columns
    // (see docs/redshift-sql.md: a bare table is refused with that advice).
    const implicit = await g.rows(
      'SELECT * FROM (SELECT quality, red, green, blue FROM count_by_color) UNPIVOT (cnt FOR color IN (red, green, blue))',
    );
    //  quality | color | cnt
    expect(implicit).toEqual([
      [s('high'), s('red'), n(15)],
      [s('normal'), s('red'), n(35)],
      [s('low'), s('red'), n(10)],
      [s('high'), s('green'), n(20)],
      [s('low'), s('green'), n(23)],
      [s('high'), s('blue'), n(7)],
      [s('normal'), s('blue'), n(40)],
    ]);
    const aliased = await g.rows(
      'SELECT * FROM (SELECT quality, red, green, blue FROM count_by_color) UNPIVOT (cnt FOR color IN (red AS r, green AS g, blue AS b))',
    );
    expect(aliased.map((r) => (r[1] as { stringValue: string }).stringValue)).toEqual([
      'r',
      'r',
      'r',
      'g',
      'g',
      'b',
      'b',
    ]);
  });

  it('the result can be aliased, filtered and aggregated like any FROM item', async () => {
    const rows = await g.rows(`SELECT u.color, sum(u.cnt) AS total
      FROM (SELECT quality, red, green, blue FROM count_by_color) UNPIVOT (cnt FOR color IN (red, green, blue)) AS u
      WHERE u.quality <> 'low' GROUP BY u.color ORDER BY u.color`);
    expect(rows).toEqual([
      [s('blue'), n(47)],
      [s('green'), n(20)],
      [s('red'), n(50)],
    ]);
  });

  it('refuses what it cannot lower with one meaning, naming what to write instead', async () => {
    expect(
      await g.fails('SELECT * FROM count_by_color UNPIVOT (cnt FOR color IN (red, green, blue))'),
    ).toMatch(
      /UNPIVOT is not supported by the local Redshift here: the source must be a parenthesized SELECT naming its columns/,
    );
    expect(
      await g.fails(
        'SELECT * FROM (SELECT red, green FROM count_by_color) UNPIVOT (cnt FOR color IN (red, blue))',
      ),
    ).toMatch(/column "blue" does not exist/);
  });
});
