// A UMAP layout's epochs run by several worker threads (layout-worker.ts, bundled as
// dist/electron/umap-layout-worker.js), each owning a range of vertices (analysis/umap-layout.ts:
// UmapLayout.split, LayoutThread). The coordinates and the moves of other threads' vertices live
// in shared memory; every epoch is two phases, each ended when all threads answer.
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { UmapLayout } from '../../analysis/umap-layout.js';
import type { LayoutWorkerData, LayoutWorkerReply } from './layout-worker.js';

/** Below this many points one thread's layout takes a few seconds: not worth the threads. */
export const PARALLEL_LAYOUT_MIN_POINTS = 20_000;

/** Whether a parallel layout can run: the worker's bundle exists and more than one thread is asked for. */
export function canLayoutInParallel(script: string | undefined, threads: number, points: number): script is string {
  return script !== undefined && threads > 1 && points >= PARALLEL_LAYOUT_MIN_POINTS && fs.existsSync(script);
}

const shared = (n: number) => new Float32Array(new SharedArrayBuffer(n * Float32Array.BYTES_PER_ELEMENT));

/** Runs every epoch of `layout` (none run yet) on `threads` worker threads; its coordinates hold the result. */
export async function layoutInParallel(layout: UmapLayout, threads: number, script: string, progress?: (fraction: number) => void): Promise<void> {
  const parts = layout.split(threads);
  const published = shared(layout.coords.length);
  published.set(layout.coords);
  const deltas = parts.map(() => shared(layout.coords.length));
  const workers = parts.map((part, index) => new Worker(script, { workerData: { part, index, published, deltas } satisfies LayoutWorkerData }));
  // one phase: every thread does it and answers; a thread that fails or stops fails the layout
  const phase = (name: 'step' | 'publish') =>
    Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const settle = (err: Error | null) => {
              w.off('message', onMessage).off('error', onError).off('exit', onExit);
              if (err) reject(err);
              else resolve();
            };
            const onMessage = (m: LayoutWorkerReply) => settle(m.type === 'done' ? null : new Error(`UMAP layout thread: ${m.message}`));
            const onError = (err: Error) => settle(err);
            const onExit = (code: number) => settle(new Error(`a UMAP layout thread stopped (exit code ${code})`));
            w.on('message', onMessage).on('error', onError).on('exit', onExit);
            w.postMessage(name);
          }),
      ),
    );
  try {
    for (let e = 0; e < layout.epochs; e++) {
      await phase('step');
      await phase('publish');
      if (e % 10 === 0) progress?.(e / layout.epochs);
    }
    layout.coords.set(published);
    progress?.(1);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
