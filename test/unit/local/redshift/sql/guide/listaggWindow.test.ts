import { describe, expect, it } from 'vitest';
import { createWinsales, useGuideRedshift } from './guideHarness.ts';

const texts = (rows: unknown[][]) =>
  rows.map((r) => r.map((c) => (c as { stringValue?: string }).stringValue ?? null));

describe('LISTAGG as a window function (r_WF_LISTAGG)', () => {
  const g = useGuideRedshift(createWinsales);

  it('seller IDs ordered by seller ID, over () : 11122333344 on each of the 11 rows', async () => {
    const rows = await g.rows(
      'select listagg(sellerid) within group (order by sellerid) over() from winsales',
    );
    expect(texts(rows)).toEqual(Array.from({ length: 11 }, () => ['11122333344']));
  });

  it('seller IDs for buyer B ordered by date: 3233 on 4 rows', async () => {
    const rows = await g.rows(
      "select listagg(sellerid) within group (order by dateid) over () as seller from winsales where buyerid = 'b'",
    );
    expect(texts(rows)).toEqual(Array.from({ length: 4 }, () => ['3233']));
  });

  it('a comma-separated list of sales dates for buyer B, and its DISTINCT form', async () => {
    const rows = await g.rows(`select listagg(dateid,',')
      within group (order by sellerid desc,salesid asc)
      over () as dates
      from winsales
      where buyerid  = 'b'`);
    expect(texts(rows)).toEqual(
      Array.from({ length: 4 }, () => ['2003-08-02,2004-04-18,2004-04-18,2004-02-12']),
    );
    // DISTINCT keeps the first of equal values, in the group's order.
    const distinct = await g.rows(`select listagg(distinct dateid,',')
      within group (order by sellerid desc,salesid asc)
      over () as dates
      from winsales
      where buyerid  = 'b'`);
    expect(texts(distinct)).toEqual(Array.from({ length: 4 }, () => ['2003-08-02,2004-04-18,2004-02-12']));
  });

  it('sales IDs for each buyer ID: OVER (PARTITION BY buyerid)', async () => {
    const rows = await g.rows(`select buyerid,
      listagg(salesid,',')
      within group (order by salesid)
      over (partition by buyerid) as sales_id
      from winsales
      order by buyerid`);
    // The page prints b's and c's lists out of salesid order (20001,30001,30004,30003 and
    // 10001,20002,30007,10006), which its own ORDER BY salesid contradicts: the ordered lists.
    const pad = (b: string) => b.padEnd(10);
    expect(texts(rows)).toEqual([
      ...Array.from({ length: 3 }, () => [pad('a'), '10005,40001,40005']),
      ...Array.from({ length: 4 }, () => [pad('b'), '20001,30001,30003,30004']),
      ...Array.from({ length: 4 }, () => [pad('c'), '10001,10006,20002,30007']),
    ]);
  });

  it('NULLs and empty strings are left out; DISTINCT ignores trailing blanks and keeps the first value', async () => {
    await g.run('create table words (k int, w varchar(10))');
    await g.run("insert into words values (1, 'a'), (2, null), (3, ''), (4, 'a '), (5, 'b'), (6, 'a')");
    expect(texts(await g.rows("select listagg(w, '|') within group (order by k) from words"))).toEqual([
      ['a|a |b|a'],
    ]);
    expect(
      texts(
        await g.rows(
          "select listagg(distinct w, '|') within group (order by k desc) over () from words limit 1",
        ),
      ),
    ).toEqual([['a|b']]);
    expect(
      texts(await g.rows("select listagg(distinct w, '|') within group (order by k) from words")),
    ).toEqual([['a|b']]);
    expect(
      texts(await g.rows("select listagg(w, '|') within group (order by k) from words where w = ''")),
    ).toEqual([[null]]);
  });

  it('refuses window ordering or a frame in OVER, as Redshift does', async () => {
    expect(await g.fails('select listagg(salesid) over (order by salesid) from winsales')).toMatch(
      /The OVER clause of LISTAGG takes only PARTITION BY/,
    );
  });
});
