import { describe, expect, it } from 'vitest';
import { useGuideRedshift } from './guideHarness.ts';

describe('Redshift JSON functions and SUPER, as the Developer Guide prints them', () => {
  const g = useGuideRedshift();

  it('JSON_EXTRACT_PATH_TEXT, with null_if_invalid (JSON_EXTRACT_PATH_TEXT.html)', async () => {
    expect(
      await g.rows(`select json_extract_path_text('{"f2":{"f3":1},"f4":{"f5":99,"f6":"star"}}','f4', 'f6'),
        json_extract_path_text('{"f2":{"f3":1},"f4":{"f5":99,"f6":"star"}','f4', 'f6',true),
        json_extract_path_text('{"farm": {"barn": {"color": "red", "feed stocked": true}}}', 'farm', 'barn', 'color'),
        json_extract_path_text('{"farm": {"barn": {}}}', 'farm', 'barn', 'color')`),
    ).toEqual([[{ stringValue: 'star' }, { isNull: true }, { stringValue: 'red' }, { isNull: true }]]);
    expect(
      await g.fails(`select json_extract_path_text('{"f2":{"f3":1},"f4":{"f5":99,"f6":"star"}','f4', 'f6')`),
    ).toMatch(/json/);
    // On a VARCHAR column, as users store JSON in Redshift.
    await g.run('create table j (doc varchar(200))');
    await g.run(`insert into j values ('{"a":{"b":"x"}}'), ('{"a":{}}')`);
    expect(await g.rows("select json_extract_path_text(doc, 'a', 'b') from j order by 1")).toEqual([
      [{ stringValue: 'x' }],
      [{ isNull: true }],
    ]);
  });

  it('JSON_EXTRACT_ARRAY_ELEMENT_TEXT: zero-based, empty string out of bounds (JSON_EXTRACT_ARRAY_ELEMENT_TEXT.html)', async () => {
    expect(
      await g.rows(`select json_extract_array_element_text('[111,112,113]', 2),
        json_extract_array_element_text('["a",["b",1,["c",2,3,null,]]]',1,true),
        json_extract_array_element_text('[111,112,113]', 5)`),
    ).toEqual([[{ stringValue: '113' }, { isNull: true }, { stringValue: '' }]]);
  });

  it('IS_VALID_JSON, IS_VALID_JSON_ARRAY, JSON_ARRAY_LENGTH (IS_VALID_JSON.html, JSON_ARRAY_LENGTH.html)', async () => {
    expect(
      await g.rows(`select is_valid_json('{"a":2}'), is_valid_json('{"a":2'), is_valid_json_array('[]'),
        is_valid_json_array('{"one":1}'), json_array_length('[11,12,13,{"f1":21,"f2":[25,26]},14]'),
        json_array_length('[11,12,13,{"f1":21,"f2":[25,26]},14', true)`),
    ).toEqual([
      [
        { booleanValue: true },
        { booleanValue: false },
        { booleanValue: true },
        { booleanValue: false },
        { longValue: 5 },
        { isNull: true },
      ],
    ]);
  });

  it('SUPER columns hold JSON_PARSE values, returned as text (JSON_PARSE.html)', async () => {
    await g.run('create table s (id int, v super)');
    await g.run(`insert into s values (1, json_parse('[10001,10002,"abc"]')), (2, json_parse('{"a":1}'))`);
    expect(await g.rows('select id, json_array_length(json_serialize(v)) from s where id = 1')).toEqual([
      [{ longValue: 1 }, { longValue: 3 }],
    ]);
    // JSON_PARSE.html and JSON_SERIALIZE.html print the value without spaces.
    expect(
      await g.rows(
        `select json_parse('[10001,10002,"abc"]'), json_serialize(json_parse('[10001,10002,"abc"]')), v from s where id = 2`,
      ),
    ).toEqual([
      [
        { stringValue: '[10001,10002,"abc"]' },
        { stringValue: '[10001,10002,"abc"]' },
        { stringValue: '{"a":1}' },
      ],
    ]);
    expect(
      await g.rows(`select json_serialize(json_parse('{"k, v": "x: y", "n": [1, {"m": "a\\\\"b, c"}]}'))`),
    ).toEqual([[{ stringValue: '{"n":[1,{"m":"a\\"b, c"}],"k, v":"x: y"}' }]]);
    expect(await g.rows("select json_extract_path_text(json_serialize(v), 'a') from s where id = 2")).toEqual(
      [[{ stringValue: '1' }]],
    );
  });
});
