import { describe, expect, it } from 'vitest';
import { ValueConverter } from '../../../local/redshift/commands/copy/convertValue.ts';
import type { TargetColumn as CopyColumn } from '../../../local/redshift/commands/copy/targetColumns.ts';
import type { CopyStatement } from '../../../local/redshift/commands/parser/ast.ts';
import { parseRedshiftCommand } from '../../../local/redshift/commands/parser/parseRedshiftCommand.ts';
import { checkValue } from '../../../src/load/checkValue.ts';
import { timestampParser } from '../../../src/load/dateTimeFormats.ts';
import type { TargetColumn } from '../../../src/load/targetColumns.ts';

const VALUES = [
  '2019-02-11T05:09:12.195Z',
  '2013-01-01T06:00:00Z',
  '2013-01-01 06:00:00',
  '2013-01-01T06:00:00+02:00',
  '1997-12-17 07:37:16-08',
  '02/11/2019 05:09:12',
  '2019-02-30 00:00:00',
  '2019-02-11 24:00:00',
  '1549861752',
  'not a time',
];

const checkColumn: TargetColumn = {
  name: 'at',
  type: 'timestamp with time zone',
  nullable: true,
  hasDefault: false,
  maxLength: null,
  precision: null,
  scale: null,
};
const copyColumn: CopyColumn = {
  name: 'at',
  typeName: 'timestamp with time zone',
  kind: 'timestamptz',
  notNull: false,
  hasDefault: false,
};

describe('dateFormat/timeFormat: one rule for the checks and the local COPY', () => {
  it.each([undefined, 'auto', 'YYYY-MM-DD HH:MI:SS', 'MM/DD/YYYY HH:MI:SS', 'epochsecs'])(
    'the prepare check and COPY agree on every value under timeFormat %s',
    (timeFormat) => {
      const st = parseRedshiftCommand(
        `COPY t FROM 's3://b/k' IAM_ROLE 'arn:aws:iam::123456789012:role/R' CSV${timeFormat === undefined ? '' : ` TIMEFORMAT '${timeFormat}'`}`,
      ) as CopyStatement;
      const converter = new ValueConverter(st);
      for (const value of VALUES) {
        const copyAccepts = 'value' in converter.convert(value, copyColumn, true);
        const checkAccepts =
          checkValue(checkColumn, value, timeFormat === undefined ? {} : { timeFormat }) === null;
        expect({ value, timeFormat, checkAccepts }).toEqual({ value, timeFormat, checkAccepts: copyAccepts });
      }
    },
  );

  it('reads Z as UTC', () => {
    expect(timestampParser('auto', true)('2019-02-11T05:09:12.195Z')).toBe('2019-02-11 05:09:12.195+00');
  });
});
