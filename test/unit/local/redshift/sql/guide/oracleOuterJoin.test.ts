import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GuideRedshift, startGuideRedshift } from './guideHarness.ts';

describe('Oracle-style (+) outer joins in WHERE (r_WHERE_oracle_outer.html)', () => {
  let g: GuideRedshift;
  beforeAll(async () => {
    g = await startGuideRedshift();
    await g.run('create table category (catid int, catname varchar(10))');
    await g.run("insert into category values (1, 'MLB'), (2, 'NHL'), (3, 'Opera')");
    await g.run('create table event (eventid int, catid int, starts int)');
    await g.run('insert into event values (10, 1, 5), (11, 1, 9), (12, 2, 1), (13, 4, 2)');
  });
  afterAll(async () => {
    await g.stop();
  });

  it('table1.c = table2.c(+) is table1 LEFT OUTER JOIN table2 ON table1.c = table2.c', async () => {
    const plus = await g.rows(
      'select catname, eventid from category, event where category.catid = event.catid(+) order by 1, 2',
    );
    // The page: "The first condition is equivalent to: from table1 left outer join table2 on ...".
    expect(plus).toEqual(
      await g.rows(
        'select catname, eventid from category left outer join event on category.catid = event.catid order by 1, 2',
      ),
    );
    expect(plus).toEqual([
      [{ stringValue: 'MLB' }, { longValue: 10 }],
      [{ stringValue: 'MLB' }, { longValue: 11 }],
      [{ stringValue: 'NHL' }, { longValue: 12 }],
      [{ stringValue: 'Opera' }, { isNull: true }],
    ]);
  });

  it('table1.c(+) = table2.c is table1 RIGHT OUTER JOIN table2, with * in FROM order', async () => {
    const plus = await g.rows(
      'select * from category c, event e where c.catid(+) = e.catid order by eventid',
    );
    expect(plus).toEqual(
      await g.rows('select * from category c right outer join event e on c.catid = e.catid order by eventid'),
    );
    expect(plus.at(-1)).toEqual([
      { isNull: true },
      { isNull: true },
      { longValue: 13 },
      { longValue: 4 },
      { longValue: 2 },
    ]);
  });

  it('several marked conditions on the same table form one ON; unmarked ones stay filters', async () => {
    // The page's two-pair form: where table1.col1 > table2.col1(+) and table1.col2 = table2.col2(+)
    const plus = await g.rows(`select c.catid, e.eventid from category c, event e
      where c.catid = e.catid(+) and e.starts(+) > 4 and c.catid < 3 order by 1, 2`);
    expect(plus).toEqual([
      [{ longValue: 1 }, { longValue: 10 }],
      [{ longValue: 1 }, { longValue: 11 }],
      [{ longValue: 2 }, { isNull: true }],
    ]);
  });

  it('refuses the forms it cannot translate with one meaning', async () => {
    expect(
      await g.fails('select * from category c, event e where c.catid = e.catid(+) or c.catid = 3'),
    ).toMatch(/\(\+\) outer join is not supported.*OR/);
    expect(await g.fails('select * from category c, event e where c.catid = catid(+)')).toMatch(/qualified/);
  });
});
