// Stored ablation runs: what was ablated and how (params, with every condition's exact neurons),
// on which model (its sha256) by which app version, and the metrics with their confidence
// intervals, one row per (condition, metric). Per-document totals and the tokens hurt most are
// kept as JSON in `details`. A run is written in one transaction when it finishes; until then its
// running totals are checkpointed so that an interrupted run resumes.
import { now, type Db } from './database.js';

export interface AblationRecord {
  id: number;
  name: string;
  kind: 'compare' | 'sweep';
  modelId: number;
  datasetId: number | null;
  corpusId: number | null;
  jobId: number | null;
  neuronSetId: number | null;
  method: string;
  params: unknown;
  modelSha256: string;
  appVersion: string;
  /** tokens evaluated (from the stored details) */
  tokens: number;
  createdAt: string;
}

export interface AblationMetricRow {
  condition: string;
  metric: string;
  value: number;
  low: number | null;
  high: number | null;
}

export interface NewAblation extends Omit<AblationRecord, 'id' | 'createdAt' | 'tokens'> {
  results: readonly AblationMetricRow[];
  details: unknown;
}

interface Row {
  id: number;
  name: string;
  kind: string;
  model_id: number;
  dataset_id: number | null;
  corpus_id: number | null;
  job_id: number | null;
  neuron_set_id: number | null;
  method: string;
  params: string;
  model_sha256: string;
  app_version: string;
  tokens: number | null;
  details: string | null;
  created_at: string;
}

/**
 * A row with the evaluated token count read from the details, without parsing them in JS. Patching
 * runs share the table (kind 'patch', db/patching.ts) but are not ablations: left out here.
 */
const SELECT = "SELECT * FROM (SELECT *, json_extract(details, '$.tokens') AS tokens FROM ablations WHERE kind != 'patch')";

function toRecord(r: Row): AblationRecord {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind === 'sweep' ? 'sweep' : 'compare',
    modelId: r.model_id,
    datasetId: r.dataset_id,
    corpusId: r.corpus_id,
    jobId: r.job_id,
    neuronSetId: r.neuron_set_id,
    method: r.method,
    params: JSON.parse(r.params),
    modelSha256: r.model_sha256,
    appVersion: r.app_version,
    tokens: r.tokens ?? 0,
    createdAt: r.created_at,
  };
}

/** SQLite has no NaN: a metric without a finite value is left out (readers show it as missing). */
const finiteOrNull = (v: number | null): number | null => (v !== null && Number.isFinite(v) ? v : null);

/** The running totals of an unfinished run after `batchesDone` batches (replaces the last). */
export function saveAblationCheckpoint(db: Db, jobId: number, batchesDone: number, state: unknown): void {
  db.prepare('INSERT OR REPLACE INTO ablation_checkpoints (job_id, batches_done, state) VALUES (?, ?, ?)').run(jobId, batchesDone, JSON.stringify(state));
}

export function loadAblationCheckpoint(db: Db, jobId: number): { batchesDone: number; state: unknown } | undefined {
  const r = db.prepare('SELECT batches_done, state FROM ablation_checkpoints WHERE job_id = ?').get(jobId) as { batches_done: number; state: string } | undefined;
  return r && { batchesDone: r.batches_done, state: JSON.parse(r.state) };
}

export function deleteAblationCheckpoint(db: Db, jobId: number): void {
  db.prepare('DELETE FROM ablation_checkpoints WHERE job_id = ?').run(jobId);
}

/** Stores a finished run and drops its job's checkpoint, in one transaction. */
export function saveAblation(db: Db, a: NewAblation): number {
  return db.transaction(() => {
    if (a.jobId !== null) deleteAblationCheckpoint(db, a.jobId);
    const id = Number(
      db
        .prepare(
          `INSERT INTO ablations (name, kind, model_id, dataset_id, corpus_id, job_id, neuron_set_id, method, params, model_sha256, app_version, details, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(a.name, a.kind, a.modelId, a.datasetId, a.corpusId, a.jobId, a.neuronSetId, a.method, JSON.stringify(a.params), a.modelSha256, a.appVersion, JSON.stringify(a.details), now()).lastInsertRowid,
    );
    const insert = db.prepare('INSERT INTO ablation_results (ablation_id, condition, metric, value, ci_low, ci_high) VALUES (?, ?, ?, ?, ?, ?)');
    for (const r of a.results) if (Number.isFinite(r.value)) insert.run(id, r.condition, r.metric, r.value, finiteOrNull(r.low), finiteOrNull(r.high));
    return id;
  })();
}

export function getAblation(db: Db, id: number): { record: AblationRecord; results: AblationMetricRow[]; details: unknown } | undefined {
  const r = db.prepare(`${SELECT} WHERE id = ?`).get(id) as Row | undefined;
  if (!r) return undefined;
  const results = (
    db.prepare('SELECT condition, metric, value, ci_low, ci_high FROM ablation_results WHERE ablation_id = ?').all(id) as Array<{
      condition: string;
      metric: string;
      value: number;
      ci_low: number | null;
      ci_high: number | null;
    }>
  ).map((x) => ({ condition: x.condition, metric: x.metric, value: x.value, low: x.ci_low, high: x.ci_high }));
  return { record: toRecord(r), results, details: r.details === null ? null : JSON.parse(r.details) };
}

export function listAblations(db: Db, modelId?: number): AblationRecord[] {
  const rows = (modelId === undefined
    ? db.prepare(`${SELECT} ORDER BY id DESC`).all()
    : db.prepare(`${SELECT} WHERE model_id = ? ORDER BY id DESC`).all(modelId)) as Row[];
  return rows.map(toRecord);
}

export function ablationOfJob(db: Db, jobId: number): AblationRecord | undefined {
  const r = db.prepare(`${SELECT} WHERE job_id = ?`).get(jobId) as Row | undefined;
  return r && toRecord(r);
}

export function deleteAblation(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM ablations WHERE id = ?').run(id).changes > 0;
}
