// Opens the app's SQLite database: WAL, foreign keys, a busy timeout (the app and a CLI may
// share one file), and the migrations applied before anything else touches it.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { migrations, type Migration } from './migrations.js';

export type Db = BetterSqlite3.Database;

export class DatabaseError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'DatabaseError';
  }
}

/** Electron's Node ABI differs from Node's; the shell points this at a build made for it. */
function nativeBinding(): string | undefined {
  return process.env.FFN_LAB_SQLITE_BINDING || undefined;
}

export function openDatabase(file: string, all: readonly Migration[] = migrations): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let db: Db;
  try {
    const binding = nativeBinding();
    db = new BetterSqlite3(file, binding ? { nativeBinding: binding } : {});
    db.pragma('journal_mode = WAL');
  } catch (err) {
    throw new DatabaseError(file, `cannot open the database (${(err as Error).message}); expected a writable SQLite file`);
  }
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 10000');
  db.pragma('synchronous = NORMAL');
  migrate(db, file, all);
  return db;
}

/**
 * Another app database (e.g. captured on another machine), opened read-only: it must be at this
 * app's schema version, since it is read with this app's queries and never migrated here.
 */
export function openDatabaseReadOnly(file: string, all: readonly Migration[] = migrations): Db {
  let db: Db;
  try {
    const binding = nativeBinding();
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true, ...(binding ? { nativeBinding: binding } : {}) });
  } catch (err) {
    throw new DatabaseError(file, `cannot open the database (${(err as Error).message}); expected an FFN Lab database file (ffn-lab.sqlite)`);
  }
  const latest = all.at(-1)?.version ?? 0;
  const version = schemaVersion(db);
  if (version !== latest) {
    db.close();
    throw new DatabaseError(file, `schema version ${version}, but this app reads version ${latest}; open it once with this app version (any command) to migrate it`);
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db, file: string, all: readonly Migration[]): void {
  const latest = all.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > latest) {
    throw new DatabaseError(file, `schema version ${current} is newer than this app understands (${latest}); update FFN Lab`);
  }
  for (const m of all) {
    if (m.version <= current) continue;
    // BEGIN IMMEDIATE: two processes starting at once must not both apply the same migration.
    db.transaction(() => {
      if (schemaVersion(db) >= m.version) return;
      db.exec(m.sql);
      m.run?.(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}

export function integrityCheck(db: Db): string {
  return db.pragma('integrity_check', { simple: true }) as string;
}

export function now(): string {
  return new Date().toISOString();
}
