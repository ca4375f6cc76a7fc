// A worker thread running one LayoutThread of a parallel UMAP layout (parallel-layout.ts starts
// it): 'step' runs one epoch over its edges, 'publish' merges and publishes its vertices; each
// answered with 'done' (or the error's message).
import { parentPort, workerData } from 'node:worker_threads';
import { LayoutThread, type LayoutPart } from '../../analysis/umap-layout.js';

export interface LayoutWorkerData {
  part: LayoutPart;
  index: number;
  published: Float32Array;
  deltas: Float32Array[];
}

export type LayoutWorkerReply = { type: 'done' } | { type: 'error'; message: string };

const port = parentPort;
if (!port) throw new Error('layout-worker runs as a worker thread');
const data = workerData as LayoutWorkerData;
const thread = new LayoutThread(data.part, data.index, data.published, data.deltas);
port.on('message', (phase: 'step' | 'publish') => {
  try {
    if (phase === 'step') thread.step();
    else thread.publish();
    port.postMessage({ type: 'done' } satisfies LayoutWorkerReply);
  } catch (err) {
    port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) } satisfies LayoutWorkerReply);
  }
});
