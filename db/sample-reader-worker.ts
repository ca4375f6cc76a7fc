// A worker thread that reads one layer's slices of samples from the database file block by block
// (db/samples.ts's sampleSliceBlocks on its own read-only connection) and hands each block to
// the thread that started it, up to `credits` blocks ahead, so that the SQLite read of the next
// block runs on one core while the caller's onnxruntime products, which block its thread, work
// on the current one. Started by db/sample-reader.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabaseReadOnly } from './database.js';
import { sampleSliceBlocks } from './samples.js';
import type { ReaderMessage, ReaderSpec } from './sample-reader.js';

const spec = workerData as ReaderSpec;
const port = parentPort;
if (!port) throw new Error('sample-reader-worker runs as a worker thread');
const send = (m: ReaderMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

try {
  const db = openDatabaseReadOnly(spec.file);
  try {
    // each block comes in fresh arrays (sampleSliceBlocks): handed over without a copy
    for (const b of sampleSliceBlocks(db, spec.datasetId, spec.column, spec.start, spec.width, Array.from(spec.ids), spec.blockRows)) {
      while (Atomics.load(spec.credits, 0) <= 0) Atomics.wait(spec.credits, 0, 0);
      Atomics.sub(spec.credits, 0, 1);
      send({ type: 'block', half: b.half, positions: b.positions }, [b.half.buffer as ArrayBuffer, b.positions.buffer as ArrayBuffer]);
    }
  } finally {
    db.close();
  }
  send({ type: 'end' });
} catch (err) {
  send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
}
