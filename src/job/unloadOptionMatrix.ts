import type { UnloadOptions } from './exportJob.ts';

export type UnloadFormat = UnloadOptions['format'];

interface MatrixRow {
  /** The UNLOAD keyword the option writes (compression: the codec's name). */
  keyword: (o: UnloadOptions) => string;
  /** The option is set in the job (a default is never a conflict). */
  isSet: (o: UnloadOptions) => boolean;
  /** The formats UNLOAD accepts it with. */
  formats: readonly UnloadFormat[];
  /** Why a format refuses it, when that is not obvious. */
  why?: Partial<Record<UnloadFormat, string>>;
  /** What to do instead, appended to the job validation message. */
  fix?: string;
}

const DELIMITED: readonly UnloadFormat[] = ['csv', 'text'];
const ALL: readonly UnloadFormat[] = ['csv', 'parquet', 'json', 'text'];

/**
 * Which of the job's `unload` options go with which format: the one home of that rule, read by
 * the job schema (exportJob.ts, as validation issues) and the SQL builder (sql/unload.ts, which
 * does not trust its caller). From AWS's UNLOAD reference, "options that cannot be combined"
 * (/work/shared/reference/aws-facts.md section 1): PARQUET takes none of DELIMITER, NULL AS,
 * HEADER, ESCAPE, ADDQUOTES, GZIP, BZIP2, ZSTD; JSON none of DELIMITER, HEADER, ADDQUOTES, ESCAPE,
 * NULL AS; CSV no ADDQUOTES. PARTITION BY, MAXFILESIZE and PARALLEL go with every format.
 * A new option: one row here, its field in unloadOptionsSchema and its clause in buildUnload.
 */
export const UNLOAD_OPTION_MATRIX = {
  delimiter: { keyword: () => 'DELIMITER', isSet: (o) => o.delimiter !== undefined, formats: DELIMITED },
  nullAs: { keyword: () => 'NULL AS', isSet: (o) => o.nullAs !== undefined, formats: DELIMITED },
  header: { keyword: () => 'HEADER', isSet: (o) => o.header, formats: DELIMITED },
  escape: { keyword: () => 'ESCAPE', isSet: (o) => o.escape, formats: DELIMITED },
  addQuotes: {
    keyword: () => 'ADDQUOTES',
    isSet: (o) => o.addQuotes,
    formats: ['text'],
    why: { csv: 'CSV quotes fields itself' },
  },
  compression: {
    keyword: (o) => o.compression.toUpperCase(),
    isSet: (o) => o.compression !== 'none',
    formats: ['csv', 'json', 'text'],
    why: { parquet: 'Parquet compresses inside' },
    fix: 'use "none"',
  },
  partitionBy: { keyword: () => 'PARTITION BY', isSet: (o) => o.partitionBy !== undefined, formats: ALL },
  maxFileSize: { keyword: () => 'MAXFILESIZE', isSet: (o) => o.maxFileSize !== undefined, formats: ALL },
  parallel: { keyword: () => 'PARALLEL OFF', isSet: (o) => !o.parallel, formats: ALL },
} satisfies Partial<Record<keyof UnloadOptions, MatrixRow>>;

export interface UnloadOptionConflict {
  option: keyof typeof UNLOAD_OPTION_MATRIX;
  /** As UNLOAD spells it, e.g. `NULL AS`, `GZIP`. */
  keyword: string;
  format: UnloadFormat;
  why: string | undefined;
  fix: string | undefined;
}

/** The options set in `o` that its format does not take, in the matrix's order. */
export function unloadOptionConflicts(o: UnloadOptions): UnloadOptionConflict[] {
  const conflicts: UnloadOptionConflict[] = [];
  for (const [option, row] of Object.entries(UNLOAD_OPTION_MATRIX) as [
    keyof typeof UNLOAD_OPTION_MATRIX,
    MatrixRow,
  ][]) {
    if (row.formats.includes(o.format) || !row.isSet(o)) continue;
    conflicts.push({
      option,
      keyword: row.keyword(o),
      format: o.format,
      why: row.why?.[o.format],
      fix: row.fix,
    });
  }
  return conflicts;
}
