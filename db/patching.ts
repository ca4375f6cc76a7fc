// Stored activation-patching runs. They share the ablations table (kind 'patch', method the metric)
// so a model's deletion and the records listing take them with the ablations: params hold the exact
// request (prompts, target, foil, metric, sweep sizes) that re-runs it, details the whole result, and
// ablation_results one row per layer and direction (the whole FFN patched at all positions).
import { now, type Db } from './database.js';

export interface PatchRecord {
  id: number;
  name: string;
  modelId: number;
  metric: string;
  params: unknown;
  result: unknown;
  modelSha256: string;
  appVersion: string;
  createdAt: string;
}

export interface NewPatchRun extends Omit<PatchRecord, 'id' | 'createdAt'> {
  /** per layer and direction, the whole-FFN effect (condition "layer L denoise" / "layer L noise") */
  layerEffects: readonly { condition: string; value: number; low: number; high: number }[];
}

interface Row {
  id: number;
  name: string;
  model_id: number;
  method: string;
  params: string;
  details: string | null;
  model_sha256: string;
  app_version: string;
  created_at: string;
}

const toRecord = (r: Row): PatchRecord => ({
  id: r.id,
  name: r.name,
  modelId: r.model_id,
  metric: r.method,
  params: JSON.parse(r.params),
  result: r.details === null ? null : JSON.parse(r.details),
  modelSha256: r.model_sha256,
  appVersion: r.app_version,
  createdAt: r.created_at,
});

export function savePatchRun(db: Db, p: NewPatchRun): number {
  return db.transaction(() => {
    const id = Number(
      db
        .prepare(`INSERT INTO ablations (name, kind, model_id, method, params, model_sha256, app_version, details, created_at) VALUES (?, 'patch', ?, ?, ?, ?, ?, ?, ?)`)
        .run(p.name, p.modelId, p.metric, JSON.stringify(p.params), p.modelSha256, p.appVersion, JSON.stringify(p.result), now()).lastInsertRowid,
    );
    const insert = db.prepare("INSERT INTO ablation_results (ablation_id, condition, metric, value, ci_low, ci_high) VALUES (?, ?, 'effect', ?, ?, ?)");
    for (const e of p.layerEffects) if (Number.isFinite(e.value)) insert.run(id, e.condition, e.value, e.low, e.high);
    return id;
  })();
}

export function getPatchRun(db: Db, id: number): PatchRecord | undefined {
  const r = db.prepare("SELECT * FROM ablations WHERE kind = 'patch' AND id = ?").get(id) as Row | undefined;
  return r && toRecord(r);
}

export type PatchSummary = Omit<PatchRecord, 'result'>;

/** Newest first, without their results (names, metrics and params only). */
export function listPatchRuns(db: Db, modelId?: number): PatchSummary[] {
  const cols = 'id, name, model_id, method, params, NULL AS details, model_sha256, app_version, created_at';
  const rows = (modelId === undefined
    ? db.prepare(`SELECT ${cols} FROM ablations WHERE kind = 'patch' ORDER BY id DESC`).all()
    : db.prepare(`SELECT ${cols} FROM ablations WHERE kind = 'patch' AND model_id = ? ORDER BY id DESC`).all(modelId)) as Row[];
  return rows.map((r) => {
    const { result: _r, ...rest } = toRecord(r);
    return rest;
  });
}

export function deletePatchRun(db: Db, id: number): boolean {
  return db.prepare("DELETE FROM ablations WHERE kind = 'patch' AND id = ?").run(id).changes > 0;
}
