import { PutObjectCommand } from '@aws-sdk/client-s3';
import { JSONB_OID, superText } from '../../results/superText.ts';
import { COMPRESSION_SUFFIX } from '../compression.ts';
import { OutputFile } from '../OutputFile.ts';
import type { UnloadStatement } from '../parser/ast.ts';
import { deleteUnder, listObjects } from '../s3/listObjects.ts';
import { s3ServiceError } from '../s3/s3Errors.ts';
import { parseS3Uri, s3Uri } from '../s3/s3Uri.ts';
import type { CommandContext, CommandResult } from '../types.ts';
import { RedshiftSqlError } from '../types.ts';
import type { ResultColumn } from './columns.ts';
import { describeQuery } from './columns.ts';
import { copyOut, copyOutRows, stopCopyOut } from './copyOut.ts';
import type { Row } from './copyTextRows.ts';
import { CopyTextRowParser } from './copyTextRows.ts';
import { CsvRowRouter } from './csvRowRouter.ts';
import type { TranscodeOptions } from './csvTranscoder.ts';
import { canTranscode, pgCsvCopySql } from './csvTranscoder.ts';
import type { DelimitedOptions } from './formatRow.ts';
import { formatDelimited, formatFixedWidth, formatHeader, formatJson } from './formatRow.ts';
import { binaryReadable, ParquetFileWriter } from './parquetFile.ts';
import { ParquetUnloadJob } from './parquetUnloadJob.ts';
import { partitionPath } from './partitionPath.ts';
import { pgCsvAsIsSql } from './pgCsvAsIs.ts';
import { runUnloadJob } from './unloadJob.ts';
import type { WrittenFile } from './unloadManifest.ts';
import { buildUnloadManifest } from './unloadManifest.ts';
import { unloadOnWorker } from './unloadWorker.ts';

const DEFAULT_MAX_FILE_SIZE = Math.round(6.2 * 1024 * 1024 * 1024);
const DEFAULT_ROW_GROUP = 32 * 1024 * 1024;
const TEXT_FLUSH_BYTES = 256 * 1024;

export const NOT_EMPTY_MESSAGE =
  'Specified unload destination on S3 is not empty. Consider using a different bucket / prefix, manually removing the target files in S3, or using the ALLOWOVERWRITE option.';

/** Where one stream of rows (a slice, within a partition) currently writes. */
interface Stream {
  dir: string;
  slice: number;
  part: number;
  file?: OutputFile | undefined;
  parquet?: ParquetFileWriter | undefined;
  text: string;
  /** Where each line in `text` ends, in UTF-8 bytes. */
  textEnds: number[];
  textBytes: number;
}

function fileSuffix(st: UnloadStatement): string {
  if (st.extension !== undefined) return st.extension === '' ? '' : `.${st.extension.replace(/^\./, '')}`;
  if (st.format === 'parquet') return '.parquet';
  return st.compression ? COMPRESSION_SUFFIX[st.compression] : '';
}

/** Runs an UNLOAD: streams the query's rows into files on S3 named and laid out as Redshift does. */
export async function executeUnload(st: UnloadStatement, ctx: CommandContext): Promise<CommandResult> {
  const started = new Date();
  const cancelBackend = (pid: number) => ctx.autonomous('SELECT pg_cancel_backend($1)', [pid]);
  const { bucket, key: prefix } = parseS3Uri(st.to, 'TO location');
  const files: WrittenFile[] = [];
  const open = new Set<Stream>();
  /** Parquet files the encoder is writing, by `slice/part`, not closed yet (aborted with the open ones on error). */
  const openParquet = new Map<string, OutputFile>();
  let rows = 0;
  try {
    const columns = await describeQuery(ctx.client, st.query).catch((err: unknown) => {
      throw asSqlError(err);
    });
    const partNames = st.partitionBy?.columns ?? [];
    const partIdx = partNames.map((p) => {
      const i = columns.findIndex((c) => c.name.toLowerCase() === p.toLowerCase());
      if (i === -1)
        throw new RedshiftSqlError(
          `Partition column "${p}" is not a column of the UNLOAD query's result.`,
          '42703',
        );
      return i;
    });
    const outIdx = columns.map((_, i) => i).filter((i) => st.partitionBy?.include || !partIdx.includes(i));
    if (st.partitionBy && outIdx.length === 0)
      throw new RedshiftSqlError(
        'UNLOAD with PARTITION BY needs at least one column that is not a partition column.',
        '0A000',
      );
    const outColumns = outIdx.map((i) => columns[i] as ResultColumn);
    if (st.fixedWidth && st.fixedWidth.length !== outColumns.length)
      throw new RedshiftSqlError(
        `FIXEDWIDTH spec has ${st.fixedWidth.length} columns but the query returns ${outColumns.length}: give one label:width per column.`,
        '42601',
      );
    if (st.format === 'json') {
      const dup = outColumns.find((c, i) => outColumns.findIndex((d) => d.name === c.name) !== i);
      if (dup)
        throw new RedshiftSqlError(
          `UNLOAD to JSON needs unique column names; "${dup.name}" repeats.`,
          '42701',
        );
    }

    const base = st.partitionBy && !prefix.endsWith('/') && prefix !== '' ? `${prefix}/` : prefix;
    const manifestKey = `${st.partitionBy ? base : prefix}manifest`;

    // Redshift refuses to overwrite what a previous UNLOAD left unless told to.
    if (st.cleanPath && !st.partitionBy) await deleteUnder(ctx.s3, bucket, prefix, ctx.signal);
    else if (!st.allowOverwrite && !st.cleanPath) {
      const existing = await listObjects(ctx.s3, bucket, prefix, ctx.signal, 1);
      if (existing.length > 0) throw new RedshiftSqlError(NOT_EMPTY_MESSAGE, 'XX000');
    } else await listObjects(ctx.s3, bucket, prefix, ctx.signal, 1); // fails early on a missing bucket
    const cleanedDirs = new Set<string>();

    const delimited: DelimitedOptions = {
      format: st.format === 'csv' ? 'csv' : 'text',
      delimiter: st.delimiter ?? (st.format === 'csv' ? ',' : '|'),
      nullAs: st.nullAs ?? '',
      addQuotes: st.addQuotes,
      escape: st.escape,
    };
    const header = st.header ? `${formatHeader(outColumns, delimited)}\n` : '';
    const suffix = fileSuffix(st);
    const maxFileSize = st.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
    const rowGroup = Math.min(st.rowGroupSize ?? DEFAULT_ROW_GROUP, maxFileSize);
    const compression = st.format === 'parquet' ? undefined : st.compression;

    // SUPER values are written as the Data API returns them (compact JSON).
    const superColumns = outColumns.flatMap((c, i) => (c.typeOid === JSONB_OID ? [i] : []));
    const formatLine = (raw: Row): string => {
      let row = raw;
      if (superColumns.length > 0) {
        row = [...raw];
        for (const i of superColumns) if (row[i] != null) row[i] = superText(row[i] as string);
      }
      if (st.format === 'json') return formatJson(row, outColumns);
      if (st.fixedWidth) return formatFixedWidth(row, outColumns, st.fixedWidth, st.nullAs);
      return formatDelimited(row, outColumns, delimited);
    };

    const fileKey = (s: Stream) =>
      st.parallel
        ? `${s.dir}${String(s.slice).padStart(4, '0')}_part_${String(s.part).padStart(2, '0')}${suffix}`
        : `${s.dir}${String(s.part).padStart(3, '0')}${suffix}`;

    const openFile = async (s: Stream) => {
      if (st.cleanPath && st.partitionBy && !cleanedDirs.has(s.dir)) {
        cleanedDirs.add(s.dir);
        await deleteUnder(ctx.s3, bucket, s.dir, ctx.signal);
      }
      s.file = new OutputFile(ctx.s3, bucket, fileKey(s), compression, ctx.signal);
      open.add(s);
      if (st.format === 'parquet') s.parquet = new ParquetFileWriter(outColumns, s.file, rowGroup);
      else if (header) {
        await s.file.write(Buffer.from(header));
        s.file.records++;
      }
    };
    const finishFile = async (f: OutputFile, parquet: ParquetFileWriter | undefined) => {
      if (parquet) await parquet.close();
      const contentLength = await f.close();
      files.push({ url: s3Uri(bucket, f.key), contentLength, recordCount: f.records });
    };
    const closeFile = async (s: Stream) => {
      const f = s.file;
      if (!f) return;
      await finishFile(f, s.parquet);
      open.delete(s);
      s.file = undefined;
      s.parquet = undefined;
      s.part++;
    };
    /**
     * Writes whole rows (row i ends at `ends[i]` in `bytes`) to the stream's files, starting the
     * next file whenever a row would take the current one past MAXFILESIZE: the cap holds for
     * every file (compressed size when compressing), except a single row larger than the cap.
     */
    const writeRows = async (s: Stream, bytes: Buffer, ends: ArrayLike<number>) => {
      let from = 0;
      let i = 0;
      while (i < ends.length) {
        if (!s.file) await openFile(s);
        const f = s.file as OutputFile;
        const hasRows = f.records > (header ? 1 : 0);
        const want = bytes.length - from;
        const room = await f.room(maxFileSize, want);
        // Compressed and nearly full: start the next file rather than flush for a few more rows.
        if (room < want && hasRows && compression && room < maxFileSize / 64) {
          await closeFile(s);
          continue;
        }
        let j = i;
        while (j < ends.length && (ends[j] as number) - from <= room) j++;
        if (j === i) {
          if (hasRows) {
            await closeFile(s);
            continue;
          }
          j = i + 1; // one row larger than the cap cannot be split
        }
        const to = ends[j - 1] as number;
        await f.write(bytes.subarray(from, to));
        f.records += j - i;
        from = to;
        i = j;
      }
    };
    const flushText = async (s: Stream) => {
      if (s.text === '' && s.file) return;
      if (s.text === '') {
        await openFile(s);
        return;
      }
      const bytes = Buffer.from(s.text);
      const ends = s.textEnds;
      s.text = '';
      s.textEnds = [];
      s.textBytes = 0;
      await writeRows(s, bytes, ends);
    };

    const streams = new Map<string, Stream>();
    const streamFor = (dir: string, slice: number): Stream => {
      const k = `${dir}\u0000${slice}`;
      let s = streams.get(k);
      if (!s) {
        s = { dir, slice, part: 0, text: '', textEnds: [], textBytes: 0 };
        streams.set(k, s);
      }
      return s;
    };
    const flushLimit = Math.min(TEXT_FLUSH_BYTES, Math.max(4096, Math.floor(maxFileSize / 16)));

    const handleRow = async (row: Row) => {
      const dir = st.partitionBy
        ? base +
          partitionPath(
            partNames,
            partIdx.map((i) => row[i] ?? null),
          )
        : prefix;
      const s = streamFor(dir, st.parallel ? rows % ctx.slices : 0);
      rows++;
      const outRow = outIdx.length === row.length ? row : outIdx.map((i) => row[i] ?? null);
      if (st.format === 'parquet') {
        if (!s.file) await openFile(s);
        if (!(s.parquet as ParquetFileWriter).tryAddTextRow(outRow, maxFileSize)) {
          await closeFile(s);
          await openFile(s);
          (s.parquet as ParquetFileWriter).tryAddTextRow(outRow, maxFileSize); // an empty file takes any row
        }
        const parquet = s.parquet as ParquetFileWriter;
        if (parquet.groupFull) await parquet.flushGroup();
        else await parquet.drain();
        return;
      }
      const line = `${formatLine(outRow)}\n`;
      s.text += line;
      s.textBytes += Buffer.byteLength(line);
      s.textEnds.push(s.textBytes);
      if (s.textBytes >= flushLimit) await flushText(s);
    };

    const transcode =
      (st.format === 'csv' || st.format === 'text') &&
      !st.fixedWidth &&
      !st.partitionBy &&
      superColumns.length === 0 &&
      canTranscode(delimited.delimiter, delimited.nullAs);
    // PostgreSQL's own CSV where it is byte for byte Redshift's (pgCsvAsIs.ts).
    const asIsSql =
      transcode && delimited.format === 'csv'
        ? pgCsvAsIsSql(st.query, outColumns, delimited.delimiter, delimited.nullAs)
        : undefined;
    if (st.format === 'parquet' && !st.partitionBy) {
      // PostgreSQL's binary COPY is the Parquet physical values already (big-endian): no text.
      const readable = outColumns.map(binaryReadable);
      const quoted = outColumns.map((_, i) => `c${i + 1}`);
      const sql = readable.every(Boolean)
        ? `COPY (${st.query}\n) TO STDOUT WITH (FORMAT binary)`
        : `COPY (SELECT ${quoted.map((q, i) => (readable[i] ? q : `${q}::text`)).join(', ')} FROM (${st.query}\n) AS rt_unload_query(${quoted.join(', ')})) TO STDOUT WITH (FORMAT binary)`;
      // Files are uploaded as their bytes come, while the next rows are encoded.
      const fileFor = (slice: number, part: number): OutputFile => {
        const k = `${slice}/${part}`;
        let f = openParquet.get(k);
        if (!f) {
          const key = fileKey({ dir: prefix, slice, part, text: '', textEnds: [], textBytes: 0 });
          f = new OutputFile(ctx.s3, bucket, key, undefined, ctx.signal);
          openParquet.set(k, f);
        }
        return f;
      };
      const plan = {
        columns: outColumns,
        slices: st.parallel ? ctx.slices : 1,
        rowGroupBytes: rowGroup,
        maxFileSize,
      };
      const stream = await copyOut(ctx.client, sql);
      try {
        const job = new ParquetUnloadJob({ kind: 'parquet', ...plan }, async (out) => {
          if (out.type === 'write') await fileFor(out.slice, out.part).write(Buffer.from(out.bytes));
          else if (out.type === 'close') {
            const f = fileFor(out.slice, out.part);
            f.records = out.records;
            await finishFile(f, undefined);
            openParquet.delete(`${out.slice}/${out.part}`);
          }
        });
        rows = await runUnloadJob(job, stream.iterator({ destroyOnReturn: false }), ctx.signal);
      } catch (err) {
        await stopCopyOut(ctx.client, stream, cancelBackend);
        // A cancel also aborts the uploads in flight: report the cancel, not their failure.
        throw ctx.signal.aborted
          ? new RedshiftSqlError("Query cancelled on user's request", '57014')
          : asSqlError(err);
      }
    } else if (asIsSql !== undefined) {
      // PostgreSQL writes the final bytes: rows are dealt to the slices from the protocol's
      // messages (one per row) as they arrive, never parsed; compression and uploads overlap.
      const router = new CsvRowRouter(st.parallel ? ctx.slices : 1);
      const cancelled = () => new RedshiftSqlError("Query cancelled on user's request", '57014');
      const flush = async (min: number) => {
        for (const [i, sb] of router.slices.entries()) {
          if (sb.committed === 0 || sb.committed < min) continue;
          const { bytes, ends } = sb.takeCommitted();
          await writeRows(streamFor(prefix, i), bytes, ends);
        }
      };
      try {
        await copyOutRows(ctx.client, asIsSql, {
          sink: router,
          drain: () => flush(flushLimit),
          cancel: cancelBackend,
          signal: ctx.signal,
          aborted: cancelled,
        });
      } catch (err) {
        // A cancel also aborts the uploads in flight: report the cancel, not their failure.
        throw ctx.signal.aborted ? cancelled() : asSqlError(err);
      }
      await flush(1);
      rows = router.rows;
    } else if (transcode) {
      // PostgreSQL formats the values (its output is Redshift's); Node only reframes bytes.
      const options: TranscodeOptions = {
        format: delimited.format,
        delimiter: delimited.delimiter,
        nullAs: delimited.nullAs,
        addQuotes: delimited.addQuotes,
        escape: delimited.escape,
        isCharacter: outColumns.map((c) => c.isCharacter),
        slices: st.parallel ? ctx.slices : 1,
      };
      // The transcoder runs on a worker thread; compression and uploads stay here.
      const stream = await copyOut(ctx.client, pgCsvCopySql(st.query, delimited.delimiter));
      try {
        rows = await unloadOnWorker(
          { kind: 'csv', options, flushBytes: flushLimit },
          stream.iterator({ destroyOnReturn: false }),
          async (out) => {
            if (out.type === 'rows')
              await writeRows(streamFor(prefix, out.slice), Buffer.from(out.bytes), out.ends);
          },
          ctx.signal,
        );
      } catch (err) {
        await stopCopyOut(ctx.client, stream, cancelBackend);
        throw asSqlError(err);
      }
    } else {
      // Stream the result: PostgreSQL's COPY TO STDOUT keeps the query's order and never holds the
      // whole result in memory; rows are parsed as the chunks arrive.
      const stream = await copyOut(ctx.client, `COPY (${st.query}\n) TO STDOUT`);
      const parser = new CopyTextRowParser();
      try {
        for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
          if (ctx.signal.aborted) throw new RedshiftSqlError("Query cancelled on user's request", '57014');
          for (const row of parser.push(chunk as Buffer)) await handleRow(row);
        }
        for (const row of parser.end()) await handleRow(row);
      } catch (err) {
        await stopCopyOut(ctx.client, stream, cancelBackend);
        throw asSqlError(err);
      }
    }

    for (const s of streams.values()) {
      if (st.format === 'parquet') await closeFile(s);
      else {
        if (s.text !== '') await flushText(s);
        await closeFile(s);
      }
    }
    // Zero rows: delimited formats still write (empty) objects, JSON and Parquet write none.
    if (rows === 0 && !st.partitionBy && (st.format === 'text' || st.format === 'csv')) {
      for (let slice = 0; slice < (st.parallel ? ctx.slices : 1); slice++) {
        const s = streamFor(prefix, slice);
        await openFile(s);
        await closeFile(s);
      }
    }
    files.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
    if (st.manifest) {
      try {
        await ctx.s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: manifestKey,
            Body: buildUnloadManifest(files, outColumns, st.manifest.verbose),
            ContentType: 'application/json',
          }),
          { abortSignal: ctx.signal },
        );
      } catch (err) {
        throw s3ServiceError(err);
      }
    }
    await recordUnload(ctx, st, started, 'completed', rows, files, undefined);
    await setSessionCount(ctx, 'redshift.last_unload_count', rows);
    return { rows };
  } catch (err) {
    await Promise.allSettled([...open].map((s) => s.file?.abort()));
    await Promise.allSettled([...openParquet.values()].map((f) => f.abort()));
    const e = asSqlError(err);
    await recordUnload(ctx, st, started, 'aborted', rows, files, e.message).catch(() => undefined);
    await setSessionCount(ctx, 'redshift.last_unload_count', 0).catch(() => undefined);
    throw e;
  }
}

function asSqlError(err: unknown): RedshiftSqlError {
  if (err instanceof RedshiftSqlError) return err;
  const e = err as { message?: string; code?: string; $metadata?: unknown };
  if (e && e.$metadata !== undefined) return s3ServiceError(err);
  return new RedshiftSqlError(e?.message ?? String(err), typeof e?.code === 'string' ? e.code : 'XX000');
}

/** Sets a session setting read by the server's pg_last_*() functions; outside any failed transaction state. */
export async function setSessionCount(ctx: CommandContext, name: string, value: number): Promise<void> {
  await ctx.client.query('SELECT set_config($1, $2, false)', [name, String(value)]);
}

async function recordUnload(
  ctx: CommandContext,
  st: UnloadStatement,
  started: Date,
  status: string,
  rows: number,
  files: WrittenFile[],
  error: string | undefined,
): Promise<void> {
  const ended = new Date();
  await ctx.autonomous(
    `INSERT INTO public.sys_unload_history (user_id, query_id, transaction_id, session_id, database_name, status,
       start_time, end_time, duration, file_format, compression_type, unloaded_location, unloaded_rows,
       unloaded_files_count, unloaded_files_size, error_message)
     VALUES (100, $1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      ctx.queryId,
      ctx.sessionId,
      ctx.database,
      status,
      started.toISOString(),
      ended.toISOString(),
      (ended.getTime() - started.getTime()) * 1000,
      { text: 'Text', csv: 'CSV', parquet: 'Parquet', json: 'JSON' }[st.format],
      st.compression?.toUpperCase() ?? 'None',
      st.to,
      rows,
      files.length,
      files.reduce((s, f) => s + f.contentLength, 0),
      error ?? null,
    ],
  );
  for (let i = 0; i < files.length; i += 200) {
    const chunk = files.slice(i, i + 200);
    const params: unknown[] = [ctx.queryId, ctx.sessionId, started.toISOString(), ended.toISOString()];
    const values = chunk.map((f) => {
      params.push(f.url, f.recordCount, f.contentLength);
      const n = params.length;
      return `(100, $1::int, $2, $1::bigint, $${n - 2}, $3, $4, $${n - 1}, $${n}, '${st.format === 'parquet' ? 'Parquet' : st.format === 'json' ? 'JSON' : 'Text'}')`;
    });
    await ctx.autonomous(
      `INSERT INTO public.sys_unload_detail (user_id, query_id, session_id, transaction_id, file_name, start_time,
         end_time, line_count, transfer_size, file_format) VALUES ${values.join(', ')}`,
      params,
    );
  }
}
