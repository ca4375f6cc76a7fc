// A model's checkpoint metadata as the import read it, summarized for display: GGUF key/values,
// a Hugging Face config.json, a llama2.c header. Written with the model (and again by a rescan).
import type { Db } from './database.js';

export interface MetadataRow {
  key: string;
  /** the stored type: GGUF's (UINT32, STRING, ARRAY[STRING], ...) or JSON's (number, string, ...) */
  type: string;
  /** the value as text; an array as "array of N <type>: first elements, …" */
  value: string;
  /** element count of an array value, else null */
  length: number | null;
}

/** Replaces the model's metadata; call inside the transaction that writes the model, or alone. */
export function saveModelMetadata(db: Db, modelId: number, rows: readonly MetadataRow[]): void {
  db.transaction(() => {
    db.prepare('DELETE FROM model_metadata WHERE model_id = ?').run(modelId);
    const ins = db.prepare('INSERT INTO model_metadata (model_id, ordinal, key, type, value, length) VALUES (?, ?, ?, ?, ?, ?)');
    rows.forEach((r, ordinal) => ins.run(modelId, ordinal, r.key, r.type, r.value, r.length));
  })();
}

/** In the checkpoint's order; empty for models imported before metadata was kept (rescan them). */
export function loadModelMetadata(db: Db, modelId: number): MetadataRow[] {
  return db.prepare('SELECT key, type, value, length FROM model_metadata WHERE model_id = ? ORDER BY ordinal').all(modelId) as MetadataRow[];
}

/** Per stored dtype of the weight scan: how many tensors and elements, most tensors first. */
export function tensorTypeCounts(db: Db, modelId: number): Array<{ dtype: string; tensors: number; elements: number }> {
  const rows = db.prepare('SELECT dtype, shape FROM weight_scans WHERE model_id = ? ORDER BY ordinal').all(modelId) as Array<{ dtype: string; shape: string }>;
  const by = new Map<string, { dtype: string; tensors: number; elements: number }>();
  for (const r of rows) {
    const e = by.get(r.dtype) ?? { dtype: r.dtype, tensors: 0, elements: 0 };
    e.tensors += 1;
    e.elements += (JSON.parse(r.shape) as number[]).reduce((a, b) => a * b, 1);
    by.set(r.dtype, e);
  }
  return [...by.values()].sort((a, b) => b.tensors - a.tensors || b.elements - a.elements);
}
