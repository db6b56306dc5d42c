import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { discoverStateMachines } from '../stack/discover.ts';
import { aslToMermaid } from './aslToMermaid.ts';

/** `docs/statemachines/<kind>.md` for each state machine, as they should be. */
export async function expectedDiagrams(rootDir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const machine of await discoverStateMachines(rootDir)) {
    files.set(
      `docs/statemachines/${machine.kind}.md`,
      aslToMermaid(machine.definition, `The ${machine.kind} state machine (${machine.file})`),
    );
  }
  return files;
}

/** Diagram files that are missing or differ from the ASL (empty when up to date). */
export async function staleDiagrams(rootDir: string): Promise<string[]> {
  const stale: string[] = [];
  for (const [file, text] of await expectedDiagrams(rootDir)) {
    const current = await readFile(path.join(rootDir, file), 'utf8').catch(() => undefined);
    if (current !== text) stale.push(file);
  }
  return stale;
}

async function main(): Promise<void> {
  const rootDir = path.resolve(import.meta.dirname, '../..');
  await mkdir(path.join(rootDir, 'docs/statemachines'), { recursive: true });
  for (const [file, text] of await expectedDiagrams(rootDir)) {
    await writeFile(path.join(rootDir, file), text);
    console.log(`wrote ${file}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
