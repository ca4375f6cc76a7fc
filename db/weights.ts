// The weight scan of a model, stored with it: per file tensor, per FFN neuron, and the
// super-weight candidates of each FFN output matrix.
import type { Db } from './database.js';

export interface TensorScanRow {
  tensor: string;
  dtype: string;
  shape: number[];
  nan: number;
  inf: number;
  subnormal: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  kurtosis: number | null;
  maxAbs: number | null;
  maxAbsIndex: number[] | null;
  invalidTotal: number;
  /** per-block scales of a block-quantized tensor (GGUF Q8_0, Q4_K, ...); null for plain floats */
  blockScales: BlockScalesRow | null;
}

/** A quantized tensor's per-block scales d: their |d| range and the block with the largest |d|. */
export interface BlockScalesRow {
  blockSize: number;
  blocks: number;
  nonFinite: number;
  min: number | null;
  median: number | null;
  max: number | null;
  maxBlock: { index: number; d: number; start: number[]; end: number[]; ratio: number | null } | null;
}

export interface InvalidRow {
  tensor: string;
  index: number[];
  value: 'nan' | 'inf' | '-inf';
}

export interface NeuronWeightsRow {
  layer: number;
  neuron: number;
  /** null where the weights are not finite */
  keyNorm: number | null;
  gateNorm: number | null;
  valueNorm: number | null;
}

export interface SuperWeightRow {
  layer: number;
  row: number;
  neuron: number;
  value: number;
  ratio: number;
  rule: string;
}

export interface WeightScan {
  tensors: TensorScanRow[];
  invalid: InvalidRow[];
  neurons: NeuronWeightsRow[];
  superWeights: SuperWeightRow[];
}

/** Replaces the model's scan; call inside the transaction that writes the model, or alone. */
export function saveWeightScan(db: Db, modelId: number, scan: WeightScan): void {
  db.transaction(() => {
    for (const t of ['weight_scans', 'weight_invalid', 'neuron_weights', 'super_weights']) db.prepare(`DELETE FROM ${t} WHERE model_id = ?`).run(modelId);
    const t = db.prepare(
      `INSERT INTO weight_scans (model_id, tensor, dtype, shape, nan_count, inf_count, subnormal_count, min, max, mean, std, kurtosis, max_abs, max_abs_index, invalid_total, ordinal, block_scales)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    scan.tensors.forEach((r, ordinal) => {
      t.run(modelId, r.tensor, r.dtype, JSON.stringify(r.shape), r.nan, r.inf, r.subnormal, r.min, r.max, r.mean, r.std, r.kurtosis, r.maxAbs, r.maxAbsIndex && JSON.stringify(r.maxAbsIndex), r.invalidTotal, ordinal, r.blockScales && JSON.stringify(r.blockScales));
    });
    const inv = db.prepare('INSERT INTO weight_invalid (model_id, tensor, idx, value) VALUES (?, ?, ?, ?)');
    for (const r of scan.invalid) inv.run(modelId, r.tensor, JSON.stringify(r.index), r.value);
    const n = db.prepare('INSERT INTO neuron_weights (model_id, layer, neuron, key_norm, gate_norm, value_norm) VALUES (?, ?, ?, ?, ?, ?)');
    for (const r of scan.neurons) n.run(modelId, r.layer, r.neuron, r.keyNorm, r.gateNorm, r.valueNorm);
    const sw = db.prepare('INSERT INTO super_weights (model_id, layer, row, neuron, value, ratio, rule) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const r of scan.superWeights) sw.run(modelId, r.layer, r.row, r.neuron, r.value, r.ratio, r.rule);
  })();
}

export function loadWeightScan(db: Db, modelId: number): Omit<WeightScan, 'neurons'> {
  const tensors = (
    db.prepare('SELECT * FROM weight_scans WHERE model_id = ? ORDER BY ordinal').all(modelId) as Array<{
      tensor: string;
      dtype: string;
      shape: string;
      nan_count: number;
      inf_count: number;
      subnormal_count: number;
      min: number | null;
      max: number | null;
      mean: number | null;
      std: number | null;
      kurtosis: number | null;
      max_abs: number | null;
      max_abs_index: string | null;
      invalid_total: number;
      block_scales: string | null;
    }>
  ).map((r) => ({
    tensor: r.tensor,
    dtype: r.dtype,
    shape: JSON.parse(r.shape) as number[],
    nan: r.nan_count,
    inf: r.inf_count,
    subnormal: r.subnormal_count,
    min: r.min,
    max: r.max,
    mean: r.mean,
    std: r.std,
    kurtosis: r.kurtosis,
    maxAbs: r.max_abs,
    maxAbsIndex: r.max_abs_index === null ? null : (JSON.parse(r.max_abs_index) as number[]),
    invalidTotal: r.invalid_total,
    blockScales: r.block_scales === null ? null : (JSON.parse(r.block_scales) as BlockScalesRow),
  }));
  const invalid = (db.prepare('SELECT tensor, idx, value FROM weight_invalid WHERE model_id = ? ORDER BY rowid').all(modelId) as Array<{ tensor: string; idx: string; value: InvalidRow['value'] }>).map(
    (r) => ({ tensor: r.tensor, index: JSON.parse(r.idx) as number[], value: r.value }),
  );
  const superWeights = db.prepare('SELECT layer, row, neuron, value, ratio, rule FROM super_weights WHERE model_id = ? ORDER BY layer, ratio DESC').all(modelId) as SuperWeightRow[];
  return { tensors, invalid, superWeights };
}

export function hasWeightScan(db: Db, modelId: number): boolean {
  return db.prepare('SELECT 1 FROM weight_scans WHERE model_id = ? LIMIT 1').get(modelId) !== undefined;
}

/** The first invalid entry the scan stored for a model, or undefined when its weights are all finite. */
export function firstInvalidWeight(db: Db, modelId: number): InvalidRow | undefined {
  const r = db.prepare('SELECT tensor, idx, value FROM weight_invalid WHERE model_id = ? ORDER BY rowid LIMIT 1').get(modelId) as
    | { tensor: string; idx: string; value: InvalidRow['value'] }
    | undefined;
  return r && { tensor: r.tensor, index: JSON.parse(r.idx) as number[], value: r.value };
}

/** Per neuron, the norm of its value vector (its W_out column), [layer * neurons + neuron]; NaN where unknown. */
export function loadValueNorms(db: Db, modelId: number, layers: number, neurons: number): Float64Array {
  const out = new Float64Array(layers * neurons).fill(Number.NaN);
  const rows = db.prepare('SELECT layer, neuron, value_norm FROM neuron_weights WHERE model_id = ?').all(modelId) as Array<{ layer: number; neuron: number; value_norm: number | null }>;
  for (const r of rows) if (r.value_norm !== null && r.layer < layers && r.neuron < neurons) out[r.layer * neurons + r.neuron] = r.value_norm;
  return out;
}
