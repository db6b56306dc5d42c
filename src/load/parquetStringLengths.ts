import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { BadRecordError } from '../errors.ts';
import { checkValue } from './checkValue.ts';
import { PARQUET_COMPRESSORS } from './parquetCompressors.ts';
import type { TargetColumn } from './targetColumns.ts';
import { LongestValues } from './widenVarchar.ts';

const UTF8 = new TextDecoder();

/** A top-level string column of the file and the widenable VARCHAR it loads into. */
export interface MeasuredColumn {
  /** The column's name in the file (its top-level schema element). */
  name: string;
  column: TargetColumn;
}

/**
 * Whether a value of this column can be longer than its VARCHAR, from the footer alone: every
 * value is written whole, once, in a page of its row group's column chunk (a data page, or the
 * dictionary page), so no value is longer than the chunk's uncompressed size. The footer's
 * min/max statistics say nothing about lengths (they are the lexical bounds, often truncated).
 */
export function mayExceed(metadata: FileMetaData, name: string, maxLength: number): boolean {
  return metadata.row_groups.some((rg) =>
    rg.columns.some((c) => {
      const m = c.meta_data;
      // A chunk without metadata proves nothing: read the column.
      if (m === undefined) return true;
      if (m.path_in_schema.length !== 1 || m.path_in_schema[0] !== name) return false;
      return Number(m.total_uncompressed_size) > maxLength;
    }),
  );
}

/**
 * widenVarchar for Parquet: reads the string columns whose VARCHAR might be too short (one row
 * group at a time, only those columns) and keeps the longest value of each in UTF-8 bytes, as the
 * CSV/JSON record pass does. A value longer than Redshift's VARCHAR limit is a BadRecordError
 * naming the file, row and column (COPY from Parquet has no MAXERROR: it would fail the load).
 */
export async function measureParquetStrings(
  file: AsyncBuffer,
  metadata: FileMetaData,
  columns: readonly MeasuredColumn[],
  label: string,
): Promise<LongestValues> {
  const longest = new LongestValues();
  const wanted = columns.filter(
    (c) => c.column.maxLength !== null && mayExceed(metadata, c.name, c.column.maxLength),
  );
  if (wanted.length === 0) return longest;
  const byName = new Map(wanted.map((c) => [c.name, c.column]));
  const { parquetRead } = await import('hyparquet');
  let rowStart = 0;
  for (const rg of metadata.row_groups) {
    const rowEnd = rowStart + Number(rg.num_rows);
    // onChunk runs inside the reader's promise chain: a throw there would not reject parquetRead.
    let bad: { row: number; column: string; reason: string } | undefined;
    await parquetRead({
      file,
      metadata,
      columns: wanted.map((c) => c.name),
      rowStart,
      rowEnd,
      compressors: PARQUET_COMPRESSORS,
      // JSON-annotated strings load into VARCHAR as their text: measure it, not a parsed value.
      parsers: { jsonFromBytes: (bytes: Uint8Array | undefined) => bytes && UTF8.decode(bytes) },
      onChunk: ({ columnName, columnData, rowStart: first }) => {
        const column = byName.get(columnName);
        if (column === undefined) return;
        for (let k = 0; k < columnData.length; k++) {
          const v = columnData[k];
          if (typeof v !== 'string') continue;
          const reason = checkValue(column, v, {});
          if (reason !== null) {
            const row = first + k + 1;
            if (bad === undefined || row < bad.row) bad = { row, column: columnName, reason };
            return;
          }
          longest.note(column, v);
        }
      },
    });
    if (bad !== undefined) {
      throw new BadRecordError(
        `Bad record in ${label} row ${bad.row}, column "${bad.column}": ${bad.reason}. Nothing was loaded. Fix the file and load it again (COPY from Parquet stops at the first bad value).`,
        { context: { file: label, ...bad } },
      );
    }
    rowStart = rowEnd;
  }
  return longest;
}
