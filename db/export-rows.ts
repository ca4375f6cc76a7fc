// Rows the notebook export reads (electron/export/): documents by id with their corpus ordinal,
// and a capture's samples with their float16 blobs as stored, streamed in insertion order.
import type { Db } from './database.js';

export interface DocumentRef {
  id: number;
  /** the document's position in its corpus (0-based, import order) */
  ordinal: number;
  name: string;
}

export function documentRefs(db: Db, ids: Iterable<number>): Map<number, DocumentRef> {
  const get = db.prepare('SELECT id, ordinal, name FROM documents WHERE id = ?');
  const out = new Map<number, DocumentRef>();
  for (const id of ids) {
    if (out.has(id)) continue;
    const r = get.get(id) as DocumentRef | undefined;
    if (r) out.set(id, r);
  }
  return out;
}

export interface RawSampleRow {
  id: number;
  documentId: number;
  position: number;
  tokenId: number;
  token: string;
  metadata: string;
  loss: number | null;
  /** little-endian float16 [L, D] or null */
  residual: Buffer | null;
  /** little-endian float16 [L, F] or null */
  ffn: Buffer | null;
}

/** The capture's samples in insertion order (the order of readSamples), `blobs` false: without the hidden states. */
export function iterateSampleRows(db: Db, datasetId: number, blobs = true): Iterable<RawSampleRow> {
  return db
    .prepare(
      `SELECT id, document_id AS documentId, position, token_id AS tokenId, coalesce(token, '') AS token, metadata, loss, ${blobs ? 'residual, ffn' : 'NULL AS residual, NULL AS ffn'}
       FROM samples WHERE dataset_id = ? ORDER BY id`,
    )
    .iterate(datasetId) as Iterable<RawSampleRow>;
}
