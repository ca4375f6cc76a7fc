// Names identify corpora and models on the command line, so they are unique per table.
import type { Db } from './database.js';

/** `name`, or `name (2)`, `name (3)`... whichever is free in `table`. Call inside a transaction. */
export function uniqueName(db: Db, table: 'corpora' | 'models', name: string): string {
  const taken = db.prepare(`SELECT 1 FROM ${table} WHERE name = ?`);
  if (!taken.get(name)) return name;
  for (let i = 2; ; i++) {
    const candidate = `${name} (${i})`;
    if (!taken.get(candidate)) return candidate;
  }
}
