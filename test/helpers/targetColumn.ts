import type { TargetColumn } from '../../src/load/targetColumns.ts';

/** A nullable column without default, length or precision unless `extra` says otherwise. */
export function targetColumn(name: string, type: string, extra: Partial<TargetColumn> = {}): TargetColumn {
  return {
    name,
    type,
    nullable: true,
    hasDefault: false,
    maxLength: null,
    precision: null,
    scale: null,
    ...extra,
  };
}
