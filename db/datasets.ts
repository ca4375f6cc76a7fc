// Typed queries for datasets (captures): the row, its resumable checkpoint (the per-neuron sums
// and top examples after the last committed batch), and the statistics readers query.
import { now, type Db } from './database.js';
import { insertSamples, type NewSample } from './samples.js';
import type { ResidTopRow } from '../common/resid-top-row.js';
import { insertRows } from './insert-rows.js';
import { packTopK, unpackTopExamples } from './top-examples.js';
import type { TopK } from '../common/top-k-lists.js';
export type { ResidTopRow };

export interface DatasetRecord {
  id: number;
  name: string;
  modelId: number;
  corpusId: number;
  status: 'capturing' | 'ready';
  jobId: number | null;
  params: unknown;
  tokens: number;
  batchesDone: number;
  batchesTotal: number;
  createdAt: string;
  /** sentences about what the capture read (e.g. one genre only); empty when none */
  warnings: string[];
}

/** Per-neuron running sums, [layer * neurons + neuron], float64 as SQLite stores REAL. */
export interface StoredStats {
  layers: number;
  neurons: number;
  count: Float64Array;
  sum: Float64Array;
  sumsq: Float64Array;
  sumAbs: Float64Array;
  sum3: Float64Array;
  sum4: Float64Array;
  min: Float64Array;
  max: Float64Array;
  fire: Float64Array;
  /** [L * (F + 1)]: tokens at which exactly c of the layer's neurons fired; null when not captured */
  activeHist: Float64Array | null;
}


export interface TopExample {
  layer: number;
  neuron: number;
  rank: number;
  value: number;
  documentId: number;
  position: number;
}

interface DatasetRow {
  id: number;
  name: string;
  model_id: number;
  corpus_id: number;
  status: 'capturing' | 'ready';
  job_id: number | null;
  params: string;
  tokens: number;
  batches_done: number;
  batches_total: number;
  created_at: string;
  warnings: string | null;
}

function toRecord(r: DatasetRow): DatasetRecord {
  return {
    id: r.id,
    name: r.name,
    modelId: r.model_id,
    corpusId: r.corpus_id,
    status: r.status,
    jobId: r.job_id,
    params: JSON.parse(r.params) as unknown,
    tokens: r.tokens,
    batchesDone: r.batches_done,
    batchesTotal: r.batches_total,
    createdAt: r.created_at,
    warnings: JSON.parse(r.warnings ?? '[]') as string[],
  };
}

/** Stores the warnings about what the capture read (replacing any before). */
export function setDatasetWarnings(db: Db, id: number, warnings: readonly string[]): void {
  db.prepare('UPDATE datasets SET warnings = ? WHERE id = ?').run(JSON.stringify(warnings), id);
}

export function createDataset(db: Db, d: { name: string; modelId: number; corpusId: number; jobId: number | null; params: unknown; batchesTotal: number }): DatasetRecord {
  const info = db
    .prepare("INSERT INTO datasets (name, model_id, corpus_id, status, job_id, params, batches_total, created_at) VALUES (?, ?, ?, 'capturing', ?, ?, ?, ?)")
    .run(d.name, d.modelId, d.corpusId, d.jobId, JSON.stringify(d.params), d.batchesTotal, now());
  return getDataset(db, Number(info.lastInsertRowid))!;
}

export function getDataset(db: Db, id: number): DatasetRecord | undefined {
  const row = db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
  return row && toRecord(row);
}

export function datasetOfJob(db: Db, jobId: number): DatasetRecord | undefined {
  const row = db.prepare('SELECT * FROM datasets WHERE job_id = ?').get(jobId) as DatasetRow | undefined;
  return row && toRecord(row);
}

export function listDatasets(db: Db): DatasetRecord[] {
  return (db.prepare("SELECT * FROM datasets WHERE status = 'ready' ORDER BY id").all() as DatasetRow[]).map(toRecord);
}

/**
 * Replaces the dataset's statistics, top examples (none when `top` is null) and residual maxima
 * (when given), appends the sampled hidden states of the batches since the last checkpoint, and
 * advances its cursor, in one transaction.
 */
export function saveCheckpoint(
  db: Db,
  datasetId: number,
  c: { batchesDone: number; tokens: number; stats: StoredStats; top: TopK | null; samples?: readonly NewSample[]; residTop?: readonly ResidTopRow[]; router?: string },
): void {
  const s = c.stats;
  // every row rewritten, many per statement (db/insert-rows.ts): a commit of a 12 x 3072 capture
  // is 36,864 statistics rows and as many top-example rows (one packed list per neuron)
  function* statRows(): Generator<unknown[]> {
    for (let l = 0; l < s.layers; l++) {
      for (let f = 0; f < s.neurons; f++) {
        const i = l * s.neurons + f;
        yield [datasetId, l, f, s.count[i], s.sum[i], s.sumsq[i], s.sumAbs[i], s.sum3[i], s.sum4[i], s.min[i], s.max[i], s.fire[i]];
      }
    }
  }
  db.transaction(() => {
    db.prepare('DELETE FROM neuron_stats WHERE dataset_id = ?').run(datasetId);
    db.prepare('DELETE FROM top_examples WHERE dataset_id = ?').run(datasetId);
    insertRows(db, 'neuron_stats', ['dataset_id', 'layer', 'neuron', 'count', 'sum', 'sumsq', 'sum_abs', 'sum3', 'sum4', 'min', 'max', 'fire_count'], statRows());
    if (c.top) insertRows(db, 'top_examples', ['dataset_id', 'layer', 'neuron', 'examples'], packTopK(c.top).map(([layer, neuron, examples]) => [datasetId, layer, neuron, examples]));
    if (c.residTop) {
      db.prepare('DELETE FROM resid_top WHERE dataset_id = ?').run(datasetId);
      insertRows(db, 'resid_top', ['dataset_id', 'layer', 'dim', 'rank', 'abs', 'value', 'document_id', 'position', 'token_id'], c.residTop.map((r) => [datasetId, r.layer, r.dim, r.rank, r.abs, r.value, r.documentId, r.position, r.tokenId]));
    }
    insertSamples(db, datasetId, c.samples ?? []);
    // mixture of experts: the router totals (JSON, analysis/router-stats.ts)
    if (c.router !== undefined) db.prepare('INSERT OR REPLACE INTO router_stats (dataset_id, state) VALUES (?, ?)').run(datasetId, c.router);
    const hist = s.activeHist && Buffer.from(s.activeHist.buffer, s.activeHist.byteOffset, s.activeHist.byteLength);
    db.prepare('UPDATE datasets SET batches_done = ?, tokens = ?, active_hist = ? WHERE id = ?').run(c.batchesDone, c.tokens, hist, datasetId);
  }).immediate();
}

/** The statistics as last committed (all zeros with +-inf extremes when nothing was committed). */
export function loadStats(db: Db, datasetId: number, layers: number, neurons: number): StoredStats {
  const n = layers * neurons;
  const z = () => new Float64Array(n);
  const blob = (db.prepare('SELECT active_hist FROM datasets WHERE id = ?').get(datasetId) as { active_hist: Buffer | null } | undefined)?.active_hist ?? null;
  // copy out of the row buffer: Float64Array needs 8-byte alignment
  const activeHist = blob ? new Float64Array(new Uint8Array(blob).buffer) : null;
  const s: StoredStats = {
    layers,
    neurons,
    count: z(),
    sum: z(),
    sumsq: z(),
    sumAbs: z(),
    sum3: z(),
    sum4: z(),
    min: z().fill(Infinity),
    max: z().fill(-Infinity),
    fire: z(),
    activeHist,
  };
  const rows = db.prepare('SELECT * FROM neuron_stats WHERE dataset_id = ?').iterate(datasetId) as Iterable<{
    layer: number;
    neuron: number;
    count: number;
    sum: number;
    sumsq: number;
    sum_abs: number;
    sum3: number | null;
    sum4: number | null;
    min: number;
    max: number;
    fire_count: number;
  }>;
  for (const r of rows) {
    const i = r.layer * neurons + r.neuron;
    s.count[i] = r.count;
    s.sum[i] = r.sum;
    s.sumsq[i] = r.sumsq;
    s.sumAbs[i] = r.sum_abs;
    s.sum3[i] = r.sum3 ?? 0;
    s.sum4[i] = r.sum4 ?? 0;
    // SQLite stores +-Infinity as REAL; a never-seen neuron keeps them
    s.min[i] = r.min;
    s.max[i] = r.max;
    s.fire[i] = r.fire_count;
  }
  return s;
}

/** The top examples as last committed, ordered by layer, neuron, rank. */
export function loadTopExamples(db: Db, datasetId: number, where: { layer?: number; neuron?: number } = {}): TopExample[] {
  const rows = db
    .prepare(
      `SELECT layer, neuron, examples FROM top_examples WHERE dataset_id = ?
       ${where.layer !== undefined ? 'AND layer = ?' : ''} ${where.neuron !== undefined ? 'AND neuron = ?' : ''} ORDER BY layer, neuron`,
    )
    .all(datasetId, ...[where.layer, where.neuron].filter((v) => v !== undefined)) as Array<{ layer: number; neuron: number; examples: Buffer }>;
  const out: TopExample[] = [];
  for (const r of rows) unpackTopExamples(datasetId, r.layer, r.neuron, r.examples, out);
  return out;
}

/** The residual maxima as last committed, ordered by layer, dim, rank. */
export function loadResidTop(db: Db, datasetId: number, where: { layer?: number } = {}): ResidTopRow[] {
  return db
    .prepare(
      `SELECT layer, dim, rank, abs, value, document_id AS documentId, position, token_id AS tokenId FROM resid_top WHERE dataset_id = ?
       ${where.layer !== undefined ? 'AND layer = ?' : ''} ORDER BY layer, dim, rank`,
    )
    .all(datasetId, ...(where.layer !== undefined ? [where.layer] : [])) as ResidTopRow[];
}

export function markDatasetReady(db: Db, id: number): void {
  db.prepare("UPDATE datasets SET status = 'ready' WHERE id = ?").run(id);
}

export function deleteUnfinishedDatasetOfJob(db: Db, jobId: number): boolean {
  return db.prepare("DELETE FROM datasets WHERE job_id = ? AND status = 'capturing'").run(jobId).changes > 0;
}

/** Per neuron [layer * neurons + neuron], its mean activation over the capture's tokens. */
export function loadMeans(db: Db, datasetId: number, layers: number, neurons: number): Float32Array {
  const s = loadStats(db, datasetId, layers, neurons);
  // A mean lies within [min, max]; clamping undoes the rounding of the graph's float32 batch sums,
  // so a constant neuron's mean is its exact value and mean ablation of it changes nothing.
  return Float32Array.from(s.sum, (v, i) => Math.min(s.max[i] as number, Math.max(s.min[i] as number, v / (s.count[i] as number))));
}

/** A capture's router totals as last committed (JSON, analysis/router-stats.ts); null for dense models. */
export function loadRouterState(db: Db, datasetId: number): string | null {
  const row = db.prepare('SELECT state FROM router_stats WHERE dataset_id = ?').get(datasetId) as { state: string } | undefined;
  return row?.state ?? null;
}
