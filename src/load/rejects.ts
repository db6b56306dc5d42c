import { BadRecordError } from '../errors.ts';
import type { PartSummary } from './loadRun.ts';
import { LongestValues } from './widenVarchar.ts';

const MAX_SAMPLES = 20;

/** Counts rejected records; throws when the job tolerates no more of them. */
export class Rejects {
  count = 0;
  samples: PartSummary['rejectedSamples'] = [];
  /** And the longest accepted values of the VARCHAR columns widenVarchar may widen. */
  readonly longest = new LongestValues();

  constructor(
    private readonly maxErrors: number,
    private readonly label: string,
  ) {}

  add(line: number, column: string | undefined, reason: string): void {
    this.count++;
    const where = `${this.label} line ${line}${column === undefined ? '' : `, column "${column}"`}`;
    if (this.maxErrors === 0) {
      throw new BadRecordError(
        `Bad record in ${where}: ${reason}. Nothing was loaded. Fix the file and load it again (or set maxErrors to skip bad rows).`,
        { context: { file: this.label, line, column, reason } },
      );
    }
    if (this.count > this.maxErrors) {
      throw new BadRecordError(
        `More than maxErrors (${this.maxErrors}) bad records in ${this.label}; the last in ${where}: ${reason}. Nothing was loaded.`,
        { context: { file: this.label, line, column, reason, rejected: this.count } },
      );
    }
    if (this.samples.length < MAX_SAMPLES) {
      this.samples.push({ line, ...(column === undefined ? {} : { column }), reason });
    }
  }
}
