import { describe, expect, it } from 'vitest';
import { BadRecordError, SchemaMismatchError } from '../../../src/errors.ts';
import type { LoadJob } from '../../../src/job/loadJob.ts';
import type { ChunkOutput } from '../../../src/load/chunkDealer.ts';
import { sourceLineOf } from '../../../src/load/lineMap.ts';
import { prepareStream } from '../../../src/load/prepareStream.ts';
import { salesContext, salesJob } from '../../helpers/salesLoad.ts';
import { targetColumn as column } from '../../helpers/targetColumn.ts';

const tableColumns = [
  column('id', 'integer', { nullable: false }),
  column('name', 'character varying', { maxLength: 10 }),
  column('amount', 'numeric', { precision: 8, scale: 2 }),
];

const LABEL = 's3://landing/in/sales.csv';

const job = salesJob;

const context = salesContext(tableColumns);

/** A chunk kept in memory, so the record pass runs without S3. */
class MemoryChunk implements ChunkOutput {
  records = 0;
  private readonly parts: Buffer[] = [];
  append(bytes: Buffer, start: number, end: number): void {
    this.parts.push(Buffer.from(bytes.subarray(start, end)));
  }
  appendByte(byte: number): void {
    this.parts.push(Buffer.from([byte]));
  }
  appendText(text: string): void {
    this.parts.push(Buffer.from(text, 'utf8'));
  }
  async ready(): Promise<void> {}
  text(): string {
    return Buffer.concat(this.parts).toString('utf8');
  }
}

/** The bytes cut into pieces of `size`, as a decompressing stream hands them over. */
async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

function run(
  source: string | Buffer,
  options: { job?: LoadJob; chunks?: number; piece?: number; dealBytes?: number; jsonPaths?: string[] } = {},
) {
  const outputs = Array.from({ length: options.chunks ?? 2 }, () => new MemoryChunk());
  const bytes = typeof source === 'string' ? Buffer.from(source, 'utf8') : source;
  const prepared = prepareStream({
    source: pieces(bytes, options.piece ?? 3),
    job: options.job ?? job(),
    context,
    label: LABEL,
    outputs,
    dealBytes: options.dealBytes ?? 1,
    jsonPaths: options.jsonPaths,
  });
  return { outputs, prepared };
}

describe('prepareStream (the record pass of preparePart, on in-memory bytes)', () => {
  it('reorders fields to the run order and deals records one by one, with lines mapped back to the source', async () => {
    // Header in another order, a multi-byte character cut across pieces, CRLF endings.
    const { outputs, prepared } = run('name,amount,id\r\nAnn,1.50,1\r\nJosé,2.00,2\r\nBo,3.25,3\r\n', {
      piece: 1,
    });
    const result = await prepared;
    expect(result).toMatchObject({ records: 3, rejected: 0, rejectedSamples: [] });
    expect(outputs.map((o) => o.records)).toEqual([2, 1]);
    expect(outputs[0]?.text()).toBe('1,Ann,1.50\n3,Bo,3.25\n');
    expect(outputs[1]?.text()).toBe('2,José,2.00\n');
    // Chunk 0 holds source lines 2 and 4, chunk 1 source line 3.
    const [first, second] = result.lineMap.chunks as [number[], number[]];
    expect([sourceLineOf(first, 1), sourceLineOf(first, 2), sourceLineOf(second, 1)]).toEqual([2, 4, 3]);
  });

  it('keeps a run of records in one chunk until dealBytes were written to it', async () => {
    const rows = Array.from({ length: 6 }, (_, i) => `${i + 1},n${i + 1},${i + 1}.00`);
    const { outputs, prepared } = run(`id,name,amount\n${rows.join('\n')}\n`, { dealBytes: 20, piece: 7 });
    expect((await prepared).records).toBe(6);
    // Each row is 11 bytes with its LF: two rows reach 20 bytes, then the next chunk takes over.
    expect(outputs[0]?.text()).toBe(`${rows[0]}\n${rows[1]}\n${rows[4]}\n${rows[5]}\n`);
    expect(outputs[1]?.text()).toBe(`${rows[2]}\n${rows[3]}\n`);
  });

  it('names the file, line and column of a bad value, and stops with nothing dealt past it', async () => {
    const { prepared } = run('id,name,amount\n1,Ann,1.50\n2,Bob,lots\n');
    const error = await prepared.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRecordError);
    expect((error as Error).message).toMatch(
      /^Bad record in s3:\/\/landing\/in\/sales\.csv line 3, column "amount": /,
    );
  });

  it('with maxErrors, skips bad records and reports line, column and reason', async () => {
    const { outputs, prepared } = run('id,name,amount\n1,Ann,1.50\n2,far too long a name,2\n3,Bo\n4,Cy,4\n', {
      job: job({ maxErrors: 5 }),
      chunks: 1,
    });
    const result = await prepared;
    expect(result.records).toBe(2);
    expect(result.rejected).toBe(2);
    expect(result.rejectedSamples.map((s) => [s.line, s.column])).toEqual([
      [3, 'name'],
      [4, undefined],
    ]);
    expect(result.rejectedSamples[1]?.reason).toBe('2 field(s), expected 3 (id, name, amount)');
    expect(outputs[0]?.text()).toBe('1,Ann,1.50\n4,Cy,4\n');
    expect(sourceLineOf(result.lineMap.chunks[0] as number[], 2)).toBe(5);
  });

  it('turns a quote never closed into a BadRecordError naming the line it opens on', async () => {
    const { prepared } = run('id,name,amount\n1,"Ann,1.50\n2,Bo,2\n');
    await expect(prepared).rejects.toThrow(
      /^Bad record in s3:\/\/landing\/in\/sales\.csv line 2: a quoted field is never closed/,
    );
  });

  it('rejects invalid UTF-8 with its line and column, or replaces it with acceptInvChars', async () => {
    const bytes = Buffer.concat([
      Buffer.from('id,name,amount\n1,A'),
      Buffer.from([0xff]),
      Buffer.from('n,1\n'),
    ]);
    await expect(run(bytes).prepared).rejects.toThrow(/line 2, column 4: invalid UTF-8 \(byte 0xff\)/);
    const lenient = run(bytes, { job: job({ copyOptions: { acceptInvChars: true } }), chunks: 1 });
    expect((await lenient.prepared).records).toBe(1);
    expect(lenient.outputs[0]?.text()).toBe('1,A\uFFFDn,1\n');
  });

  it('checks JSON lines by the JSONPaths given, and copies each record as it is', async () => {
    const jsonJob = job({ format: { type: 'json', jsonPaths: 's3://landing/paths.json' } });
    const lines = ['{"k":{"id":1},"who":"Ann","amt":1.5}', '{"k":{"id":2},"who":"Bo","amt":2}'];
    const { outputs, prepared } = run(`${lines.join('\n')}\n`, {
      job: jsonJob,
      chunks: 1,
      jsonPaths: ["$['k']['id']", "$['who']", "$['amt']"],
    });
    expect((await prepared).records).toBe(2);
    expect(outputs[0]?.text()).toBe(`${lines.join('\n')}\n`);

    const missing = run('{"k":{},"who":"Ann","amt":1}\n', {
      job: jsonJob,
      jsonPaths: ["$['k']['id']", "$['who']", "$['amt']"],
    });
    await expect(missing.prepared).rejects.toThrow(/line 1, column "id": missing NOT NULL column "id"/);

    const wrongCount = run('{}\n', { job: jsonJob, jsonPaths: ["$['who']"] });
    await expect(wrongCount.prepared).rejects.toBeInstanceOf(SchemaMismatchError);
  });
});
