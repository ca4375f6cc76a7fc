// Managing captures as records: rename, delete (with everything made from them), and what
// deleting a model takes with it, so the UI can list it before asking.
import type { Db } from './database.js';

export interface NamedRecord {
  id: number;
  name: string;
}

/** What a model's deletion removes with it (the foreign keys cascade from models). */
export interface ModelDependents {
  datasets: NamedRecord[];
  ablations: NamedRecord[];
  neuronSets: number;
  projections: number;
}

/** What a capture's deletion removes with it; ablation runs that used it are kept (they say which capture is gone). */
export interface DatasetDependents {
  samples: number;
  projections: number;
  ablations: NamedRecord[];
}

/** Renames a finished capture; false when there is none with this id. */
export function renameDataset(db: Db, id: number, name: string): boolean {
  return db.prepare("UPDATE datasets SET name = ? WHERE id = ? AND status = 'ready'").run(name, id).changes > 0;
}

/**
 * Deletes a capture and all that belongs to it in one transaction: statistics, top examples,
 * verdicts, sampled hidden states, residual maxima, router totals, projections and intrinsic
 * dimensions. Each of those tables references datasets ON DELETE CASCADE; they are named here
 * too so that a table added later without the cascade fails loudly (a foreign key error) rather
 * than leaving orphans. Ablation runs keep their results; their capture reference becomes NULL.
 */
export function deleteDataset(db: Db, id: number): boolean {
  return db.transaction(() => {
    for (const table of ['neuron_stats', 'top_examples', 'verdicts', 'samples', 'resid_top', 'router_stats', 'intrinsic_dims', 'projections']) {
      db.prepare(`DELETE FROM ${table} WHERE dataset_id = ?`).run(id);
    }
    db.prepare('DELETE FROM projection_runs WHERE dataset_id = ?').run(id);
    return db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
  }).immediate();
}

export function datasetDependents(db: Db, id: number): DatasetDependents {
  const count = (sql: string) => (db.prepare(sql).get(id) as { n: number }).n;
  return {
    samples: count('SELECT count(*) AS n FROM samples WHERE dataset_id = ?'),
    projections: count("SELECT count(*) AS n FROM projection_runs WHERE dataset_id = ? AND status = 'ready'"),
    ablations: db.prepare('SELECT id, name FROM ablations WHERE dataset_id = ? ORDER BY id').all(id) as NamedRecord[],
  };
}

export function modelDependents(db: Db, modelId: number): ModelDependents {
  const count = (sql: string) => (db.prepare(sql).get(modelId) as { n: number }).n;
  return {
    datasets: db.prepare("SELECT id, name FROM datasets WHERE model_id = ? AND status = 'ready' ORDER BY id").all(modelId) as NamedRecord[],
    ablations: db.prepare('SELECT id, name FROM ablations WHERE model_id = ? ORDER BY id').all(modelId) as NamedRecord[],
    neuronSets: count('SELECT count(*) AS n FROM neuron_sets WHERE model_id = ?'),
    projections: count("SELECT count(*) AS n FROM projection_runs r JOIN datasets d ON d.id = r.dataset_id WHERE d.model_id = ? AND r.status = 'ready'"),
  };
}
