// The write-ahead log's checkpoints in a worker thread (its bundle, dist/electron/wal-checkpointer.js:
// `npm run build` first): the connection's own checkpoints stop while the worker runs, the worker's
// copy the log into the database file, and closing gives checkpoints back to SQLite.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { WalCheckpointer } from './wal-checkpointer.js';

const script = path.join(import.meta.dirname, '..', 'dist', 'electron', 'wal-checkpointer.js');
const fresh = () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ffn-wal-')), 'lab.sqlite');
  const db = openDatabase(file);
  db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB)');
  return { file, db };
};
/** ~8 MB in one transaction: past SQLite's 1,000-page automatic checkpoint */
const write = (db: ReturnType<typeof openDatabase>) => {
  const insert = db.prepare('INSERT INTO blobs (data) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 100; i++) insert.run(Buffer.alloc(80_000, i));
  })();
};

describe('WAL checkpointer', () => {
  it('copies the log into the database file in its thread, and hands checkpoints back when closed', async () => {
    expect(fs.existsSync(script)).toBe(true);
    const { file, db } = fresh();
    const before = fs.statSync(file).size;
    const checkpointer = WalCheckpointer.start(script, db, file);
    expect(checkpointer).not.toBeNull();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    write(db);
    // the commit left the pages in the log: this connection no longer checkpoints
    expect(fs.statSync(file).size).toBe(before);
    checkpointer?.request();
    await checkpointer?.close();
    expect(fs.statSync(file).size).toBeGreaterThan(before + 8_000_000);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    expect((db.prepare('SELECT COUNT(*) AS n FROM blobs').get() as { n: number }).n).toBe(100);
    db.close();
  });

  it('is not started without its bundle or for an in-memory database, leaving SQLite its checkpoints', () => {
    const { file, db } = fresh();
    expect(WalCheckpointer.start(path.join(path.dirname(script), 'missing.js'), db, file)).toBeNull();
    expect(WalCheckpointer.start(script, db, ':memory:')).toBeNull();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    db.close();
  });
});
