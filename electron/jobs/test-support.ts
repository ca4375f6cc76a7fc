// Helpers for tests that run real jobs in real worker processes (the built bundle).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Backend } from '../backend.js';
import { fileURLToPath } from 'node:url';
import { nodeWorkerSpawner } from './spawn-node.js';

/** The built worker bundle (vitest's global setup builds it); tests run from the TypeScript sources. */
const workerScriptForTests = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'electron', 'job-worker.js');

export function tempDir(prefix = 'ffn-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function testBackend(dataDir = tempDir()): Backend {
  return new Backend({ dataDir, shell: 'cli', spawnWorker: nodeWorkerSpawner(workerScriptForTests) });
}

/** A JSONL corpus big enough that importing it takes a few seconds (to cancel or kill midway). */
export function writeLargeJsonl(dir: string, documents = 40_000): string {
  const file = path.join(dir, 'large.jsonl');
  const words = 'the of and to in that is was he for it with as his on be at by had are but from or have an they which one you were her all'.split(' ');
  const lines: string[] = [];
  for (let i = 0; i < documents; i++) {
    const text = Array.from({ length: 180 }, (_, j) => words[(i * 7 + j * 13) % words.length]).join(' ');
    lines.push(JSON.stringify({ text: `Document ${i}. ${text}`, topic: `t${i % 5}`, index: i }));
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

export async function until<T>(probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
