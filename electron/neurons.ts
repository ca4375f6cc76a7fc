// What a dataset says about its neurons: the statistics summarized, the detectors' verdicts with
// the thresholds they used, and for one neuron its top contexts, value-vector logit lens and
// weight norms. Used by the CLI (and the API when the Neurons view comes).
import { getDataset, loadStats, loadTopExamples } from '../db/datasets.js';
import { getModel } from '../db/models.js';
import { neuronSampleValues, readSampledFfn } from '../db/samples.js';
import { loadValueNorms } from '../db/weights.js';
import { detectAll, type Detection, type DetectOptions, type Verdict } from './analysis/detectors.js';
import type { SampledActivations } from './analysis/selectivity.js';
import { neuronLogitLens } from './analysis/logit-lens.js';
import { activeFractionHistogram, summarize, summaryRow, type NeuronSummaryRow, type StatsSummary } from './analysis/neuron-stats.js';
import type { Db } from '../db/database.js';
import { loadModel } from '../native-models/load.js';
import { W, type ModelSpec } from '../native-models/spec.js';
import { loadTokenizer } from '../native-models/tokenizers/tokenizer.js';
import { ApiError } from './errors.js';
import { expertOf, expertRange, type ExpertId } from '../common/experts.js';
import { fireRuleOf, fromStored } from './jobs/capture/checkpoint.js';

export type NeuronRow = NeuronSummaryRow & { expert?: ExpertId; unit?: number } & { verdicts: Array<{ kind: Verdict['kind']; evidence: Verdict['evidence'] }> };

function datasetOrThrow(db: Db, id: number) {
  const d = getDataset(db, id);
  if (!d || d.status !== 'ready') throw new ApiError('not-found', `dataset ${id} does not exist; make one with ffn-lab capture`);
  const model = getModel(db, d.modelId)!;
  return { d, model, spec: model.spec as ModelSpec };
}

export function summaryOf(db: Db, datasetId: number): { summary: StatsSummary; spec: ModelSpec } {
  const { d, spec } = datasetOrThrow(db, datasetId);
  return { summary: summarize(fromStored(loadStats(db, datasetId, spec.nLayers, spec.dFf), fireRuleOf(d.params))), spec };
}

/** The capture's sampled FFN activations for the token-specific and positional detectors; null without samples. */
function sampledOf(db: Db, datasetId: number, spec: ModelSpec): SampledActivations | null {
  const raw = readSampledFfn(db, datasetId, spec.nLayers, spec.dFf);
  if (raw.tokenIds.length === 0) return null;
  return { layers: spec.nLayers, neurons: spec.dFf, tokenIds: raw.tokenIds, tokenText: (id) => raw.tokenText.get(id) ?? String(id), windowPositions: raw.windowPositions, values: raw.values };
}

type DatasetDetection = Detection & { summary: StatsSummary; spec: ModelSpec };

/**
 * The last few detections. A ready dataset never changes, and the table asks again on every
 * filter, sort or page; the key holds the dataset's creation time because an id can be reused
 * after its dataset is deleted.
 */
const detectionCache = new Map<string, DatasetDetection>();

/**
 * Every verdict of a dataset; silent and constant verdicts also get `residual_bound`: the largest
 * L2 change of the residual stream their licensed ablation can make at a seen token (the output
 * change times the value vector's norm), when the weight scan knows the norm.
 */
export function detectDataset(db: Db, datasetId: number, detect?: DetectOptions): DatasetDetection {
  const { d, spec } = datasetOrThrow(db, datasetId);
  const key = `${db.name}:${datasetId}:${d.createdAt}:${JSON.stringify(detect ?? {})}`;
  const hit = detectionCache.get(key);
  if (hit) return hit;
  const { summary } = summaryOf(db, datasetId);
  const detection = detectAll(summary, detect, sampledOf(db, datasetId, spec));
  const norms = loadValueNorms(db, d.modelId, spec.nLayers, spec.dFf);
  for (const v of detection.verdicts) {
    if (v.kind !== 'dead' && v.kind !== 'constant') continue;
    const norm = norms[v.layer * spec.dFf + v.neuron]!;
    if (Number.isFinite(norm)) Object.assign(v.evidence, { residual_bound: v.evidence.ablation.max_change * norm });
  }
  const out = { ...detection, summary, spec };
  detectionCache.set(key, out);
  if (detectionCache.size > 8) detectionCache.delete(detectionCache.keys().next().value as string);
  return out;
}

export interface NeuronQuery {
  kinds?: Array<Verdict['kind']>;
  layer?: number;
  /** mixture of experts only: the units of this expert (routed index or 'shared') */
  expert?: ExpertId;
  sort?: keyof NeuronSummaryRow;
  descending?: boolean;
  /** min <= row[field] <= max for each; a null value does not match */
  ranges?: ReadonlyArray<{ field: keyof NeuronSummaryRow; min?: number | undefined; max?: number | undefined }>;
  offset?: number;
  limit?: number;
  detect?: DetectOptions;
}

function inRanges(row: NeuronRow, ranges: NonNullable<NeuronQuery['ranges']>): boolean {
  return ranges.every(({ field, min, max }) => {
    const v = row[field] as number | null;
    return v !== null && !Number.isNaN(v) && (min === undefined || v >= min) && (max === undefined || v <= max);
  });
}

export function listNeurons(db: Db, datasetId: number, q: NeuronQuery): { neurons: NeuronRow[]; total: number; unavailable: Array<{ kind: string; reason: string }> } {
  const detection = detectDataset(db, datasetId, q.detect);
  const { summary, spec } = detection;
  if (q.layer !== undefined && (q.layer < 0 || q.layer >= spec.nLayers)) throw new ApiError('bad-request', `layer ${q.layer} is not in 0..${spec.nLayers - 1}`);
  const moe = spec.moe;
  if (q.expert !== undefined && !moe) throw new ApiError('bad-request', 'expert: the model is dense (not a mixture of experts)');
  let range = { start: 0, end: spec.dFf };
  if (q.expert !== undefined && moe) {
    try {
      range = expertRange(q.expert, moe);
    } catch (e) {
      throw new ApiError('bad-request', `expert: ${(e as Error).message}`);
    }
  }
  const byNeuron = new Map<number, NeuronRow['verdicts']>();
  for (const v of detection.verdicts) {
    const key = v.layer * spec.dFf + v.neuron;
    byNeuron.set(key, [...(byNeuron.get(key) ?? []), { kind: v.kind, evidence: v.evidence }]);
  }
  let rows: NeuronRow[] = [];
  for (let l = 0; l < spec.nLayers; l++) {
    if (q.layer !== undefined && l !== q.layer) continue;
    for (let f = range.start; f < range.end; f++) {
      const verdicts = byNeuron.get(l * spec.dFf + f) ?? [];
      if (q.kinds && q.kinds.length > 0 && !q.kinds.some((k) => verdicts.some((v) => v.kind === k))) continue;
      rows.push({ ...summaryRow(summary, l, f), ...(moe ? expertOf(f, moe) : {}), verdicts });
    }
  }
  if (q.ranges && q.ranges.length > 0) rows = rows.filter((r) => inRanges(r, q.ranges!));
  if (q.sort) {
    const key = q.sort;
    const sign = q.descending === false ? 1 : -1;
    // nulls last whatever the direction
    rows.sort((a, b) => {
      const x = a[key] as number | null;
      const y = b[key] as number | null;
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
      return sign * (x - y) || a.layer - b.layer || a.neuron - b.neuron;
    });
  }
  const total = rows.length;
  const offset = q.offset ?? 0;
  if (offset > 0 || q.limit !== undefined) rows = rows.slice(offset, q.limit === undefined ? undefined : offset + q.limit);
  return { neurons: rows, total, unavailable: detection.unavailable };
}

export interface NeuronDetail {
  stats: NeuronRow;
  /** the top activating contexts at which the neuron fired (by the capture's rule), largest first */
  contexts: Array<{ rank: number; value: number; document: string; position: number; before: string; token: string; after: string }>;
  /** how many top contexts the capture kept per neuron: fewer listed means the neuron fired on fewer tokens */
  topK: number;
  promoted: Array<{ token: number; text: string | null; score: number }>;
  suppressed: Array<{ token: number; text: string | null; score: number }>;
  weights: { key_norm: number | null; gate_norm: number | null; value_norm: number | null } | null;
  /** the neuron's activations over the capture's sampled tokens, binned; null without samples */
  histogram: { edges: number[]; counts: number[]; samples: number } | null;
}

/** Equal-width bins over [min, max] of the values (one bin when they are all equal). */
export function histogramOf(values: Float32Array, bins = 40): { edges: number[]; counts: number[]; samples: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const n = hi > lo ? bins : 1;
  const width = hi > lo ? (hi - lo) / n : 1;
  const counts = new Array<number>(n).fill(0);
  for (const v of values) counts[Math.min(n - 1, Math.floor((v - lo) / width))]! += 1;
  return { edges: Array.from({ length: n + 1 }, (_, i) => lo + i * width), counts, samples: values.length };
}

/** The neuron's top examples at which it fired by the capture's rule (top-k pads a rare neuron's list with tokens below it), largest first. */
export function firingTopExamples(db: Db, datasetId: number, layer: number, neuron: number) {
  const { d } = datasetOrThrow(db, datasetId);
  const rule = fireRuleOf(d.params);
  const fired = (v: number) => (rule.fireMode === 'magnitude' ? Math.abs(v) : v) > rule.fireThreshold;
  return loadTopExamples(db, datasetId, { layer, neuron }).filter((t) => fired(t.value));
}

/** One neuron: statistics, verdicts, top contexts with the firing token, promoted tokens, weight norms. */
export function neuronDetail(db: Db, datasetId: number, layer: number, neuron: number, detect?: DetectOptions): NeuronDetail {
  const { d, model, spec } = datasetOrThrow(db, datasetId);
  if (!Number.isInteger(layer) || layer < 0 || layer >= spec.nLayers) throw new ApiError('bad-request', `layer ${layer} is not in 0..${spec.nLayers - 1}`);
  if (!Number.isInteger(neuron) || neuron < 0 || neuron >= spec.dFf) throw new ApiError('bad-request', `neuron ${neuron} is not in 0..${spec.dFf - 1}`);
  const stats = listNeurons(db, datasetId, { layer, detect }).neurons[neuron] as NeuronRow;
  const tokenizer = loadTokenizer(model.path, model.tokenizerPath);
  const docs = new Map<number, { name: string; ids: number[] }>();
  // only firing tokens: a rare or dead neuron's top-k is padded with tokens that are no evidence
  const contexts = firingTopExamples(db, datasetId, layer, neuron).map((t) => {
    let doc = docs.get(t.documentId);
    if (!doc) {
      const row = db.prepare('SELECT name, text FROM documents WHERE id = ?').get(t.documentId) as { name: string; text: string };
      doc = { name: row.name, ids: tokenizer ? tokenizer.encode(row.text) : [] };
      docs.set(t.documentId, doc);
    }
    const decode = (ids: number[]) => (tokenizer ? tokenizer.decode(ids, { skipSpecial: true }) : ids.join(' '));
    return {
      rank: t.rank,
      value: t.value,
      document: doc.name,
      position: t.position,
      before: decode(doc.ids.slice(Math.max(0, t.position - 12), t.position)),
      token: decode(doc.ids.slice(t.position, t.position + 1)),
      after: decode(doc.ids.slice(t.position + 1, t.position + 6)),
    };
  });
  const loaded = loadModel(model.path);
  const names = loaded.weightNames();
  const unembedding = loaded.weight(names.includes(W.lmHead) ? W.lmHead : W.tokenEmbedding);
  const finalGain = names.includes(W.finalNormWeight) ? loaded.weight(W.finalNormWeight).data : undefined;
  // Gemma: the FFN output passes its own norm (post_feedforward_layernorm) before the residual; its
  // gain scales each dim as the final norm's does (its 1/RMS is one number per token: no rank change)
  const post = W.layer(layer).postMlpNorm;
  const postGain = names.includes(post) ? loaded.weight(post).data : undefined;
  const gain = finalGain && postGain ? finalGain.map((g, d) => g * (postGain[d] ?? 1)) : (finalGain ?? postGain);
  const lens = neuronLogitLens(loaded.weight(W.layer(layer).mlpOut), neuron, unembedding, { n: 10, ...(gain ? { gain } : {}), center: spec.norm === 'layernorm' });
  const text = (id: number) => (tokenizer ? tokenizer.tokenText(id) : null);
  const weights = db.prepare('SELECT key_norm, gate_norm, value_norm FROM neuron_weights WHERE model_id = ? AND layer = ? AND neuron = ?').get(model.id, layer, neuron) as NeuronDetail['weights'] | undefined;
  return {
    stats,
    contexts,
    topK: (d.params as { topK?: number }).topK ?? contexts.length,
    promoted: lens.promoted.map((p) => ({ token: p.token, text: text(p.token), score: p.score })),
    suppressed: lens.suppressed.map((p) => ({ token: p.token, text: text(p.token), score: p.score })),
    weights: weights ?? null,
    histogram: (() => {
      const values = neuronSampleValues(db, datasetId, layer, spec.dFf, neuron);
      return values.length > 0 ? histogramOf(values) : null;
    })(),
  };
}

export interface LayerRow {
  layer: number;
  tokens: number;
  /** mean over tokens of the fraction of the layer's neurons that fired */
  mean_active_fraction: number | null;
  dead: number;
  constant: number;
  never_positive: number;
  /** tokens per bin of the fraction active (null when the capture has no per-token counts) */
  active_fraction_histogram: { edges: number[]; counts: number[] } | null;
}

/** Per layer: tokens, how much of the layer fires per token (mean and distribution), silent, constant and never-positive neurons. */
export function layerSummary(db: Db, datasetId: number, bins = 20): LayerRow[] {
  const { d, spec } = datasetOrThrow(db, datasetId);
  const acc = fromStored(loadStats(db, datasetId, spec.nLayers, spec.dFf), fireRuleOf(d.params));
  const summary = summarize(acc);
  const verdicts = detectAll(summary).verdicts;
  const count = (kind: Verdict['kind'], layer: number) => verdicts.filter((v) => v.kind === kind && v.layer === layer).length;
  return Array.from({ length: spec.nLayers }, (_, layer) => {
    const h = activeFractionHistogram(acc, layer, bins);
    const mean = summary.meanActiveFraction[layer] as number;
    return {
      layer,
      tokens: summary.tokens[layer] as number,
      mean_active_fraction: Number.isNaN(mean) ? null : mean,
      dead: count('dead', layer),
      constant: count('constant', layer),
      never_positive: count('never_positive', layer),
      active_fraction_histogram: h && { edges: h.edges, counts: h.counts },
    };
  });
}
