import { RedshiftSqlError } from '../types.ts';
import type { Authorization, Compression } from './ast.ts';
import type { Cursor } from './cursor.ts';
import { type AuthParts, finishAuthorization, readAuthorizationClause } from './parseAuthorization.ts';
import { syntaxError } from './tokenize.ts';

export function conflict(a: string, b: string): RedshiftSqlError {
  return new RedshiftSqlError(`${a} is not compatible with ${b}.`, '42601');
}

/** The options COPY and UNLOAD both take with the same syntax and checks. */
export interface SharedOptions {
  delimiter?: string | undefined;
  nullAs?: string | undefined;
  region?: string | undefined;
  compression?: Compression | undefined;
  escape: boolean;
}

type BooleanKey<S> = { [K in keyof S]-?: S[K] extends boolean ? K : never }[keyof S];

/** What a statement's own option readers use while the list is read. */
export interface OptionReader {
  cur: Cursor;
  /** Marks an option as given; a second time is Redshift's "conflicting or redundant options". */
  seen(name: string): void;
  /** `[AS] 'text'`: the quoted value after an option word. */
  string(what: string): string;
}

export function optionReader(cur: Cursor): OptionReader {
  const given = new Set<string>();
  return {
    cur,
    seen: (name) => {
      if (given.has(name)) throw new RedshiftSqlError(`conflicting or redundant options: ${name}`, '42601');
      given.add(name);
    },
    string: (what) => {
      cur.acceptWord('AS');
      return cur.expectString(what);
    },
  };
}

/**
 * `st.format = f` once: the same format twice is redundant, two different ones conflict
 * (`FORMAT AS CSV` and `CSV` are the same option).
 */
export function formatSetter<F extends string>(st: { format: F }): (f: F) => void {
  let given = false;
  return (f) => {
    if (given) {
      if (st.format === f)
        throw new RedshiftSqlError(`conflicting or redundant options: ${f.toUpperCase()}`, '42601');
      throw conflict(st.format.toUpperCase(), f.toUpperCase());
    }
    given = true;
    st.format = f;
  };
}

export interface OptionListSpec<S extends SharedOptions> {
  statement: 'COPY' | 'UNLOAD';
  st: S;
  /** The compression words this statement accepts (at most one of them). */
  compressions: readonly Compression[];
  /** Options that are a bare word setting one boolean field, e.g. `HEADER: 'header'`. */
  flags: Readonly<Record<string, BooleanKey<S>>>;
  /** Reads the statement's other options; false for a word it does not know. */
  readOption(word: string, reader: OptionReader): boolean;
}

/**
 * Reads the option list shared by COPY and UNLOAD up to an optional `;` and the end:
 * authorization clauses and options in any order, each at most once, with the options both
 * statements take read here. Returns the statement's authorization.
 */
export function readOptionList<S extends SharedOptions>(
  reader: OptionReader,
  spec: OptionListSpec<S>,
): Authorization {
  const { cur, seen } = reader;
  const { st } = spec;
  const auth: AuthParts = {};
  while (!cur.atEnd() && !(cur.peek().kind === 'punct' && cur.peek().value === ';')) {
    if (readAuthorizationClause(cur, auth, seen)) continue;
    const w = cur.peekWord();
    if (w === '')
      throw cur.error(`expected ${spec.statement === 'COPY' ? 'a' : 'an'} ${spec.statement} option`);
    const optionOffset = cur.next().offset;
    const flag = Object.hasOwn(spec.flags, w) ? spec.flags[w] : undefined;
    if (flag !== undefined) {
      seen(w);
      (st as Record<BooleanKey<S>, boolean>)[flag] = true;
    } else if (spec.compressions.includes(w.toLowerCase() as Compression)) {
      if (st.compression !== undefined) throw conflict(st.compression.toUpperCase(), w);
      st.compression = w.toLowerCase() as Compression;
    } else if (!readSharedOption(w, reader, st) && !spec.readOption(w, reader)) {
      throw syntaxError(cur.sql, optionOffset, `unknown ${spec.statement} option ${w}`);
    }
  }
  cur.expectEnd();
  return finishAuthorization(auth);
}

function readSharedOption(w: string, reader: OptionReader, st: SharedOptions): boolean {
  switch (w) {
    case 'DELIMITER': {
      reader.seen(w);
      const d = reader.string('DELIMITER');
      if (d.length !== 1 || d.charCodeAt(0) > 127)
        throw new RedshiftSqlError(`DELIMITER must be a single ASCII character, got '${d}'.`, '22023');
      st.delimiter = d;
      return true;
    }
    case 'NULL':
      reader.seen(w);
      st.nullAs = reader.string('NULL AS');
      return true;
    case 'REGION':
      reader.seen(w);
      st.region = reader.string('REGION');
      return true;
    case 'ESCAPE':
      reader.seen(w);
      st.escape = true;
      return true;
    default:
      return false;
  }
}
