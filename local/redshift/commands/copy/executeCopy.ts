import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { from as copyFrom } from 'pg-copy-streams';
import { parseJsonPaths } from '../../../../src/load/jsonPaths.ts';
import { pgIdent } from '../../sql/pgQuote.ts';
import { createDecompressor } from '../compression.ts';
import type { CopyStatement } from '../parser/ast.ts';
import { s3ServiceError } from '../s3/s3Errors.ts';
import type { CommandContext, CommandResult } from '../types.ts';
import { RedshiftSqlError } from '../types.ts';
import { setSessionCount } from '../unload/executeUnload.ts';
import { ValueConverter } from './convertValue.ts';
import { CsvLoadEncoder, canEncodeCsv, pgCopyField } from './csvLoadEncoder.ts';
import type { LoadErrorRow } from './loadErrors.ts';
import { recordLoadErrors } from './loadErrors.ts';
import { ParquetCopyWorker } from './parquetCopyWorker.ts';
import type { RenderedParquet } from './parquetDuckdbCopy.ts';
import { renderParquetWithDuckdb } from './parquetDuckdbCopy.ts';
import type { RecordReader, SourceRecord } from './recordReaders.ts';
import {
  csvReader,
  delimitedReader,
  evalJsonPath,
  fixedWidthReader,
  jsonFieldText,
  jsonReader,
} from './recordReaders.ts';
import { rejectRecord } from './rejectRecord.ts';
import type { SourceObject } from './sourceObjects.ts';
import { readSmallObject, resolveSourceObjects } from './sourceObjects.ts';
import type { TargetTable } from './targetColumns.ts';
import { readTargetTable } from './targetColumns.ts';

const OUT_FLUSH_BYTES = 512 * 1024;

async function makeReader(
  st: CopyStatement,
  table: TargetTable,
  ctx: CommandContext,
): Promise<() => RecordReader> {
  switch (st.format) {
    case 'csv':
      return () =>
        csvReader({
          delimiter: st.delimiter ?? ',',
          quote: st.quote,
          ignoreHeader: st.ignoreHeader,
          ignoreBlankLines: st.ignoreBlankLines,
        });
    case 'fixedwidth': {
      const spec = st.fixedWidth ?? [];
      if (spec.length !== table.loadColumns.length)
        throw new RedshiftSqlError(
          `FIXEDWIDTH spec has ${spec.length} columns but the COPY loads ${table.loadColumns.length}.`,
          '42601',
        );
      return () => fixedWidthReader(spec, st.ignoreHeader, st.ignoreBlankLines);
    }
    case 'json': {
      const mode = (st.json ?? 'auto').trim();
      if (mode.toLowerCase() === 'noshred')
        throw new RedshiftSqlError(
          "JSON 'noshred' (loading into SUPER) is not supported by the local emulator.",
          '0A000',
        );
      if (mode.toLowerCase() === 'auto' || mode.toLowerCase() === 'auto ignorecase') {
        const ignoreCase = mode.toLowerCase() === 'auto ignorecase';
        const names = table.loadColumns.map((c) => c.name);
        return () =>
          jsonReader((doc) => {
            if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
              throw new Error("JSON 'auto' needs an object per record");
            const obj = doc as Record<string, unknown>;
            if (!ignoreCase) return names.map((n) => jsonFieldText(obj[n]));
            const lower = new Map(Object.entries(obj).map(([k, v]) => [k.toLowerCase(), v]));
            return names.map((n) => jsonFieldText(lower.get(n)));
          });
      }
      if (!mode.startsWith('s3://'))
        throw new RedshiftSqlError(
          `Invalid JSON option '${mode}': use 'auto', 'auto ignorecase' or 's3://jsonpaths_file'.`,
          '22023',
        );
      const text = await readSmallObject(ctx.s3, mode, 'JSONPaths file', ctx.signal);
      const parsed = parseJsonPaths(text);
      if ('error' in parsed)
        throw new RedshiftSqlError(`Invalid JSONPath format: ${mode} ${parsed.error}`, 'XX000');
      const paths = parsed.paths;
      if (paths.length !== table.loadColumns.length)
        throw new RedshiftSqlError(
          `Number of jsonpaths and the number of columns should match. JSONPath size: ${paths.length}, Number of columns in table or column list: ${table.loadColumns.length}`,
          'XX000',
        );
      return () => jsonReader((doc) => paths.map((p) => jsonFieldText(evalJsonPath(doc, p))));
    }
    case 'text':
      return () =>
        delimitedReader({
          delimiter: st.delimiter ?? '|',
          escape: st.escape,
          removeQuotes: st.removeQuotes,
          ignoreHeader: st.ignoreHeader,
          ignoreBlankLines: st.ignoreBlankLines,
          nullAs: st.nullAs ?? '\\N',
        });
    default:
      throw new RedshiftSqlError(
        `${st.format.toUpperCase()} is not supported by the local emulator's COPY.`,
        '0A000',
      );
  }
}

async function* objectBytes(
  ctx: CommandContext,
  obj: SourceObject,
  st: CopyStatement,
): AsyncGenerator<Buffer> {
  let body: Readable;
  try {
    const res = await ctx.s3.send(new GetObjectCommand({ Bucket: obj.bucket, Key: obj.key }), {
      abortSignal: ctx.signal,
    });
    body = res.Body as Readable;
  } catch (err) {
    throw s3ServiceError(err, `Problem reading file ${obj.url}`);
  }
  const kind = st.compression;
  const source: AsyncIterable<Buffer> = kind ? body.pipe(createDecompressor(kind)) : body;
  try {
    for await (const chunk of source) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof RedshiftSqlError) throw err;
    throw new RedshiftSqlError(
      `${kind ? `${kind.toUpperCase()} decompression of` : 'Reading'} ${obj.url} failed: ${(err as Error).message}. Check the compression option matches the file.`,
      'XX000',
    );
  }
}

async function objectSize(ctx: CommandContext, obj: SourceObject): Promise<number> {
  try {
    const res = await ctx.s3.send(new HeadObjectCommand({ Bucket: obj.bucket, Key: obj.key }), {
      abortSignal: ctx.signal,
    });
    return res.ContentLength ?? 0;
  } catch (err) {
    throw s3ServiceError(err, `Problem reading file ${obj.url}`);
  }
}

/** Bytes [start, end) of an object: one ranged GET. */
async function rangeBytes(
  ctx: CommandContext,
  obj: SourceObject,
  start: number,
  end: number,
): Promise<ArrayBuffer> {
  try {
    const res = await ctx.s3.send(
      new GetObjectCommand({ Bucket: obj.bucket, Key: obj.key, Range: `bytes=${start}-${end - 1}` }),
      { abortSignal: ctx.signal },
    );
    const bytes = await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  } catch (err) {
    throw s3ServiceError(err, `Problem reading file ${obj.url}`);
  }
}

/** Runs a COPY: reads the source objects, validates/converts every field in Node, feeds PostgreSQL COPY FROM STDIN. */
export async function executeCopy(st: CopyStatement, ctx: CommandContext): Promise<CommandResult> {
  const started = new Date();
  const table = await readTargetTable(ctx.client, st);
  await setSessionCount(ctx, 'redshift.last_copy_id', ctx.queryId);
  const errors: LoadErrorRow[] = [];
  let loaded = 0;
  try {
    const columnar = st.format === 'parquet' || st.format === 'orc';
    const sources = await resolveSourceObjects(ctx.s3, st.from, st.manifest, columnar, ctx.signal);
    const newReader = columnar ? undefined : await makeReader(st, table, ctx);
    const converter = new ValueConverter(st);
    const cols = table.loadColumns;
    const colList = cols.map((c) => pgIdent(c.name)).join(', ');

    const copy = st.noLoad
      ? undefined
      : ctx.client.query(copyFrom(`COPY ${table.sqlName} (${colList}) FROM STDIN`));
    let copyError: unknown;
    copy?.on('error', (err) => {
      copyError ??= err;
    });
    let out = '';
    const flush = async (bytes?: Buffer) => {
      if (!copy || (out === '' && bytes === undefined)) return;
      const ok = copy.write(bytes ?? out);
      if (bytes === undefined) out = '';
      if (!ok)
        await new Promise<void>((resolve, reject) => {
          // Remove both listeners whichever fires: one pair per drain, never accumulating.
          const onDrain = () => {
            copy.off('error', onError);
            resolve();
          };
          const onError = (e: unknown) => {
            copy.off('drain', onDrain);
            reject(e);
          };
          copy.once('drain', onDrain);
          copy.once('error', onError);
        });
      if (copyError) throw copyError;
    };

    const fail = (): never => {
      throw new RedshiftSqlError(
        `Load into table '${table.displayName}' failed. Check 'stl_load_errors' system table for details.`,
        'XX000',
      );
    };

    const handleRecords = async (records: SourceRecord[], url: string) => {
      for (const rec of records) {
        const rejected = rejectRecord(rec, url, cols, st, converter, columnar);
        if ('error' in rejected) {
          errors.push(rejected.error);
          if (errors.length > st.maxError || columnar) fail();
          continue;
        }
        out += `${rejected.fields.map(pgCopyField).join('\t')}\n`;
        loaded++;
      }
      if (out.length >= OUT_FLUSH_BYTES) await flush();
    };

    const fastCsv = st.format === 'csv' && canEncodeCsv({ delimiter: st.delimiter ?? ',', quote: st.quote });
    const loadCsvObject = async (obj: SourceObject) => {
      const enc = new CsvLoadEncoder(
        {
          delimiter: st.delimiter ?? ',',
          quote: st.quote,
          ignoreHeader: st.ignoreHeader,
          ignoreBlankLines: st.ignoreBlankLines,
        },
        cols,
        st,
        (rec) => {
          const r = rejectRecord(rec, obj.url, cols, st, converter, false);
          if ('fields' in r) return r.fields;
          errors.push(r.error);
          if (errors.length > st.maxError) fail();
          return undefined;
        },
      );
      for await (const chunk of objectBytes(ctx, obj, st)) {
        if (ctx.signal.aborted) throw new RedshiftSqlError("Query cancelled on user's request", '57014');
        enc.push(chunk);
        if (enc.outLen >= OUT_FLUSH_BYTES) await flush(enc.take());
      }
      enc.end();
      if (enc.outLen > 0) await flush(enc.take());
      loaded += enc.accepted;
    };

    // Parquet: ranged reads row group by row group, decoded and encoded on a worker thread
    // (parquetCopyWorker.ts); rows it cannot write as they are come back through rejectRecord.
    let parquetWorker: ParquetCopyWorker | undefined;
    const rendering = new Map<SourceObject, Promise<RenderedParquet | undefined>>();
    const render = (obj: SourceObject) => {
      const p = (async () => {
        const size = obj.size ?? (await objectSize(ctx, obj));
        return renderParquetWithDuckdb(size, (a, b) => rangeBytes(ctx, obj, a, b), cols, st, ctx.signal);
      })();
      p.catch(() => undefined); // awaited by its object's turn, or disposed after a failure
      rendering.set(obj, p);
      return p;
    };
    const renderAhead = (obj: SourceObject) => {
      const mine = rendering.get(obj) ?? render(obj);
      rendering.delete(obj);
      const next = sources[sources.indexOf(obj) + 1];
      if (next && !rendering.has(next)) render(next);
      return mine;
    };
    const loadParquetObject = async (obj: SourceObject) => {
      // DuckDB renders the file first (the next one while this one goes to PostgreSQL: the two
      // overlap on two cores); undefined: nothing written, hyparquet loads it or fails exactly.
      const fast = st.format === 'parquet' ? await renderAhead(obj) : undefined;
      if (fast !== undefined) {
        await fast.writeTo(flush, ctx.signal);
        loaded += fast.rows;
        return;
      }
      const size = obj.size ?? (await objectSize(ctx, obj));
      parquetWorker ??= ParquetCopyWorker.acquire();
      await parquetWorker.loadObject(
        cols,
        st,
        obj.url,
        size,
        (start, end) => rangeBytes(ctx, obj, start, end),
        {
          text: async (bytes, rows) => {
            if (ctx.signal.aborted) throw new RedshiftSqlError("Query cancelled on user's request", '57014');
            loaded += rows;
            await flush(); // slow rows converted before these, in row order
            await flush(bytes);
          },
          slow: async (rows) => {
            await handleRecords(
              rows.map((r) => ({ line: r.line, raw: '', fields: r.fields })),
              obj.url,
            );
          },
        },
        ctx.signal,
      );
      await flush();
    };

    let clean = false;
    try {
      for (const obj of sources) {
        if (ctx.signal.aborted) throw new RedshiftSqlError("Query cancelled on user's request", '57014');
        if (fastCsv) {
          await loadCsvObject(obj);
          continue;
        }
        if (columnar) {
          try {
            await loadParquetObject(obj);
          } catch (err) {
            if (err instanceof RedshiftSqlError) throw err;
            throw new RedshiftSqlError((err as Error).message, 'XX000');
          }
          continue;
        }
        const reader = (newReader as () => RecordReader)();
        const decoder = new StringDecoder('utf8');
        for await (const chunk of objectBytes(ctx, obj, st)) {
          if (ctx.signal.aborted) throw new RedshiftSqlError("Query cancelled on user's request", '57014');
          await handleRecords(reader.push(decoder.write(chunk)), obj.url);
        }
        await handleRecords(reader.push(decoder.end()), obj.url);
        await handleRecords(reader.end(), obj.url);
      }
      await flush();
      if (copy) {
        copy.end();
        await Promise.race([once(copy, 'finish'), once(copy, 'error').then(([e]) => Promise.reject(e))]);
        if (copyError) throw copyError;
      }
      clean = true;
    } catch (err) {
      if (copy && !copy.destroyed && copyError === undefined) {
        // Abandon the COPY: PostgreSQL receives CopyFail and rolls the statement back.
        const closed = once(copy, 'close').catch(() => undefined);
        copy.destroy(err instanceof Error ? err : new Error(String(err)));
        await closed;
      }
      throw err;
    } finally {
      if (parquetWorker) await ParquetCopyWorker.release(parquetWorker, clean);
      for (const p of rendering.values()) await (await p.catch(() => undefined))?.dispose();
    }
    if (errors.length > 0) await recordLoadErrors(ctx, table.oid, started, errors);
    await setSessionCount(ctx, 'redshift.last_copy_count', st.noLoad ? 0 : loaded);
    return { rows: st.noLoad ? 0 : loaded };
  } catch (err) {
    if (errors.length > 0) await recordLoadErrors(ctx, table.oid, started, errors).catch(() => undefined);
    await setSessionCount(ctx, 'redshift.last_copy_count', 0).catch(() => undefined);
    if (err instanceof RedshiftSqlError) throw err;
    const e = err as { message?: string; code?: string };
    throw new RedshiftSqlError(e?.message ?? String(err), typeof e?.code === 'string' ? e.code : 'XX000');
  }
}
