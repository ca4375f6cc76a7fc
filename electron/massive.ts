// Massive activations of a capture's residual stream and the W_out weights that write them: the
// residual maxima the capture kept (resid_top), the layer medians from its sampled hidden states,
// the detector (analysis/massive-dims.ts), and for each massive dim the activation-informed
// super-weight ranking (analysis/super-weights.ts) over the model's weights. Used by the API
// (neurons.massiveDims) and the CLI (massive-dims).
import { getDataset, loadResidTop } from '../db/datasets.js';
import type { Db } from '../db/database.js';
import { getModel } from '../db/models.js';
import { sampleIds, sampleSlices } from '../db/samples.js';
import { loadModel } from '../native-models/load.js';
import { W, type ModelSpec } from '../native-models/spec.js';
import { loadTokenizer } from '../native-models/tokenizers/tokenizer.js';
import type { MassiveDims } from './api.js';
import { detectMassiveDims, medianAbs, type MassiveDimsOptions, type ResidOccurrence } from './analysis/massive-dims.js';
import { SUPER_WEIGHT_DEFAULTS, superWeightCandidates, type WeightContribution } from './analysis/super-weights.js';
import { ApiError } from './errors.js';
import { summaryOf } from './neurons.js';

export interface MassiveDimsQuery extends MassiveDimsOptions {
  /** a super-weight candidate writes at least this share of the dim's max |value| */
  minShare?: number;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Per layer of the capture's residual stream: median |value| over the sampled tokens; null without samples. */
export function layerMedians(db: Db, datasetId: number, layers: number, dModel: number): { medians: number[] | null; samples: number } {
  const ids = sampleIds(db, datasetId);
  if (ids.length === 0) return { medians: null, samples: 0 };
  const medians = Array.from({ length: layers }, (_, l) => medianAbs(sampleSlices(db, datasetId, 'residual', l * dModel, dModel, ids)));
  return { medians, samples: ids.length };
}

export function massiveDims(db: Db, datasetId: number, q: MassiveDimsQuery = {}): MassiveDims {
  const d = getDataset(db, datasetId);
  if (!d || d.status !== 'ready') throw new ApiError('not-found', `dataset ${datasetId} does not exist; make one with ffn-lab capture`);
  const model = getModel(db, d.modelId)!;
  const spec = model.spec as ModelSpec;
  const { nLayers: L, dModel: D, dFf: F } = spec;
  const residK = (d.params as { residTopK?: number }).residTopK ?? 0;
  const top = residK > 0 ? loadResidTop(db, datasetId) : null;
  const { medians, samples } = top ? layerMedians(db, datasetId, L, D) : { medians: null, samples: 0 };
  const found = detectMassiveDims({ layers: L, dims: D, top, layerMedian: medians, samples }, q);
  const minShare = q.minShare ?? SUPER_WEIGHT_DEFAULTS.minShare;
  const thresholds = { min_ratio: found.thresholds.minRatio, min_abs: found.thresholds.minAbs, min_share: minShare };
  const rule = `activation-informed: |W_out[d, f]| x the peak |activation| of neuron f over the capture >= ${minShare} x the dim's max |value|, in the first layer where the dim is massive (the weight scan's super_weights rank |w| alone)`;
  if (!found.available) return { available: false, reason: found.reason, thresholds, super_weight_rule: rule, samples: 0, layers: [], dims: [] };

  const tokenizer = loadTokenizer(model.path, model.tokenizerPath);
  const docName = new Map<number, string>();
  const nameOf = (id: number): string => {
    let name = docName.get(id);
    if (name === undefined) {
      name = (db.prepare('SELECT name FROM documents WHERE id = ?').get(id) as { name: string } | undefined)?.name ?? `#${id}`;
      docName.set(id, name);
    }
    return name;
  };
  const where = (occ: readonly ResidOccurrence[]) =>
    occ.map((o) => ({ value: finite(o.value), abs: finite(o.abs), document_id: o.documentId, document: nameOf(o.documentId), position: o.position, token_id: o.tokenId, token: tokenizer ? tokenizer.tokenText(o.tokenId) : null }));

  let weights: Map<number, WeightContribution[]> = new Map();
  let candidates = new Map<number, number>();
  if (found.dims.length > 0) {
    const loaded = loadModel(model.path);
    const ranked = superWeightCandidates(
      { dims: found.dims, layers: L, neurons: F, dModel: D, wOut: (l) => loaded.weight(W.layer(l).mlpOut), peakAbs: summaryOf(db, datasetId).summary.peakAbs },
      { minShare },
    );
    weights = new Map(ranked.map((r) => [r.dim, r.contributions]));
    candidates = new Map(ranked.map((r) => [r.dim, r.candidates]));
  }
  return {
    available: true,
    reason: null,
    thresholds,
    super_weight_rule: rule,
    samples: found.samples,
    layers: found.layers.map((l) => ({
      layer: l.layer,
      median: finite(l.median),
      threshold: finite(l.threshold),
      dims: l.dims.map((x) => ({ dim: x.dim, max_abs: finite(x.maxAbs), ratio: finite(x.ratio), first_layer: x.firstLayer, where: where(x.occurrences) })),
    })),
    dims: found.dims.map((x) => ({
      dim: x.dim,
      first_layer: x.firstLayer,
      layers: x.layers,
      max_abs: finite(x.maxAbs),
      ratio: finite(x.ratio),
      where: where(x.occurrences),
      super_weights: (weights.get(x.dim) ?? []).map((c) => ({
        layer: c.layer,
        neuron: c.neuron,
        dim: c.dim,
        weight: c.weight,
        peak_abs: finite(c.peakAbs),
        contribution: finite(c.contribution),
        share: finite(c.share),
        candidate: c.candidate,
      })),
      candidates: candidates.get(x.dim) ?? 0,
    })),
  };
}
