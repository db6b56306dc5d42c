import { describe, expect, it } from 'vitest';
import {
  parseQualifiedName,
  quoteIdent,
  quoteQualified,
  sqlString,
  unloadQueryLiteral,
} from '../../../src/sql/identifiers.ts';

describe('quoteIdent', () => {
  it.each([
    ['sales', '"sales"'],
    ['Sales Data', '"Sales Data"'],
    ['my-table', '"my-table"'],
    ['ünïcode', '"ünïcode"'],
  ])('quotes %j as %s', (input, expected) => {
    expect(quoteIdent(input)).toBe(expected);
  });

  it.each([[''], ['a"b'], ['tab\there'], [' lead'], ['x'.repeat(128)], ['é'.repeat(64)]])(
    'rejects %j',
    (input) => {
      expect(() => quoteIdent(input)).toThrowError(expect.objectContaining({ name: 'SqlBuildError' }));
    },
  );
});

describe('quoteQualified', () => {
  it.each([
    ['sales', '"sales"'],
    ['public.sales', '"public"."sales"'],
  ])('%s -> %s', (input, expected) => {
    expect(quoteQualified(input)).toBe(expected);
  });
  it('takes an object for names with dots', () => {
    expect(quoteQualified({ schema: 'raw', name: 'v1.events' })).toBe('"raw"."v1.events"');
  });
  it('rejects three-part names', () => {
    expect(() => parseQualifiedName('a.b.c')).toThrow(/schema\.table/);
  });
});

describe('sqlString', () => {
  it('doubles quotes and backslashes (Redshift reads backslash escapes in literals)', () => {
    expect(sqlString("O'Brien \\N")).toBe("'O''Brien \\\\N'");
  });
  it('refuses NUL', () => {
    expect(() => sqlString('a\u0000b')).toThrow(/NUL/);
  });
});

describe('unloadQueryLiteral', () => {
  it.each([
    ['select * from venue', "('select * from venue')"],
    ["select * from venue where venuestate='NV'", "('select * from venue where venuestate=''NV''')"],
    ["select 'a\\b' as x;", "('select ''a\\\\b'' as x')"],
    ["select '\\'' as q", "('select ''\\\\'''' as q')"],
  ])('%s', (input, expected) => {
    expect(unloadQueryLiteral(input)).toBe(expected);
  });
  it('rejects an empty query', () => {
    expect(() => unloadQueryLiteral('  ;')).toThrow(/empty/);
  });
});
