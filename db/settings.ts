// App-wide settings and one-time markers, as key -> JSON value (e.g. "first-run.demo").
import type { Db } from './database.js';

export function getSetting(db: Db, key: string): unknown {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row === undefined ? undefined : JSON.parse(row.value);
}

/** Sets `key` only when it is absent; true when this call set it (so two processes cannot both claim it). */
export function claimSetting(db: Db, key: string, value: unknown): boolean {
  return db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, JSON.stringify(value)).changes > 0;
}
