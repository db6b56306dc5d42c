import { describe, expect, it } from 'vitest';
import { evaluateTemplate, readSimplePath, withoutItems } from '../../../../local/sfn/templates.ts';

describe('templates', () => {
  it('evaluates payload templates with paths, context paths and intrinsic functions', async () => {
    const result = await evaluateTemplate(
      {
        'bucket.$': '$.bucket',
        'item.$': '$$.Map.Item.Value',
        'key.$': "States.Format('runs/{}/items.json', $.runId)",
      },
      { bucket: 'rt-state', runId: 'r1' },
      { Map: { Item: { Index: 0, Value: { n: 1 } } } },
    );
    expect(result).toEqual({ bucket: 'rt-state', item: { n: 1 }, key: 'runs/r1/items.json' });
  });

  it.each([
    ['$', { a: 1 }, { a: 1 }],
    ['$.a.b', { a: { b: [1, 2] } }, [1, 2]],
    ["$['a'].c[1]", { a: { c: [5, 6] } }, 6],
    ['$.missing', { a: 1 }, undefined],
    ['$..deep', { a: 1 }, undefined],
  ])('reads the simple path %s', (path, input, expected) => {
    expect(readSimplePath(path, input)).toEqual(expected);
  });

  it('drops the items from the input an ItemSelector sees, keeping everything else', () => {
    const input = { runId: 'r1', parts: { list: [1, 2, 3], count: 3 } };
    expect(withoutItems(input, '$.parts.list')).toEqual({ runId: 'r1', parts: { list: [], count: 3 } });
    expect(input.parts.list).toEqual([1, 2, 3]);
    expect(withoutItems([1, 2], '$')).toEqual([]);
    expect(withoutItems(input, "$['parts']")).toBe(input);
  });
});
