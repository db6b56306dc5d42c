import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GuideRedshift, startGuideRedshift } from './guideHarness.ts';

const str = (stringValue: string) => ({ stringValue });
const long = (longValue: number) => ({ longValue });

describe('REGEXP_COUNT/INSTR/SUBSTR/REPLACE with position, occurrence and parameters, as the guide prints them', () => {
  let g: GuideRedshift;
  beforeAll(async () => {
    g = await startGuideRedshift();
    // The TICKIT USERS and VENUE rows the pages print.
    await g.run('create table users (userid integer, email varchar(100))');
    await g.run(`insert into users values
      (1, 'Etiam.laoreet.libero@sodalesMaurisblandit.edu'), (2, 'Suspendisse.tristique@nonnisiAenean.edu'),
      (3, 'amet.faucibus.ut@condimentumegetvolutpat.ca'), (4, 'sed@lacusUtnec.ca'),
      (5, 'Cum@accumsan.com'), (6, 'lorem.ipsum@Vestibulumante.com'), (7, 'non.justo.Proin@ametconsectetuer.edu'),
      (8, 'non.ante.bibendum@porttitortellus.org'), (9, 'eros@blanditatnisi.org')`);
    await g.run('create table venue (venueid integer, venuename varchar(100))');
    await g.run(`insert into venue values (1, 'The Home Depot Center'), (2, 'Izod Center'), (3, 'Wachovia Center'),
      (4, 'Air Canada Centre'), (5, 'United Center'), (6, 'Fenway Park')`);
  });
  afterAll(async () => {
    await g.stop();
  });

  it('REGEXP_COUNT: three-letter runs, org/edu domains, i and p parameters (REGEXP_COUNT.html)', async () => {
    expect(await g.rows("select regexp_count('abcdefghijklmnopqrstuvwxyz', '[a-z]{3}')")).toEqual([
      [long(8)],
    ]);
    expect(
      await g.rows(
        "select email, regexp_count(email,'@[^.]*\\\\.(org|edu)') from users order by userid limit 4",
      ),
    ).toEqual([
      [str('Etiam.laoreet.libero@sodalesMaurisblandit.edu'), long(1)],
      [str('Suspendisse.tristique@nonnisiAenean.edu'), long(1)],
      [str('amet.faucibus.ut@condimentumegetvolutpat.ca'), long(0)],
      [str('sed@lacusUtnec.ca'), long(0)],
    ]);
    expect(await g.rows("select regexp_count('the fox', 'FOX', 1, 'i')")).toEqual([[long(1)]]);
    expect(
      await g.rows(
        "select regexp_count('passwd7 plain A1234 a1234', '(?=[^ ]*[a-z])(?=[^ ]*[0-9])[^ ]+', 1, 'p')",
      ),
    ).toEqual([[long(2)]]);
    expect(
      await g.rows(
        "select regexp_count('passwd7 plain A1234 a1234', '(?=[^ ]*[a-z])(?=[^ ]*[0-9])[^ ]+', 1, 'ip')",
      ),
    ).toEqual([[long(3)]]);
    // "If position is greater than the number of characters in source_string, the result is 0."
    expect(await g.rows("select regexp_count('abc', 'a', 10), regexp_count('abcabc', 'a', 2)")).toEqual([
      [long(0), long(1)],
    ]);
  });

  it('REGEXP_INSTR: the position of the first match, of the end with option 1 (REGEXP_INSTR.html)', async () => {
    expect(
      await g.rows(
        "select email, regexp_instr(email,'@[^.]*') from users where userid between 5 and 9 order by userid",
      ),
    ).toEqual([
      [str('Cum@accumsan.com'), long(4)],
      [str('lorem.ipsum@Vestibulumante.com'), long(12)],
      [str('non.justo.Proin@ametconsectetuer.edu'), long(16)],
      [str('non.ante.bibendum@porttitortellus.org'), long(18)],
      [str('eros@blanditatnisi.org'), long(5)],
    ]);
    expect(
      await g.rows(`select venuename, regexp_instr(venuename,'[cC]ent(er|re)$') from venue
        where regexp_instr(venuename,'[cC]ent(er|re)$') > 0 order by venueid`),
    ).toEqual([
      [str('The Home Depot Center'), long(16)],
      [str('Izod Center'), long(6)],
      [str('Wachovia Center'), long(10)],
      [str('Air Canada Centre'), long(12)],
      [str('United Center'), long(8)],
    ]);
    // Option 1: the position after the match; occurrence 2; no match is 0; 'e' the subexpression.
    expect(
      await g.rows(`select regexp_instr('Cum@accumsan.com', '@[^.]*', 1, 1, 1), regexp_instr('a1b2c3', '[0-9]', 1, 2),
        regexp_instr('abc', 'x'), regexp_instr('the fox', 'FOX', 1, 1, 0, 'i'), regexp_instr('xxabc', 'x(ab)c', 1, 1, 0, 'e')`),
    ).toEqual([[long(13), long(4), long(0), long(5), long(3)]]);
  });

  it('REGEXP_SUBSTR: the match, case-insensitive, PCRE look-ahead, empty string when nothing matches (REGEXP_SUBSTR.html)', async () => {
    expect(
      await g.rows("select email, regexp_substr(email,'@[^.]*') from users order by userid limit 4"),
    ).toEqual([
      [str('Etiam.laoreet.libero@sodalesMaurisblandit.edu'), str('@sodalesMaurisblandit')],
      [str('Suspendisse.tristique@nonnisiAenean.edu'), str('@nonnisiAenean')],
      [str('amet.faucibus.ut@condimentumegetvolutpat.ca'), str('@condimentumegetvolutpat')],
      [str('sed@lacusUtnec.ca'), str('@lacusUtnec')],
    ]);
    expect(await g.rows("select regexp_substr('the fox', 'FOX', 1, 1, 'i')")).toEqual([[str('fox')]]);
    expect(
      await g.rows(
        "select regexp_substr('passwd7 plain A1234 a1234', '(?=[^ ]*[a-z])(?=[^ ]*[0-9])[^ ]+', 1, 2, 'p')",
      ),
    ).toEqual([[str('a1234')]]);
    expect(
      await g.rows(
        "select regexp_substr('passwd7 plain A1234 a1234', '(?=[^ ]*[a-z])(?=[^ ]*[0-9])[^ ]+', 1, 2, 'ip')",
      ),
    ).toEqual([[str('A1234')]]);
    // 'e': the first subexpression ('This is a (\\w+)' returns the word); no match is ''.
    expect(
      await g.rows(
        "select regexp_substr('This is a phrase to match', 'This is a (\\\\w+)', 1, 1, 'e'), regexp_substr('abc', 'x')",
      ),
    ).toEqual([[str('phrase'), str('')]]);
  });

  it('REGEXP_REPLACE replaces every match; i and p parameters (REGEXP_REPLACE.html)', async () => {
    expect(
      await g.rows(
        "select email, regexp_replace(email, '@.*\\\\.(org|gov|com|edu|ca)$') from users order by userid limit 4",
      ),
    ).toEqual([
      [str('Etiam.laoreet.libero@sodalesMaurisblandit.edu'), str('Etiam.laoreet.libero')],
      [str('Suspendisse.tristique@nonnisiAenean.edu'), str('Suspendisse.tristique')],
      [str('amet.faucibus.ut@condimentumegetvolutpat.ca'), str('amet.faucibus.ut')],
      [str('sed@lacusUtnec.ca'), str('sed')],
    ]);
    expect(
      await g.rows(`select regexp_replace(email, '@.*\\\\.[[:alpha:]]{2,3}', '@internal.company.com') from users
        order by userid limit 4`),
    ).toEqual([
      [str('Etiam.laoreet.libero@internal.company.com')],
      [str('Suspendisse.tristique@internal.company.com')],
      [str('amet.faucibus.ut@internal.company.com')],
      [str('sed@internal.company.com')],
    ]);
    expect(await g.rows("select regexp_replace('the fox', 'FOX', 'quick brown fox', 1, 'i')")).toEqual([
      [str('the quick brown fox')],
    ]);
    expect(
      await g.rows(
        "select regexp_replace('passwd7 plain A1234 a1234', '(?=[^ ]*[a-z])(?=[^ ]*[0-9])[^ ]+', '[hidden]', 1, 'p')",
      ),
    ).toEqual([[str('[hidden] plain A1234 [hidden]')]]);
    expect(
      await g.rows(
        "select regexp_replace('passwd7 plain A1234 a1234', '(?=[^ ]*[a-z])(?=[^ ]*[0-9])[^ ]+', '[hidden]', 1, 'ip')",
      ),
    ).toEqual([[str('[hidden] plain [hidden] [hidden]')]]);
  });

  it("'p' reads PCRE's \\b as a word boundary and refuses PCRE-only constructs; unknown parameters fail", async () => {
    expect(await g.rows("select regexp_count('cat concat cat', '\\\\bcat\\\\b', 1, 'p')")).toEqual([
      [long(2)],
    ]);
    expect(await g.fails("select regexp_substr('ab', '(?<first>a)b', 1, 1, 'p')")).toMatch(
      /PCRE construct "\(\?<f" is not supported/,
    );
    expect(await g.fails("select regexp_count('ab', 'a', 1, 'x')")).toMatch(
      /REGEXP_COUNT: invalid regular expression parameter "x"/,
    );
  });
});
