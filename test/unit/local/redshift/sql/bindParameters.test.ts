import { describe, expect, it } from 'vitest';
import { bindParameters } from '../../../../../local/redshift/sql/bindParameters.ts';
import { tokenize } from '../../../../../local/redshift/sql/tokenize.ts';

describe('bindParameters', () => {
  it('binds each name once, in order of first use, outside literals and comments', () => {
    const bound = bindParameters(
      tokenize("select * from t where a = :x and b = ':x' and c = :y -- :y\n or d = :x::int"),
      [
        { name: 'x', value: "1'; drop table t; --" },
        { name: 'y', value: 'two' },
      ],
    );
    expect(bound.text).toBe("select * from t where a = $1 and b = ':x' and c = $2 -- :y\n or d = $1::int");
    expect(bound.values).toEqual(["1'; drop table t; --", 'two']);
    expect([...bound.used]).toEqual(['x', 'y']);
  });

  it('leaves unknown names as they are', () => {
    const bound = bindParameters(tokenize('select :a, :b'), [{ name: 'a', value: '1' }]);
    expect(bound.text).toBe('select $1, :b');
    expect(bound.values).toEqual(['1']);
  });
});
