import { describe, expect, it } from 'vitest';
import { hookIssues, renderHook } from '../../../src/sql/hooks.ts';

describe('hookIssues', () => {
  it.each([
    ['ANALYZE {table}', []],
    ['GRANT SELECT ON {table} TO GROUP readers;', []],
    ["INSERT INTO audit VALUES ('{runId}', 'a;b')", []],
    ['SELECT $$x;y$$ /* ; */ -- ;\n', []],
    ["SELECT 'it\\'s;'", []],
    ['DELETE FROM {table}; DROP TABLE x', ['holds several statements: give each one as its own list entry']],
    ['SELECT 1;;', ['holds several statements: give each one as its own list entry']],
    ["SELECT 'open", ['unterminated string literal']],
    ['SELECT {rundate}', ['unknown placeholder {rundate}; use {table} or {runId}']],
  ])('%s', (sql, issues) => {
    expect(hookIssues(sql)).toEqual(issues);
  });
});

describe('renderHook', () => {
  it('fills {table} quoted and {runId}, and drops the trailing semicolon', () => {
    expect(
      renderHook("INSERT INTO audit SELECT '{runId}', COUNT(*) FROM {table};  ", {
        table: { schema: 'sales', name: 'Orders' },
        runId: '20240301-abc123',
      }),
    ).toBe(`INSERT INTO audit SELECT '20240301-abc123', COUNT(*) FROM "sales"."Orders"`);
  });
});
