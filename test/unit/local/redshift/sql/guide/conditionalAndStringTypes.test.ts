import { GetStatementResultCommand } from '@aws-sdk/client-redshift-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeAndWait } from '../../../../../helpers/testRedshift.ts';
import { type GuideRedshift, startGuideRedshift } from './guideHarness.ts';

const str = (stringValue: string) => ({ stringValue });
const long = (longValue: number) => ({ longValue });

describe('Conditional result types, STRTOL and string functions on non-text arguments, as the guide documents them', () => {
  let g: GuideRedshift;
  beforeAll(async () => {
    g = await startGuideRedshift();
    // SALES.COMMISSION is DECIMAL(8,2) in TICKIT: three commissions over 999.00.
    await g.run('create table sales (salesid integer, commission decimal(8,2))');
    await g.run('insert into sales values (1, 1000.50), (2, 52.50), (3, 1234.00), (4, 7.51), (5, 1893.60)');
    await g.run('create table nulls (column1 integer)');
    await g.run('insert into nulls values (null)');
    await g.run(
      'create table users (firstname varchar(30), lastname varchar(30), email varchar(100), phone char(14))',
    );
    await g.run(`insert into users values ('Aphrodite', 'Acevedo', null, '(906) 632-4407'),
      ('Caldwell', 'Acevedo', 'Nunc.sollicitudin@Duisac.ca', '(111) 111-1111'),
      ('Quinn', 'Adams', 'vel@adipiscingligulaAenean.com', '(222) 222-2222')`);
  });
  afterAll(async () => {
    await g.stop();
  });

  it('DECODE keeps the result type (INTEGER), NVL2 the not_null_return_value type (VARCHAR) (r_NVL2.html)', async () => {
    // "the DECODE return value data type will be INTEGER and the NVL2 return value data type will be VARCHAR"
    expect(
      await g.rows("select decode(column1, null, 1234, '2345'), nvl2(column1, '2345', 1234) from nulls"),
    ).toEqual([[long(1234), str('1234')]]);
    // The page's contact-info example (+ between strings concatenates).
    expect(
      await g.rows(`select (firstname + ' ' + lastname) as name, nvl2(email, email, phone) AS contact_info
        from users where lastname like 'A%' order by lastname, firstname`),
    ).toEqual([
      [str('Aphrodite Acevedo'), str('(906) 632-4407')],
      [str('Caldwell Acevedo'), str('Nunc.sollicitudin@Duisac.ca')],
      [str('Quinn Adams'), str('vel@adipiscingligulaAenean.com')],
    ]);
  });

  it('DECODE maps codes to names, NULL to 0 (an INTEGER column named case) (r_DECODE_expression.html)', async () => {
    await g.run('create table category (catid smallint, catname varchar(10))');
    await g.run(
      `insert into category values (1, 'MLB'), (2, 'NHL'), (3, 'NFL'), (4, 'NBA'), (5, 'MLS'), (6, 'Musicals')`,
    );
    const d = await executeAndWait(g.rs, {
      Sql: `select catid, decode(catname, 'NHL', 'National Hockey League', 'MLB', 'Major League Baseball',
          'MLS', 'Major League Soccer', 'NFL', 'National Football League', 'NBA', 'National Basketball Association',
          'Unknown') from category order by catid`,
    });
    const r = await g.rs.client.send(new GetStatementResultCommand({ Id: d.Id }));
    expect(r.ColumnMetadata?.map((c) => c.name)).toEqual(['catid', 'case']);
    expect(r.Records?.map((row) => (row[1] as { stringValue: string }).stringValue)).toEqual([
      'Major League Baseball',
      'National Hockey League',
      'National Football League',
      'National Basketball Association',
      'Major League Soccer',
      'Unknown',
    ]);
    await g.run('create table venue (venuename varchar(40), venuestate char(2), venueseats integer)');
    await g.run(`insert into venue values ('Coors Field', 'CO', 76125), ('Pepsi Center', 'CO', 0),
      ('Ballys Hotel', 'NV', null), ('Bellagio Hotel', 'NV', null), ('Fenway Park', 'MA', 39928)`);
    expect(
      await g.rows(`select venuename, venuestate, decode(venueseats,null,0,1) from venue
        where venuestate in('NV','CO') order by 2,3,1`),
    ).toEqual([
      [str('Coors Field'), str('CO'), long(1)],
      [str('Pepsi Center'), str('CO'), long(1)],
      [str('Ballys Hotel'), str('NV'), long(0)],
      [str('Bellagio Hotel'), str('NV'), long(0)],
    ]);
  });

  it('GREATEST of two VARCHARs is the alphabetically highest (r_GREATEST_LEAST.html)', async () => {
    await g.run('create table people (userid integer, firstname varchar(30), lastname varchar(30))');
    await g.run(`insert into people values (1, 'Lars', 'Ratliff'), (2, 'Reagan', 'Hodge'), (3, 'Colton', 'Roy'),
      (4, 'Tamekah', 'Juarez')`);
    expect(
      await g.rows(
        'select firstname, lastname, greatest(firstname,lastname) from people where userid < 10 order by 3, 1',
      ),
    ).toEqual([
      [str('Lars'), str('Ratliff'), str('Ratliff')],
      [str('Reagan'), str('Hodge'), str('Reagan')],
      [str('Colton'), str('Roy'), str('Roy')],
      [str('Tamekah'), str('Juarez'), str('Tamekah')],
    ]);
  });

  it('STRTOL reads bases 2 to 36, 0x in base 16, signs and white space (r_STRTOL.html)', async () => {
    expect(
      await g.rows(`select strtol('0xf',16), strtol('abcd1234',16), strtol('1234567', 10), strtol('1234567', 8),
        strtol('110101', 2), strtol('  -0x1F', 16), strtol('', 10)`),
    ).toEqual([[long(15), long(2882343476), long(1234567), long(342391), long(53), long(-31), long(0)]]);
    // "The converted value must be within the signed 64-bit range."
    expect(await g.fails("select strtol('ffffffffffffffffff', 16)")).toMatch(/out of range/);
    expect(await g.fails("select strtol('1', 37)")).toMatch(/base 37 is not between 2 and 36/);
  });

  it('CHARINDEX, POSITION and STRPOS search a DECIMAL as its text (r_CHARINDEX.html, r_POSITION.html, r_STRPOS.html)', async () => {
    expect(await g.rows("select charindex('dog', 'fish'), charindex('fish', 'dogfish')")).toEqual([
      [long(0), long(4)],
    ]);
    expect(await g.rows("select position('fish' in 'dogfish'), strpos('dogfish', 'fish')")).toEqual([
      [long(4), long(4)],
    ]);
    // The pages' COMMISSION-over-999.00 count: the '.' of 1000.50, 1234.00, 1893.60 is the fifth character.
    expect(
      await g.rows(`select distinct charindex('.', commission), count (charindex('.', commission))
        from sales where charindex('.', commission) > 4 group by charindex('.', commission) order by 1,2`),
    ).toEqual([[long(5), long(3)]]);
    expect(
      await g.rows(`select distinct position('.' in commission), count (position('.' in commission))
        from sales where position('.' in commission) > 4 group by position('.' in commission) order by 1,2`),
    ).toEqual([[long(5), long(3)]]);
    expect(
      await g.rows(`select distinct strpos(commission, '.'), count (strpos(commission, '.'))
        from sales where strpos(commission, '.') > 4 group by strpos(commission, '.') order by 1,2`),
    ).toEqual([[long(5), long(3)]]);
  });

  it('+ concatenates strings and still adds numbers', async () => {
    expect(
      await g.rows(
        "select 'a' + 'b', firstname + lastname, 1 + 2, 1.5 + 2, null::varchar + 'x' from users where firstname = 'Quinn'",
      ),
    ).toEqual([[str('ab'), str('QuinnAdams'), long(3), str('3.5'), { isNull: true }]]);
  });

  it('LEN, LPAD, REPLACE, UPPER on a DECIMAL or DATE read its text', async () => {
    expect(
      await g.rows(`select len(commission), lpad(commission, 9, '*'), replace(date '2008-01-05', '-', '/'),
        upper(date '2008-01-05') from sales where salesid = 1`),
    ).toEqual([[long(7), str('**1000.50'), str('2008/01/05'), str('2008-01-05')]]);
  });
});
