// Projections of a dataset's sampled hidden states (the manifold view): a run is one project job
// over some layers of one dataset; it owns one `projections` row per layer with the coordinates
// (float32, [points * dims] row-major, in the run's sample order), the explained variance (PCA),
// and the ablated coordinates when the run had an ablation. Intrinsic dimension estimates are
// stored per dataset, layer and space, replaced by each new measurement.
import { now, type Db } from './database.js';

export interface ProjectionRunRecord {
  id: number;
  datasetId: number;
  jobId: number | null;
  status: 'running' | 'ready';
  method: string;
  params: unknown;
  sampleIds: number[];
  createdAt: string;
}

export interface LayerProjection {
  id: number;
  runId: number;
  layer: number;
  coords: Float32Array;
  ablated: Float32Array | null;
  explainedVariance: number[] | null;
}

interface RunRow {
  id: number;
  dataset_id: number;
  job_id: number | null;
  status: 'running' | 'ready';
  method: string;
  params: string;
  sample_ids: Buffer;
  created_at: string;
}

const f32 = (blob: Buffer): Float32Array => new Float32Array(new Uint8Array(blob).buffer); // copied: alignment
const blobOf = (a: Float32Array | Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function toRun(r: RunRow): ProjectionRunRecord {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    jobId: r.job_id,
    status: r.status,
    method: r.method,
    params: JSON.parse(r.params) as unknown,
    sampleIds: Array.from(new Float64Array(new Uint8Array(r.sample_ids).buffer)),
    createdAt: r.created_at,
  };
}

export function createProjectionRun(db: Db, r: { datasetId: number; jobId: number; method: string; params: unknown; sampleIds: readonly number[] }): ProjectionRunRecord {
  const info = db
    .prepare("INSERT INTO projection_runs (dataset_id, job_id, status, method, params, sample_ids, created_at) VALUES (?, ?, 'running', ?, ?, ?, ?)")
    .run(r.datasetId, r.jobId, r.method, JSON.stringify(r.params), blobOf(Float64Array.from(r.sampleIds)), now());
  return getProjectionRun(db, Number(info.lastInsertRowid))!;
}

export function getProjectionRun(db: Db, id: number): ProjectionRunRecord | undefined {
  const row = db.prepare('SELECT * FROM projection_runs WHERE id = ?').get(id) as RunRow | undefined;
  return row && toRun(row);
}

export function projectionRunOfJob(db: Db, jobId: number): ProjectionRunRecord | undefined {
  const row = db.prepare('SELECT * FROM projection_runs WHERE job_id = ?').get(jobId) as RunRow | undefined;
  return row && toRun(row);
}

/** Ready runs of a dataset, newest first, with the layers each holds. */
export function listProjectionRuns(db: Db, datasetId: number): Array<ProjectionRunRecord & { layers: number[] }> {
  const rows = db.prepare("SELECT * FROM projection_runs WHERE dataset_id = ? AND status = 'ready' ORDER BY id DESC").all(datasetId) as RunRow[];
  const layers = db.prepare('SELECT layer FROM projections WHERE run_id = ? ORDER BY layer');
  return rows.map((r) => ({ ...toRun(r), layers: (layers.all(r.id) as Array<{ layer: number }>).map((l) => l.layer) }));
}

/** Stores one layer's coordinates (replacing what a resumed run wrote for it before). */
export function saveLayerProjection(
  db: Db,
  run: ProjectionRunRecord,
  p: { layer: number; coords: Float32Array; ablated: Float32Array | null; explainedVariance: number[] | null },
): void {
  db.transaction(() => {
    db.prepare('DELETE FROM projections WHERE run_id = ? AND layer = ?').run(run.id, p.layer);
    db.prepare('INSERT INTO projections (dataset_id, layer, method, params, coords, explained_variance, created_at, run_id, ablated_coords) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      run.datasetId,
      p.layer,
      run.method,
      JSON.stringify(run.params),
      blobOf(p.coords),
      p.explainedVariance ? JSON.stringify(p.explainedVariance) : null,
      now(),
      run.id,
      p.ablated ? blobOf(p.ablated) : null,
    );
  })();
}

export function loadLayerProjections(db: Db, runId: number, layers?: readonly number[]): LayerProjection[] {
  const rows = db.prepare('SELECT id, run_id, layer, coords, ablated_coords, explained_variance FROM projections WHERE run_id = ? ORDER BY layer').all(runId) as Array<{
    id: number;
    run_id: number;
    layer: number;
    coords: Buffer;
    ablated_coords: Buffer | null;
    explained_variance: string | null;
  }>;
  return rows
    .filter((r) => !layers || layers.includes(r.layer))
    .map((r) => ({
      id: r.id,
      runId: r.run_id,
      layer: r.layer,
      coords: f32(r.coords),
      ablated: r.ablated_coords ? f32(r.ablated_coords) : null,
      explainedVariance: r.explained_variance ? (JSON.parse(r.explained_variance) as number[]) : null,
    }));
}

export function markProjectionRunReady(db: Db, id: number): void {
  db.prepare("UPDATE projection_runs SET status = 'ready' WHERE id = ?").run(id);
}

export function deleteUnfinishedProjectionRunOfJob(db: Db, jobId: number): boolean {
  return db.prepare("DELETE FROM projection_runs WHERE job_id = ? AND status = 'running'").run(jobId).changes > 0;
}

export function deleteProjectionRun(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM projection_runs WHERE id = ?').run(id).changes > 0;
}

export interface IntrinsicDim {
  layer: number;
  space: string;
  points: number;
  twonn: number | null;
  pca90: number | null;
  params: unknown;
  createdAt: string;
}

export function saveIntrinsicDim(db: Db, datasetId: number, d: Omit<IntrinsicDim, 'createdAt'>): void {
  db.prepare('INSERT OR REPLACE INTO intrinsic_dims (dataset_id, layer, space, points, twonn, pca90, params, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
    datasetId,
    d.layer,
    d.space,
    d.points,
    d.twonn !== null && Number.isFinite(d.twonn) ? d.twonn : null,
    d.pca90,
    JSON.stringify(d.params),
    now(),
  );
}

export function loadIntrinsicDims(db: Db, datasetId: number, space: string): IntrinsicDim[] {
  const rows = db.prepare('SELECT layer, space, points, twonn, pca90, params, created_at FROM intrinsic_dims WHERE dataset_id = ? AND space = ? ORDER BY layer').all(datasetId, space) as Array<{
    layer: number;
    space: string;
    points: number;
    twonn: number | null;
    pca90: number | null;
    params: string;
    created_at: string;
  }>;
  return rows.map((r) => ({ layer: r.layer, space: r.space, points: r.points, twonn: r.twonn, pca90: r.pca90, params: JSON.parse(r.params) as unknown, createdAt: r.created_at }));
}
