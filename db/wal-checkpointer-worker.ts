// A worker thread that copies a database's write-ahead log into the database file (a PASSIVE
// checkpoint: it never blocks the writer) each time it is asked, on its own connection, so the
// copy and its fsyncs run beside the writer's work instead of inside its commits. Started by
// db/wal-checkpointer.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './database.js';
import type { CheckpointerMessage } from './wal-checkpointer.js';

const port = parentPort;
if (!port) throw new Error('wal-checkpointer-worker runs as a worker thread');
const send = (m: CheckpointerMessage) => port.postMessage(m);

try {
  const db = openDatabase((workerData as { file: string }).file);
  port.on('message', (m: 'checkpoint' | 'close') => {
    if (m === 'close') {
      db.close();
      port.close();
      return;
    }
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
      send({ type: 'done' });
    } catch (err) {
      send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  });
} catch (err) {
  send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
}
