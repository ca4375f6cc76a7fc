// A cluster study's base database: one model (its row, weight scan and metadata) and one corpus
// (its row and documents) copied from the planning database into a new file. Every shard's
// database starts as a copy of it, so a shard neither imports the corpus again nor rescans the
// weights. Both databases come from the same migrations, so rows copy column for column.
import fs from 'node:fs';
import { openDatabase, type Db } from './database.js';

/** Tables of a model's import (keyed by model_id) besides `models`. */
const MODEL_TABLES = ['weight_scans', 'weight_invalid', 'neuron_weights', 'super_weights', 'model_metadata'] as const;

/** Writes `file` whole or not at all. */
export function writeStudyBase(src: Db, file: string, modelId: number, corpusId: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  const out = openDatabase(tmp);
  try {
    out.prepare('ATTACH DATABASE ? AS src').run(src.name);
    out.transaction(() => {
      // the corpus's import job is not copied: its reference is cleared before the commit checks it
      out.pragma('defer_foreign_keys = ON');
      out.prepare('INSERT INTO models SELECT * FROM src.models WHERE id = ?').run(modelId);
      for (const t of MODEL_TABLES) out.prepare(`INSERT INTO ${t} SELECT * FROM src.${t} WHERE model_id = ?`).run(modelId);
      out.prepare('INSERT INTO corpora SELECT * FROM src.corpora WHERE id = ?').run(corpusId);
      out.prepare('UPDATE corpora SET job_id = NULL WHERE id = ?').run(corpusId);
      out.prepare('INSERT INTO documents SELECT * FROM src.documents WHERE corpus_id = ?').run(corpusId);
    })();
    out.prepare('DETACH DATABASE src').run();
    // one file, no -wal beside it, so a copy of it is the whole database
    out.pragma('wal_checkpoint(TRUNCATE)');
    out.pragma('journal_mode = DELETE');
  } finally {
    out.close();
  }
  for (const side of ['-wal', '-shm']) fs.rmSync(`${tmp}${side}`, { force: true });
  fs.renameSync(tmp, file);
}
