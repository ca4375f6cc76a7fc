// Typed queries for imported models. A model row records where its files are, their content
// hash and the spec its architecture mapped to; the weights stay in the user's files.
import { now, type Db } from './database.js';
import { uniqueName } from './names.js';

export interface ModelRecord {
  id: number;
  name: string;
  path: string;
  format: string;
  architecture: string;
  family: string;
  sha256: string;
  spec: unknown;
  params: number;
  createdAt: string;
  /** a tokenizer the user attached (tokenizer.json, or a folder holding it / tokenizer.bin); null: found beside the checkpoint */
  tokenizerPath: string | null;
}

interface ModelRow {
  id: number;
  name: string;
  path: string;
  format: string;
  architecture: string;
  family: string;
  sha256: string;
  spec: string;
  params: number;
  created_at: string;
  tokenizer_path: string | null;
}

function toRecord(r: ModelRow): ModelRecord {
  return {
    id: r.id,
    name: r.name,
    path: r.path,
    format: r.format,
    architecture: r.architecture,
    family: r.family,
    sha256: r.sha256,
    spec: JSON.parse(r.spec) as unknown,
    params: r.params,
    createdAt: r.created_at,
    tokenizerPath: r.tokenizer_path,
  };
}

export function insertModel(db: Db, m: Omit<ModelRecord, 'id' | 'createdAt' | 'tokenizerPath'>): ModelRecord {
  const id = db.transaction(() => {
    const name = uniqueName(db, 'models', m.name);
    return Number(
      db
        .prepare('INSERT INTO models (name, path, format, architecture, family, sha256, spec, params, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(name, m.path, m.format, m.architecture, m.family, m.sha256, JSON.stringify(m.spec), m.params, now()).lastInsertRowid,
    );
  }).immediate();
  return getModel(db, id)!;
}

export function getModel(db: Db, id: number): ModelRecord | undefined {
  const row = db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
  return row && toRecord(row);
}

export function findModel(db: Db, idOrName: string): ModelRecord | undefined {
  const row = (/^\d+$/.test(idOrName) ? db.prepare('SELECT * FROM models WHERE id = ?').get(Number(idOrName)) : undefined) ??
    db.prepare('SELECT * FROM models WHERE name = ?').get(idOrName);
  return row ? toRecord(row as ModelRow) : undefined;
}

/** The most recent import of the checkpoint at this absolute path. */
export function findModelByPath(db: Db, absolutePath: string): ModelRecord | undefined {
  const row = db.prepare('SELECT * FROM models WHERE path = ? ORDER BY id DESC LIMIT 1').get(absolutePath) as ModelRow | undefined;
  return row && toRecord(row);
}

export function listModels(db: Db): ModelRecord[] {
  return (db.prepare('SELECT * FROM models ORDER BY id').all() as ModelRow[]).map(toRecord);
}

export function deleteModel(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM models WHERE id = ?').run(id).changes > 0;
}

/** An imported model with these weights (sha256 over the checkpoint files). */
export function findModelBySha(db: Db, sha256: string): ModelRecord | undefined {
  const row = db.prepare('SELECT * FROM models WHERE sha256 = ? ORDER BY id LIMIT 1').get(sha256) as ModelRow | undefined;
  return row && toRecord(row);
}

/** Attaches a tokenizer to the model (null detaches it); false when there is no such model. */
export function setModelTokenizer(db: Db, id: number, tokenizerPath: string | null): boolean {
  return db.prepare('UPDATE models SET tokenizer_path = ? WHERE id = ?').run(tokenizerPath, id).changes > 0;
}
