import { describe, expect, it } from 'vitest';
import { superText } from '../../../../../local/redshift/results/superText.ts';

describe('superText', () => {
  it("drops jsonb's space after , and : between values, never inside strings", () => {
    expect(superText('[10001, 10002, "abc"]')).toBe('[10001,10002,"abc"]');
    expect(superText('{"a": [1, 2], "b": {"c": null}}')).toBe('{"a":[1,2],"b":{"c":null}}');
    expect(superText('{"k, v": "x: y", "q\\", ": 1}')).toBe('{"k, v":"x: y","q\\", ":1}');
    expect(superText('"plain, text"')).toBe('"plain, text"');
    expect(superText('12.5')).toBe('12.5');
  });
});
