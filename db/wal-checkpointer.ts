// Checkpoints of a database's write-ahead log in a worker thread (db/wal-checkpointer-worker.ts,
// bundled as dist/electron/wal-checkpointer.js) while this connection goes on writing. SQLite
// otherwise checkpoints inside the commit that grows the log past 1,000 pages: a capture that
// commits tens of megabytes of sampled hidden states waited about 0.3 s per 65 MB for the copy and
// its fsyncs (measured), a few percent of the job. Where the worker cannot run (no bundle: tests
// from source; an in-memory database), SQLite's own checkpoints stay.
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Db } from './database.js';

export type CheckpointerMessage = { type: 'done' } | { type: 'error'; message: string };

/** SQLite's default wal_autocheckpoint, restored when the worker stops. */
const AUTOCHECKPOINT_PAGES = 1000;

export class WalCheckpointer {
  private busy = false;
  private again = false;
  private stopped = false;
  private settled: (() => void)[] = [];
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly db: Db,
  ) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (m: CheckpointerMessage) => {
      if (m.type === 'error') {
        // not the job's failure: the log stays until SQLite checkpoints it itself
        this.stop();
        return;
      }
      this.busy = false;
      if (this.again) this.request();
      else this.release();
    });
    worker.on('error', () => this.stop());
    worker.on('exit', () => this.stop());
  }

  /** A checkpointer for `db` (file `file`), or null where the worker cannot run. Turns off the connection's own checkpoints. */
  static start(script: string, db: Db, file: string): WalCheckpointer | null {
    if (!fs.existsSync(script) || file === '' || file === ':memory:' || !fs.existsSync(file)) return null;
    db.pragma('wal_autocheckpoint = 0');
    return new WalCheckpointer(new Worker(script, { workerData: { file } }), db);
  }

  /** Asks for a checkpoint after a commit; one asked while another runs follows it (once). */
  request(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.again = false;
    this.worker.postMessage('checkpoint');
  }

  /** Waits for the checkpoint in progress, gives checkpoints back to SQLite and lets the worker close its connection and end. */
  async close(): Promise<void> {
    if (this.busy && !this.stopped) await new Promise<void>((resolve) => this.settled.push(resolve));
    this.stop();
    this.worker.postMessage('close');
    await this.exited;
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.busy = false;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    this.release();
  }

  private release(): void {
    for (const resolve of this.settled.splice(0)) resolve();
  }
}
