// One layer's slices of samples read ahead by a worker thread (db/sample-reader-worker.ts), as an
// async sequence of blocks: the same blocks, in the same order, as sampleSliceBlocks gives in the
// calling thread. The worker is a bundle of its own (dist/electron/sample-reader.js): callers
// pass its path and read in their own thread where there is none (tests run from source, an
// in-memory database).
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { HalfBlock } from './samples.js';

export interface ReaderSpec {
  file: string;
  datasetId: number;
  column: 'residual' | 'ffn';
  start: number;
  width: number;
  ids: Float64Array;
  blockRows: number;
  /** blocks the worker may still send before the caller has taken them */
  credits: Int32Array;
}

export type ReaderMessage = { type: 'block'; half: Uint16Array; positions: Int32Array } | { type: 'end' } | { type: 'error'; message: string };

/** Blocks read ahead of the caller: two (about 25 MB of float16 at 8,192 rows of 768). */
const AHEAD = 2;

/** Whether a worker can read this database: the worker's bundle exists and the database is a file it can open on its own. */
export function canReadAhead(script: string | undefined, file: string): script is string {
  return script !== undefined && fs.existsSync(script) && file !== '' && file !== ':memory:' && fs.existsSync(file);
}

export async function* readAhead(script: string, spec: Omit<ReaderSpec, 'credits'>): AsyncGenerator<HalfBlock> {
  const credits = new Int32Array(new SharedArrayBuffer(4));
  credits[0] = AHEAD;
  const worker = new Worker(script, { workerData: { ...spec, credits } satisfies ReaderSpec });
  const waiting: ReaderMessage[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  const arrived = () => {
    wake?.();
    wake = null;
  };
  worker.on('message', (m: ReaderMessage) => {
    waiting.push(m);
    arrived();
  });
  worker.on('error', (err) => {
    failure ??= err;
    arrived();
  });
  worker.on('exit', (code) => {
    // 'end' or 'error' arrives before a clean exit; an exit with neither is a failure
    failure ??= new Error(`the sample reader thread stopped (exit code ${code}) before it had read every block`);
    arrived();
  });
  try {
    for (;;) {
      const m = waiting.shift();
      if (!m) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if (m.type === 'end') return;
      if (m.type === 'error') throw new Error(m.message);
      yield { rows: m.positions.length, half: m.half, positions: m.positions };
      Atomics.add(credits, 0, 1);
      Atomics.notify(credits, 0);
    }
  } finally {
    // a worker waiting for credits wakes up to be stopped
    Atomics.add(credits, 0, AHEAD);
    Atomics.notify(credits, 0);
    await worker.terminate();
  }
}
