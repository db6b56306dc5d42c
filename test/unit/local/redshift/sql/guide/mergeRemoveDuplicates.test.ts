import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GuideRedshift, startGuideRedshift } from './guideHarness.ts';

describe('MERGE ... REMOVE DUPLICATES, the simplified mode of r_MERGE', () => {
  let g: GuideRedshift;
  const table = async (name: string) =>
    (await g.rows(`SELECT id, trim(name) FROM ${name} ORDER BY id, 2`)).map((r) =>
      r.map(
        (c) =>
          (c as { longValue?: number; stringValue?: string }).longValue ??
          (c as { stringValue?: string }).stringValue,
      ),
    );
  const setUp = async (target: string, source: string) => {
    await g.run('DROP TABLE IF EXISTS target; DROP TABLE IF EXISTS source');
    await g.run('CREATE TABLE target (id INT, name CHAR(10)); CREATE TABLE source (id INT, name CHAR(10))');
    await g.run(`INSERT INTO target VALUES ${target}`);
    await g.run(`INSERT INTO source VALUES ${source}`);
  };
  beforeAll(async () => {
    g = await startGuideRedshift();
    // A table the MERGE does not name: it must come out untouched.
    await g.run("CREATE TABLE bystander (id INT, name CHAR(10)); INSERT INTO bystander VALUES (102, 'Keep')");
  });
  afterAll(async () => {
    await g.stop();
  });

  it("the page's tables: matched rows take the source's values, unmatched source rows are inserted", async () => {
    await setUp(
      "(101, 'Bob'), (102, 'John'), (103, 'Susan')",
      "(102, 'Tony'), (103, 'Alice'), (104, 'Bill')",
    );
    await g.run('MERGE INTO target USING source ON target.id = source.id REMOVE DUPLICATES');
    //  101 | Bob ; 102 | Tony ; 103 | Alice ; 104 | Bill
    expect(await table('target')).toEqual([
      [101, 'Bob'],
      [102, 'Tony'],
      [103, 'Alice'],
      [104, 'Bill'],
    ]);
    expect(await table('source')).toEqual([
      [102, 'Tony'],
      [103, 'Alice'],
      [104, 'Bill'],
    ]);
    expect(await table('bystander')).toEqual([[102, 'Keep']]);
  });

  it('duplicate target rows matching one source row become one row (the usage notes example)', async () => {
    await setUp("(101, 'Bob'), (101, 'John'), (102, 'Susan')", "(101, 'Tony'), (103, 'Alice')");
    await g.run('MERGE INTO target USING source AS s ON target.id = s.id REMOVE DUPLICATES');
    //  101 | Tony ; 102 | Susan ; 103 | Alice
    expect(await table('target')).toEqual([
      [101, 'Tony'],
      [102, 'Susan'],
      [103, 'Alice'],
    ]);
  });

  it('duplicate target rows that match no source row stay unchanged', async () => {
    await setUp("(105, 'Dup'), (105, 'Dup'), (101, 'Bob')", "(101, 'Tony')");
    await g.run('MERGE INTO target USING source src ON target.id = src.id REMOVE DUPLICATES');
    expect(await table('target')).toEqual([
      [101, 'Tony'],
      [105, 'Dup'],
      [105, 'Dup'],
    ]);
  });

  it("a target row matching several source rows fails with Redshift's error and changes nothing", async () => {
    await setUp("(101, 'Bob'), (102, 'John')", "(101, 'Tony'), (101, 'Tina'), (103, 'Alice')");
    expect(
      await g.fails('MERGE INTO target USING source ON target.id = source.id REMOVE DUPLICATES'),
    ).toMatch(/Found multiple matches to update the same tuple/);
    expect(await table('target')).toEqual([
      [101, 'Bob'],
      [102, 'John'],
    ]);
  });

  it('the full MERGE form fails with the same error when a target row matches several source rows', async () => {
    await setUp("(101, 'Bob')", "(101, 'Tony'), (101, 'Tina')");
    expect(
      await g.fails(`MERGE INTO target USING source ON target.id = source.id
        WHEN MATCHED THEN UPDATE SET id = source.id, name = source.name
        WHEN NOT MATCHED THEN INSERT VALUES (source.id, source.name)`),
    ).toBe('ERROR: Found multiple matches to update the same tuple.');
    expect(await table('target')).toEqual([[101, 'Bob']]);
  });

  it('tables with different numbers of columns are refused, naming both', async () => {
    await setUp("(101, 'Bob')", "(101, 'Tony')");
    await g.run(
      "CREATE TABLE wider (id INT, name CHAR(10), extra INT); INSERT INTO wider VALUES (101, 'Wide', 1)",
    );
    // A narrower source would otherwise fill the target's other columns with NULLs.
    expect(await g.fails('MERGE INTO wider USING target ON wider.id = target.id REMOVE DUPLICATES')).toMatch(
      /same number of columns.*wider has 3, target has 2/,
    );
    expect(await g.fails('MERGE INTO target USING wider ON target.id = wider.id REMOVE DUPLICATES')).toMatch(
      /more expressions than target columns/,
    );
    expect(await table('wider')).toEqual([[101, 'Wide']]);
    expect(await table('target')).toEqual([[101, 'Bob']]);
    expect(
      await g.fails('MERGE INTO target USING (SELECT * FROM source) s ON target.id = s.id REMOVE DUPLICATES'),
    ).toMatch(/source must be a table, not a subquery/);
  });
});
