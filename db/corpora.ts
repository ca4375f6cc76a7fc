// Typed queries for corpora and their documents. A corpus being imported has status
// 'importing' and is invisible to readers until its last batch commits.
import { createHash } from 'node:crypto';
import { now, type Db } from './database.js';
import { uniqueName } from './names.js';
import { inSplit, orderDocuments, type DocumentOrder, type SplitSpec } from '../common/document-order.js';

export type MetadataValue = string | number | boolean | null;

export interface CorpusRecord {
  id: number;
  name: string;
  source: string;
  status: 'importing' | 'ready';
  jobId: number | null;
  documents: number;
  bytes: number;
  checksum: string;
  metadataFields: string[];
  createdAt: string;
}

export interface NewDocument {
  name: string;
  text: string;
  metadata: Record<string, MetadataValue>;
  annotations?: unknown;
}

export interface DocumentRecord {
  id: number;
  ordinal: number;
  name: string;
  bytes: number;
  metadata: Record<string, MetadataValue>;
  preview: string;
}

interface CorpusRow {
  id: number;
  name: string;
  source: string;
  status: 'importing' | 'ready';
  job_id: number | null;
  documents: number;
  bytes: number;
  checksum: string | null;
  metadata_fields: string;
  created_at: string;
}

function toRecord(r: CorpusRow): CorpusRecord {
  return {
    id: r.id,
    name: r.name,
    source: r.source,
    status: r.status,
    jobId: r.job_id,
    documents: r.documents,
    bytes: r.bytes,
    checksum: r.checksum ?? '',
    metadataFields: JSON.parse(r.metadata_fields) as string[],
    createdAt: r.created_at,
  };
}

export function listCorpora(db: Db): CorpusRecord[] {
  return (db.prepare("SELECT * FROM corpora WHERE status = 'ready' ORDER BY id").all() as CorpusRow[]).map(toRecord);
}

export function getCorpus(db: Db, id: number): CorpusRecord | undefined {
  const row = db.prepare('SELECT * FROM corpora WHERE id = ?').get(id) as CorpusRow | undefined;
  return row && toRecord(row);
}

export function corpusOfJob(db: Db, jobId: number): CorpusRecord | undefined {
  const row = db.prepare('SELECT * FROM corpora WHERE job_id = ?').get(jobId) as CorpusRow | undefined;
  return row && toRecord(row);
}

export function createImportingCorpus(db: Db, c: { name: string; source: string; jobId: number; metadataFields: string[] }): CorpusRecord {
  const id = db.transaction(() => {
    const name = uniqueName(db, 'corpora', c.name);
    const info = db
      .prepare("INSERT INTO corpora (name, source, status, job_id, metadata_fields, created_at) VALUES (?, ?, 'importing', ?, ?, ?)")
      .run(name, c.source, c.jobId, JSON.stringify(c.metadataFields), now());
    return Number(info.lastInsertRowid);
  }).immediate();
  return getCorpus(db, id)!;
}

/** Appends documents at ordinals [first, first + docs.length) in one transaction. */
export function appendDocuments(db: Db, corpusId: number, first: number, docs: readonly NewDocument[]): void {
  const insert = db.prepare(
    'INSERT INTO documents (corpus_id, ordinal, name, text, bytes, metadata, annotations) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const bump = db.prepare('UPDATE corpora SET documents = documents + ?, bytes = bytes + ? WHERE id = ?');
  db.transaction(() => {
    let bytes = 0;
    docs.forEach((d, i) => {
      const size = Buffer.byteLength(d.text, 'utf8');
      bytes += size;
      insert.run(
        corpusId,
        first + i,
        d.name,
        d.text,
        size,
        JSON.stringify(d.metadata),
        d.annotations === undefined ? null : JSON.stringify(d.annotations),
      );
    });
    bump.run(docs.length, bytes, corpusId);
  }).immediate();
}

/** sha256 over every document's UTF-8 text in ordinal order, each prefixed by its byte length. */
export function corpusChecksum(db: Db, corpusId: number): string {
  const hash = createHash('sha256');
  const rows = db.prepare('SELECT text FROM documents WHERE corpus_id = ? ORDER BY ordinal').iterate(corpusId) as Iterable<{ text: string }>;
  for (const { text } of rows) {
    const bytes = Buffer.from(text, 'utf8');
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

export function markCorpusReady(db: Db, corpusId: number, checksum: string): void {
  db.prepare("UPDATE corpora SET status = 'ready', checksum = ? WHERE id = ?").run(checksum, corpusId);
}

/** Removes a corpus that never finished importing, with its documents (cascade). */
export function deleteUnfinishedCorpusOfJob(db: Db, jobId: number): boolean {
  return db.prepare("DELETE FROM corpora WHERE job_id = ? AND status = 'importing'").run(jobId).changes > 0;
}

export function deleteCorpus(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM corpora WHERE id = ?').run(id).changes > 0;
}

export function listDocuments(db: Db, corpusId: number, offset: number, limit: number): { total: number; documents: DocumentRecord[] } {
  const total = (db.prepare('SELECT COUNT(*) AS n FROM documents WHERE corpus_id = ?').get(corpusId) as { n: number }).n;
  const rows = db
    .prepare(
      'SELECT id, ordinal, name, bytes, metadata, substr(text, 1, 240) AS preview FROM documents WHERE corpus_id = ? ORDER BY ordinal LIMIT ? OFFSET ?',
    )
    .all(corpusId, limit, offset) as Array<{ id: number; ordinal: number; name: string; bytes: number; metadata: string; preview: string }>;
  return {
    total,
    documents: rows.map((r) => ({ ...r, metadata: JSON.parse(r.metadata) as Record<string, MetadataValue> })),
  };
}

export interface DocumentFilter {
  genre?: string;
  metadata?: { field: string; value: string | number | boolean };
  documents?: number;
  /** skip the first N matching documents (in the chosen order) */
  offset?: number;
  /** only documents with these names */
  names?: readonly string[];
  /** the order the documents are read in; absent: corpus order (what filters stored before orders existed meant) */
  order?: DocumentOrder;
  /** seeds the shuffled and stratified orders */
  seed?: number;
  /** the metadata field a stratified order deals round-robin over (default "genre") */
  stratifyBy?: string;
  /** only the train or validation part of a seeded split */
  split?: SplitSpec;
  /** not a selection: the jobs read at most this many tokens of each selected document */
  tokensPerDocument?: number;
}

/**
 * Documents of a corpus, filtered by metadata, names and split, in the filter's order (corpus
 * order when none is given), past the first `offset`, cut to the first N.
 */
export function selectDocuments(db: Db, corpusId: number, filter: DocumentFilter): Array<{ id: number; name: string; text: string }> {
  const where = ['corpus_id = ?'];
  const args: unknown[] = [corpusId];
  if (filter.genre !== undefined) {
    where.push("json_extract(metadata, '$.genre') = ?");
    args.push(filter.genre);
  }
  if (filter.names !== undefined) {
    where.push('name IN (SELECT value FROM json_each(?))');
    args.push(JSON.stringify(filter.names));
  }
  if (filter.metadata !== undefined) {
    // json_extract returns 1/0 for JSON booleans
    where.push('json_extract(metadata, ?) = ?');
    args.push(`$.${JSON.stringify(filter.metadata.field)}`, typeof filter.metadata.value === 'boolean' ? Number(filter.metadata.value) : filter.metadata.value);
  }
  const order = filter.order ?? 'corpus';
  const field = `$.${JSON.stringify(filter.stratifyBy ?? 'genre')}`;
  // the texts are read only for the chosen documents (a budget may take a few of a large corpus)
  const rows = db
    .prepare(`SELECT id, name, json_extract(metadata, ?) AS stratum FROM documents WHERE ${where.join(' AND ')} ORDER BY ordinal`)
    .all(field, ...args) as Array<{ id: number; name: string; stratum: unknown }>;
  const split = filter.split;
  const kept = split ? rows.filter((r) => inSplit(r.name, split)) : rows;
  const ordered = orderDocuments(kept, order, filter.seed ?? 0, (r) => (r.stratum === null || r.stratum === undefined ? '' : String(r.stratum)));
  const from = Math.floor(filter.offset ?? 0);
  const chosen = ordered.slice(from, filter.documents !== undefined ? from + Math.floor(filter.documents) : undefined);
  const text = db.prepare('SELECT text FROM documents WHERE id = ?').pluck();
  return chosen.map((r) => ({ id: r.id, name: r.name, text: text.get(r.id) as string }));
}

/** For each metadata field, how many distinct values it takes in the whole corpus and among `ids`. */
export function metadataCoverage(db: Db, corpusId: number, fields: readonly string[], ids: readonly number[]): Array<{ field: string; corpusValues: number; values: string[] }> {
  return fields.map((f) => {
    const path = `$.${JSON.stringify(f)}`;
    const corpusValues = (db.prepare('SELECT COUNT(DISTINCT json_extract(metadata, ?)) AS n FROM documents WHERE corpus_id = ?').get(path, corpusId) as { n: number }).n;
    const values = db
      .prepare('SELECT DISTINCT json_extract(metadata, ?) AS v FROM documents WHERE id IN (SELECT value FROM json_each(?)) AND json_extract(metadata, ?) IS NOT NULL ORDER BY v')
      .pluck()
      .all(path, JSON.stringify(ids), path)
      .map(String);
    return { field: f, corpusValues, values };
  });
}

/** A ready corpus by id ("3") or name. */
export function findCorpus(db: Db, idOrName: string): CorpusRecord | undefined {
  const row =
    (/^\d+$/.test(idOrName) ? db.prepare('SELECT * FROM corpora WHERE id = ?').get(Number(idOrName)) : undefined) ??
    db.prepare('SELECT * FROM corpora WHERE name = ?').get(idOrName);
  const c = row ? toRecord(row as CorpusRow) : undefined;
  return c?.status === 'ready' ? c : undefined;
}

/** For each document id, its position in its corpus (ordinal). */
export function documentOrdinals(db: Db, ids: readonly number[]): Map<number, number> {
  const get = db.prepare('SELECT ordinal FROM documents WHERE id = ?');
  const out = new Map<number, number>();
  for (const id of new Set(ids)) {
    const r = get.get(id) as { ordinal: number } | undefined;
    if (r) out.set(id, r.ordinal);
  }
  return out;
}

/** The ids of a corpus's documents by ordinal. */
export function documentIdsByOrdinal(db: Db, corpusId: number): Map<number, number> {
  const rows = db.prepare('SELECT id, ordinal FROM documents WHERE corpus_id = ?').all(corpusId) as Array<{ id: number; ordinal: number }>;
  return new Map(rows.map((r) => [r.ordinal, r.id]));
}

/** A ready corpus with this content checksum (the same texts in the same order). */
export function findCorpusByChecksum(db: Db, checksum: string): CorpusRecord | undefined {
  const row = db.prepare("SELECT * FROM corpora WHERE checksum = ? AND status = 'ready' ORDER BY id LIMIT 1").get(checksum);
  return row ? toRecord(row as CorpusRow) : undefined;
}
