import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseError, integrityCheck, openDatabase, schemaVersion } from './database.js';
import { migrations } from './migrations.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ffn-db-'));

describe('openDatabase', () => {
  it('applies every migration, in WAL mode with foreign keys on', () => {
    const file = path.join(tmp(), 'lab.sqlite');
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
    for (const t of ['jobs', 'corpora', 'documents', 'models', 'datasets', 'neuron_stats', 'top_examples', 'samples', 'projections', 'neuron_sets', 'ablations', 'ablation_results']) {
      expect(tables).toContain(t);
    }
    expect(integrityCheck(db)).toBe('ok');
    db.close();
  });

  it('opens an existing database without re-applying migrations', () => {
    const file = path.join(tmp(), 'lab.sqlite');
    openDatabase(file).close();
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    db.close();
  });

  it('refuses a database written by a newer app, naming the versions', () => {
    const file = path.join(tmp(), 'lab.sqlite');
    const db = openDatabase(file);
    db.pragma('user_version = 999');
    db.close();
    expect(() => openDatabase(file)).toThrow(DatabaseError);
    expect(() => openDatabase(file)).toThrow(/schema version 999 is newer than this app understands/);
  });

  it('rolls back a failing migration as a whole', () => {
    const file = path.join(tmp(), 'lab.sqlite');
    const bad = [...migrations, { version: 99, description: 'broken', sql: 'CREATE TABLE half (x INTEGER); SELECT * FROM no_such_table;' }];
    expect(() => openDatabase(file, bad)).toThrow(/no_such_table/);
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    db.close();
  });

  it('rolls back a migration whose step after the SQL fails', () => {
    const file = path.join(tmp(), 'lab.sqlite');
    const bad = [...migrations, { version: 99, description: 'broken step', sql: 'CREATE TABLE half (x INTEGER);', run: () => { throw new Error('the step failed'); } }];
    expect(() => openDatabase(file, bad)).toThrow('the step failed');
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    db.close();
  });

  it('names the file when it cannot be opened', () => {
    const dir = tmp();
    expect(() => openDatabase(dir)).toThrow(new RegExp(`${dir}: cannot open the database`));
  });
});
