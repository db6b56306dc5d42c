import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/** All the bytes of a `COPY ... TO STDOUT` on `client`, as PostgreSQL wrote them. */
export async function copyToBytes(client: pg.ClientBase, sql: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(
    client.query(copyTo(sql)),
    new Writable({
      write(c, _e, cb) {
        chunks.push(c as Buffer);
        cb();
      },
    }),
  );
  return Buffer.concat(chunks);
}
