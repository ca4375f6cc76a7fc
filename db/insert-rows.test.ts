// insertRows: full statements of 64 rows and a shorter last one store every row as given, in order;
// a row of the wrong width is refused with the table's name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { insertRows } from './insert-rows.js';

describe('insertRows', () => {
  it('stores 64-row statements and the remainder exactly, in order', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ffn-insert-rows-'));
    const db = openDatabase(path.join(dir, 'lab.db'));
    try {
      db.exec('CREATE TABLE t (i INTEGER NOT NULL, x REAL, s TEXT, b BLOB)');
      for (const n of [0, 1, 63, 64, 65, 64 * 3 + 17]) {
        db.exec('DELETE FROM t');
        const rows = Array.from({ length: n }, (_, i) => [i, i % 7 === 0 ? null : Math.fround(i / 3) * 1e-30, `r${i}`, Buffer.from([i & 255, 7])]);
        db.transaction(() => insertRows(db, 't', ['i', 'x', 's', 'b'], rows))();
        const back = db.prepare('SELECT i, x, s, b FROM t ORDER BY rowid').raw().all();
        expect(back).toEqual(rows);
      }
      expect(() => insertRows(db, 't', ['i', 'x'], [[1, 2, 3]])).toThrow('insertRows: a row of 3 values for the 2 columns of t');
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
