// What a dataset says about its neurons: the statistics summarized, the detectors' verdicts with
// the thresholds they used, and for one neuron its top contexts, value-vector logit lens and
// weight norms. Used by the CLI (and the API when the Neurons view comes).
import { getDataset, loadStats, loadTopExamples } from '../db/datasets.js';
import { getModel } from '../db/models.js';
import { neuronSampleValues } from '../db/samples.js';
import { detectAll, type DetectOptions, type Verdict } from './analysis/detectors.js';
import { neuronLogitLens } from './analysis/logit-lens.js';
import { activeFractionHistogram, summarize, summaryRow, type NeuronSummaryRow, type StatsSummary } from './analysis/neuron-stats.js';
import type { Db } from '../db/database.js';
import { loadModel } from '../native-models/load.js';
import { W, type ModelSpec } from '../native-models/spec.js';
import { loadTokenizer } from '../native-models/tokenizers/tokenizer.js';
import { ApiError } from './errors.js';
import { fromStored } from './jobs/capture/checkpoint.js';

export type NeuronRow = NeuronSummaryRow & { verdicts: Array<{ kind: Verdict['kind']; evidence: Verdict['evidence'] }> };

function datasetOrThrow(db: Db, id: number) {
  const d = getDataset(db, id);
  if (!d || d.status !== 'ready') throw new ApiError('not-found', `dataset ${id} does not exist; make one with ffn-lab capture`);
  const model = getModel(db, d.modelId)!;
  return { d, model, spec: model.spec as ModelSpec };
}

export function summaryOf(db: Db, datasetId: number): { summary: StatsSummary; spec: ModelSpec } {
  const { d, spec } = datasetOrThrow(db, datasetId);
  const threshold = (d.params as { threshold?: number }).threshold ?? 0;
  return { summary: summarize(fromStored(loadStats(db, datasetId, spec.nLayers, spec.dFf), threshold)), spec };
}

export interface NeuronQuery {
  kinds?: Array<Verdict['kind']>;
  layer?: number;
  sort?: keyof NeuronSummaryRow;
  descending?: boolean;
  limit?: number;
  detect?: DetectOptions;
}

export function listNeurons(db: Db, datasetId: number, q: NeuronQuery): { neurons: NeuronRow[]; total: number; unavailable: Array<{ kind: string; reason: string }> } {
  const { summary, spec } = summaryOf(db, datasetId);
  if (q.layer !== undefined && (q.layer < 0 || q.layer >= spec.nLayers)) throw new ApiError('bad-request', `layer ${q.layer} is not in 0..${spec.nLayers - 1}`);
  const detection = detectAll(summary, q.detect);
  const byNeuron = new Map<number, NeuronRow['verdicts']>();
  for (const v of detection.verdicts) {
    const key = v.layer * spec.dFf + v.neuron;
    byNeuron.set(key, [...(byNeuron.get(key) ?? []), { kind: v.kind, evidence: v.evidence }]);
  }
  let rows: NeuronRow[] = [];
  for (let l = 0; l < spec.nLayers; l++) {
    if (q.layer !== undefined && l !== q.layer) continue;
    for (let f = 0; f < spec.dFf; f++) {
      const verdicts = byNeuron.get(l * spec.dFf + f) ?? [];
      if (q.kinds && q.kinds.length > 0 && !q.kinds.some((k) => verdicts.some((v) => v.kind === k))) continue;
      rows.push({ ...summaryRow(summary, l, f), verdicts });
    }
  }
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
  if (q.limit !== undefined) rows = rows.slice(0, q.limit);
  return { neurons: rows, total, unavailable: detection.unavailable };
}

export interface NeuronDetail {
  stats: NeuronRow;
  contexts: Array<{ rank: number; value: number; document: string; position: number; before: string; token: string; after: string }>;
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

/** One neuron: statistics, verdicts, top contexts with the firing token, promoted tokens, weight norms. */
export function neuronDetail(db: Db, datasetId: number, layer: number, neuron: number, detect?: DetectOptions): NeuronDetail {
  const { model, spec } = datasetOrThrow(db, datasetId);
  if (!Number.isInteger(layer) || layer < 0 || layer >= spec.nLayers) throw new ApiError('bad-request', `layer ${layer} is not in 0..${spec.nLayers - 1}`);
  if (!Number.isInteger(neuron) || neuron < 0 || neuron >= spec.dFf) throw new ApiError('bad-request', `neuron ${neuron} is not in 0..${spec.dFf - 1}`);
  const stats = listNeurons(db, datasetId, { layer, detect }).neurons[neuron] as NeuronRow;
  const tokenizer = loadTokenizer(model.path);
  const docs = new Map<number, { name: string; ids: number[] }>();
  const contexts = loadTopExamples(db, datasetId, { layer, neuron }).map((t) => {
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
  const gain = names.includes(W.finalNormWeight) ? loaded.weight(W.finalNormWeight).data : undefined;
  const lens = neuronLogitLens(loaded.weight(W.layer(layer).mlpOut), neuron, unembedding, { n: 10, ...(gain ? { gain } : {}), center: spec.norm === 'layernorm' });
  const text = (id: number) => (tokenizer ? tokenizer.tokenText(id) : null);
  const weights = db.prepare('SELECT key_norm, gate_norm, value_norm FROM neuron_weights WHERE model_id = ? AND layer = ? AND neuron = ?').get(model.id, layer, neuron) as NeuronDetail['weights'] | undefined;
  return {
    stats,
    contexts,
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
  /** tokens per bin of the fraction active (null when the capture has no per-token counts) */
  active_fraction_histogram: { edges: number[]; counts: number[] } | null;
}

/** Per layer: tokens, how much of the layer fires per token (mean and distribution), dead neurons. */
export function layerSummary(db: Db, datasetId: number, bins = 20): LayerRow[] {
  const { d, spec } = datasetOrThrow(db, datasetId);
  const threshold = (d.params as { threshold?: number }).threshold ?? 0;
  const acc = fromStored(loadStats(db, datasetId, spec.nLayers, spec.dFf), threshold);
  const summary = summarize(acc);
  const dead = detectAll(summary).verdicts.filter((v) => v.kind === 'dead');
  return Array.from({ length: spec.nLayers }, (_, layer) => {
    const h = activeFractionHistogram(acc, layer, bins);
    const mean = summary.meanActiveFraction[layer] as number;
    return {
      layer,
      tokens: summary.tokens[layer] as number,
      mean_active_fraction: Number.isNaN(mean) ? null : mean,
      dead: dead.filter((v) => v.layer === layer).length,
      active_fraction_histogram: h && { edges: h.edges, counts: h.counts },
    };
  });
}
