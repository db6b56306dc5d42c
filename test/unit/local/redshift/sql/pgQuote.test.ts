import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgIdent, pgLiteral } from '../../../../../local/redshift/sql/pgQuote.ts';
import { createTestDatabase, type TestDatabase } from '../../../../helpers/testDatabase.ts';

let db: TestDatabase;
let client: pg.Client;
beforeAll(async () => {
  db = await createTestDatabase('pgquote');
  client = new pg.Client(db.url);
  await client.connect();
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

const TEXTS = ['plain', "it's", 'a\\b', "\\'", '\\\\', 'tab\\t', ''];

describe('pgQuote', () => {
  it('writes ordinary text as a plain literal and text with a backslash as E-string', () => {
    expect(pgLiteral("it's")).toBe("'it''s'");
    expect(pgLiteral('a\\b')).toBe("E'a\\\\b'");
  });

  for (const setting of ['on', 'off']) {
    it(`PostgreSQL reads every literal and identifier back exactly (standard_conforming_strings ${setting})`, async () => {
      await client.query(`SET standard_conforming_strings = ${setting}`);
      await client.query('SET escape_string_warning = off');
      for (const text of TEXTS) {
        const { rows } = await client.query(`SELECT ${pgLiteral(text)}::text AS v`);
        expect(rows[0].v).toBe(text);
      }
      for (const name of ['we"ird', 'a\\b', 'Mixed Case']) {
        const { fields } = await client.query(`SELECT 1 AS ${pgIdent(name)}`);
        expect(fields[0]?.name).toBe(name);
      }
    });
  }
});
