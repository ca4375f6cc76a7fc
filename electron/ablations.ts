// Ablation runs as the API shows them, and the job parameters a start request resolves to: every
// neuron set made exact (verdicts, saved sets, rankings, matched random controls), so a stored run
// can be repeated as it was.
import type { Db } from '../db/database.js';
import { getAblation, listAblations, type AblationRecord } from '../db/ablations.js';
import type { ModelRecord } from '../db/models.js';
import { loadModel } from '../native-models/load.js';
import { W, type ModelSpec } from '../native-models/spec.js';
import { canonicalWeights, weightsLabel } from '../common/weight-refs.js';
import { checkWeights, matchedWeightControl, type WeightRef } from './analysis/weight-edits.js';
import { AblateParams, type AblationResult, type AblationSummary, type AblationCondition } from './api.js';
import type { z } from 'zod';
import { matchedControl, matchedRandomPrefixes, rankByScore, rankedPrefix } from './analysis/neuron-sets.js';
import { checkDataset, neuronScores, resolveSet } from './ablation-sets.js';
import { ApiError } from './errors.js';
import { AblationStart, SweepStart } from './api.js';

type Start = z.infer<typeof AblationStart>;
type Sweep = z.infer<typeof SweepStart>;

function evalOptions(p: Start | Sweep) {
  const { set: _set, weights: _w, control: _control, criterion: _c, order: _o, fractions: _f, ...rest } = p as Start & Sweep;
  return rest;
}

/**
 * The ablated set and/or single weights, and with `control` a random set matched to the set in size
 * and per-layer counts, and per weight a random weight of its layer with a similar |value| rank.
 */
export function compareParams(db: Db, model: ModelRecord, request: z.input<typeof AblationStart>): AblateParams {
  const p = AblationStart.parse(request);
  const spec = model.spec as ModelSpec;
  if (p.datasetId !== undefined) checkDataset(db, model, p.datasetId);
  if (!p.set && !p.weights) throw new ApiError('bad-request', 'nothing to ablate: give a neuron set (set) or single weights (weights)');
  const set = p.set ? resolveSet(db, model, p.set) : { label: '', neurons: [] };
  const weights = canonicalWeights(p.weights ?? []);
  const shape = { layers: spec.nLayers, neurons: spec.dFf, dims: spec.dModel };
  try {
    checkWeights(shape, weights);
  } catch (e) {
    throw new ApiError('bad-request', `${(e as Error).message}: model "${model.name}"`);
  }
  if (set.neurons.length === 0 && weights.length === 0) throw new ApiError('bad-request', `the set "${set.label}" is empty: nothing to ablate`);
  const label = [set.neurons.length > 0 || weights.length === 0 ? set.label : '', weights.length > 0 ? weightsLabel(weights) : ''].filter((s) => s !== '').join(' + ');
  const withWeights = (w: WeightRef[]) => (w.length > 0 ? { weights: w } : {});
  const conditions: AblationCondition[] = [{ label, neurons: set.neurons, ...withWeights(weights), origin: p.set ?? { kind: 'weights' } }];
  if (p.control) {
    let neurons: AblationCondition['neurons'] = [];
    try {
      if (set.neurons.length > 0) neurons = matchedControl(set.neurons, { layers: spec.nLayers, neurons: spec.dFf }, p.control.seed);
    } catch (e) {
      throw new ApiError('bad-request', `no random control can match "${set.label}": ${(e as Error).message}`);
    }
    let control: WeightRef[] = [];
    if (weights.length > 0) {
      const loaded = loadModel(model.path);
      try {
        control = matchedWeightControl(weights, shape, (l) => loaded.weight(W.layer(l).mlpOut).data, p.control.seed);
      } catch (e) {
        throw new ApiError('bad-request', `no random weight control can match "${label}": ${(e as Error).message}`);
      }
    }
    conditions.push({ label: `random control (seed ${p.control.seed})`, neurons, ...withWeights(control), origin: { kind: 'control', of: label, seed: p.control.seed } });
  }
  return AblateParams.parse({ ...evalOptions(p), kind: 'compare', conditions });
}

/** Increasing fractions of all neurons in ranking order, each beside a matched random set. */
export function sweepParams(db: Db, model: ModelRecord, request: z.input<typeof SweepStart>): AblateParams {
  const p = SweepStart.parse(request);
  const spec = model.spec as ModelSpec;
  const shape = { layers: spec.nLayers, neurons: spec.dFf };
  const ranking = rankByScore(neuronScores(db, model, p.datasetId, p.criterion), shape, p.order);
  const fractions = [...new Set(p.fractions)].filter((f) => f > 0).sort((a, b) => a - b);
  if (fractions.length === 0) throw new ApiError('bad-request', 'a sweep needs fractions above 0 (0 is the intact model, always included)');
  const random = matchedRandomPrefixes(ranking, fractions, shape, p.seed);
  const pct = (f: number) => `${Math.round(f * 1000) / 10}%`;
  const conditions: AblationCondition[] = fractions.flatMap((f, i) => [
    { label: `${p.criterion} ${pct(f)}`, neurons: rankedPrefix(ranking, f), series: p.criterion, fraction: f },
    { label: `random ${pct(f)}`, neurons: random[i] ?? [], series: 'random', fraction: f },
  ]);
  return AblateParams.parse({ ...evalOptions(p), kind: 'sweep', conditions, sweep: { criterion: p.criterion, order: p.order } });
}

interface Details {
  tokens: number;
  documents: number;
  baseline: AblationResult['baseline'];
  results: AblationResult['results'];
  perDocument: AblationResult['perDocument'];
}

function summary(r: AblationRecord): AblationSummary {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    modelId: r.modelId,
    datasetId: r.datasetId,
    corpusId: r.corpusId,
    method: r.method,
    conditions: (r.params as { conditions?: unknown[] }).conditions?.length ?? 0,
    tokens: r.tokens,
    createdAt: r.createdAt,
  };
}

export function ablationSummaries(db: Db, modelId?: number): AblationSummary[] {
  return listAblations(db, modelId).map(summary);
}

export function ablationResult(db: Db, id: number): AblationResult {
  const a = getAblation(db, id);
  if (!a) throw new ApiError('not-found', `ablation run ${id} does not exist`);
  const d = a.details as Details;
  return { ...summary(a.record), modelSha256: a.record.modelSha256, appVersion: a.record.appVersion, params: a.record.params, documents: d.documents, baseline: d.baseline, results: d.results, perDocument: d.perDocument };
}

/** The stored parameters of a run, to start it again as it was. */
export function rerunParams(db: Db, id: number): AblateParams {
  const a = getAblation(db, id);
  if (!a) throw new ApiError('not-found', `ablation run ${id} does not exist`);
  return AblateParams.parse(a.record.params);
}
