import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalEmr } from '../../../../local/emr/startLocalEmr.ts';
import { startTestS3, type TestS3 } from '../../../helpers/testS3.ts';

// A stack killed with SIGKILL runs no stop(): its EMR work directory stayed in the system temp
// directory, one more per kill (CI's /tmp collected them). Under the stack's data directory it
// goes wherever that directory goes.
describe('local EMR work directory', () => {
  let s3: TestS3;
  let root: string;
  beforeAll(async () => {
    s3 = await startTestS3();
    root = await mkdtemp(join(tmpdir(), 'rt-emr-root-'));
  });
  afterAll(async () => {
    await s3?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('is made under workRoot, and stop() removes it and nothing else there', async () => {
    await mkdir(join(root, 'postgres'));
    await writeFile(join(root, 'postgres', 'PG_VERSION'), '15\n');
    await writeFile(join(root, 'notes.txt'), 'kept\n');
    const emr = await startLocalEmr({ s3Endpoint: s3.endpoint, workRoot: root });
    const made = readdirSync(root).filter((name) => name.startsWith('rt-local-emr-'));
    expect(made).toHaveLength(1);
    await emr.stop();
    expect(readdirSync(root).sort()).toEqual(['notes.txt', 'postgres']);
    expect(existsSync(join(root, 'postgres', 'PG_VERSION'))).toBe(true);
  });
});
