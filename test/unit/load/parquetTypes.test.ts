import type { SchemaElement } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { parquetIncompatibility, parquetKind, parquetRedshiftType } from '../../../src/load/parquetTypes.ts';
import type { TargetColumn } from '../../../src/load/targetColumns.ts';
import { targetColumn } from '../../helpers/targetColumn.ts';

const el = (e: Partial<SchemaElement>): SchemaElement => ({ name: 'c', ...e }) as SchemaElement;
const col = (type: string): TargetColumn => targetColumn('c', type);

describe('Parquet footer types', () => {
  it.each([
    [el({ type: 'INT32', logical_type: { type: 'INTEGER', bitWidth: 8, isSigned: true } }), 'smallint'],
    [el({ type: 'INT32', logical_type: { type: 'INTEGER', bitWidth: 32, isSigned: false } }), 'bigint'],
    [
      el({ type: 'INT64', logical_type: { type: 'INTEGER', bitWidth: 64, isSigned: false } }),
      'numeric(20,0)',
    ],
    [el({ type: 'INT32', converted_type: 'INT_16' }), 'smallint'],
    [el({ type: 'INT32' }), 'integer'],
    [el({ type: 'INT64' }), 'bigint'],
    [el({ type: 'FLOAT' }), 'real'],
    [el({ type: 'DOUBLE' }), 'double precision'],
    [
      el({ type: 'FIXED_LEN_BYTE_ARRAY', logical_type: { type: 'DECIMAL', precision: 12, scale: 2 } }),
      'numeric(12,2)',
    ],
    [el({ type: 'INT32', converted_type: 'DATE' }), 'date'],
    [el({ type: 'INT64', logical_type: { type: 'TIME', isAdjustedToUTC: true, unit: 'MICROS' } }), 'time'],
    [
      el({ type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'NANOS' } }),
      'timestamptz',
    ],
    [
      el({ type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' } }),
      'timestamp',
    ],
    [el({ type: 'INT96' }), 'timestamp'],
    [el({ type: 'BYTE_ARRAY', converted_type: 'UTF8' }), 'varchar(65535)'],
    [el({ type: 'BYTE_ARRAY' }), 'varbyte(65535)'],
    [el({ type: 'BOOLEAN' }), 'boolean'],
    [el({ num_children: 2 }), 'super'],
  ])('%o -> %s', (e, type) => {
    expect(parquetRedshiftType(e)).toBe(type);
  });

  it('names only the certain incompatibilities', () => {
    expect(parquetIncompatibility('nested', col('character varying'))).toBe(
      'is a nested column (struct, list or map), which loads only into SUPER, not character varying',
    );
    expect(parquetIncompatibility('nested', col('super'))).toBeNull();
    expect(parquetIncompatibility('string', col('integer'))).toBe(
      'holds strings, which COPY does not convert to integer',
    );
    expect(parquetIncompatibility(parquetKind(el({ type: 'INT64' })), col('bigint'))).toBeNull();
    expect(parquetIncompatibility('integer', col('date'))).toBe('holds numbers, which cannot load into date');
    expect(parquetIncompatibility('timestamp', col('character varying'))).toBeNull();
  });
});
