// Ablation runs as the API shows them, and the job parameters a start request resolves to: every
// neuron set made exact (verdicts, saved sets, rankings, matched random controls), so a stored run
// can be repeated as it was.
import type { Db } from '../db/database.js';
import { heldOutWarnings } from './analysis/coverage.js';
import { withStoredOrder } from '../common/document-order.js';
import { getAblation, listAblations, type AblationRecord } from '../db/ablations.js';
import type { ModelRecord } from '../db/models.js';
import { loadModel } from '../native-models/load.js';
import { W, type ModelSpec } from '../native-models/spec.js';
import { canonicalWeights, weightsLabel } from '../common/weight-refs.js';
import { checkWeights, matchedWeightControl, type WeightRef } from './analysis/weight-edits.js';
import { AblateParams, type AblationResult, type AblationSummary, type AblationCondition, type ExpertAblation } from './api.js';
import type { z } from 'zod';
import { matchedControl, matchedRandomPrefixes, rankByScore, rankedPrefix } from './analysis/neuron-sets.js';
import { checkDataset, neuronScores, resolveSet } from './ablation-sets.js';
import { ApiError } from './errors.js';
import { AblationStart, SensitivityStart, SweepStart } from './api.js';
import { sensitivityConditions } from './analysis/layer-sensitivity.js';

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
  if (!p.set && !p.weights && !p.experts) throw new ApiError('bad-request', 'nothing to ablate: give a neuron set (set), single weights (weights) or experts (experts)');
  const experts = p.experts ? checkExperts(spec, model.name, p.experts) : undefined;
  const set = p.set ? resolveSet(db, model, p.set) : { label: '', neurons: [] };
  const weights = canonicalWeights(p.weights ?? []);
  const shape = { layers: spec.nLayers, neurons: spec.dFf, dims: spec.dModel };
  try {
    checkWeights(shape, weights);
  } catch (e) {
    throw new ApiError('bad-request', `${(e as Error).message}: model "${model.name}"`);
  }
  if (set.neurons.length === 0 && weights.length === 0 && !experts) throw new ApiError('bad-request', `the set "${set.label}" is empty: nothing to ablate`);
  const label = [set.neurons.length > 0 || (weights.length === 0 && !experts) ? set.label : '', weights.length > 0 ? weightsLabel(weights) : '', experts ? expertsLabel(experts) : ''].filter((s) => s !== '').join(' + ');
  const withWeights = (w: WeightRef[]) => (w.length > 0 ? { weights: w } : {});
  const withExperts = (e: ExpertAblation | undefined) => (e ? { experts: e } : {});
  const conditions: AblationCondition[] = [{ label, neurons: set.neurons, ...withWeights(weights), ...withExperts(experts), origin: p.set ?? { kind: experts && weights.length === 0 ? 'experts' : 'weights' } }];
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
    // whole experts: as many random other experts of each layer, taken out the same way
    let expertControl: ExpertAblation | undefined;
    if (experts && spec.moe) {
      try {
        const picked = matchedControl(experts.list.map((e) => ({ layer: e.layer, neuron: e.expert })), { layers: spec.nLayers, neurons: spec.moe.experts }, p.control.seed);
        expertControl = { mode: experts.mode, list: picked.map((n) => ({ layer: n.layer, expert: n.neuron })) };
      } catch (e) {
        throw new ApiError('bad-request', `no random expert control can match ${expertsLabel(experts)}: ${(e as Error).message.replace('neurons', 'experts')}`);
      }
    }
    conditions.push({ label: `random control (seed ${p.control.seed})`, neurons, ...withWeights(control), ...withExperts(expertControl), origin: { kind: 'control', of: label, seed: p.control.seed } });
  }
  return AblateParams.parse({ ...evalOptions(p), kind: 'compare', conditions });
}

/** "experts unrouted 0:1, 1:3" */
export function expertsLabel(e: ExpertAblation): string {
  return `experts ${e.mode} ${e.list.map((x) => `${x.layer}:${x.expert}`).join(', ')}`;
}

/** The experts exist in this model (a mixture of experts), each once, sorted. */
function checkExperts(spec: ModelSpec, model: string, e: ExpertAblation): ExpertAblation {
  const moe = spec.moe;
  if (!moe) throw new ApiError('bad-request', `model "${model}" (${spec.architecture}) is dense: it has no experts to ablate`);
  for (const x of e.list) {
    if (x.layer >= spec.nLayers) throw new ApiError('bad-request', `expert ${x.layer}:${x.expert}: layer ${x.layer} is not in 0..${spec.nLayers - 1} (model "${model}")`);
    if (x.expert >= moe.experts) throw new ApiError('bad-request', `expert ${x.layer}:${x.expert}: expert ${x.expert} is not in 0..${moe.experts - 1} (model "${model}" routes ${moe.experts} experts)`);
  }
  const list = [...new Map(e.list.map((x) => [`${x.layer}:${x.expert}`, x])).values()].sort((a, b) => a.layer - b.layer || a.expert - b.expert);
  if (e.mode === 'unrouted') {
    // a token must still have topK experts to choose from
    for (let l = 0; l < spec.nLayers; l++) {
      const out = list.filter((x) => x.layer === l).length;
      if (moe.experts - out < moe.topK) throw new ApiError('bad-request', `layer ${l}: removing ${out} of ${moe.experts} experts from routing leaves fewer than the ${moe.topK} each token is routed to; zero their outputs instead (mode zeroed)`);
    }
  }
  return { mode: e.mode, list };
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

/**
 * Layer sensitivity: per chosen layer its whole FFN zeroed and a seeded random fraction of its
 * neurons zeroed, every condition on the condition axis of one run (analysis/layer-sensitivity.ts).
 */
export function sensitivityParams(db: Db, model: ModelRecord, request: z.input<typeof SensitivityStart>): AblateParams {
  const { layers, fraction, ...p } = SensitivityStart.parse(request);
  const spec = model.spec as ModelSpec;
  if (p.method !== 'zero') throw new ApiError('bad-request', `layer sensitivity zeroes neurons (method zero), got method ${p.method}`);
  if (p.datasetId !== undefined) checkDataset(db, model, p.datasetId);
  if (!layers && spec.nLayers > 32) throw new ApiError('bad-request', `model "${model.name}" has ${spec.nLayers} layers; one run holds 32 (64 conditions): choose up to 32 of them (layers)`);
  let conditions;
  try {
    conditions = sensitivityConditions({ layers: spec.nLayers, neurons: spec.dFf }, { ...(layers ? { layers } : {}), fraction, seed: p.seed });
  } catch (e) {
    throw new ApiError('bad-request', `${(e as Error).message} (model "${model.name}")`);
  }
  return AblateParams.parse({ ...p, name: p.name ?? `${model.name}: layer sensitivity`, kind: 'compare', conditions });
}

interface Details {
  tokens: number;
  documents: number;
  baseline: AblationResult['baseline'];
  results: AblationResult['results'];
  perDocument: AblationResult['perDocument'];
  /** absent in runs made before warnings were stored (and in merged runs): derived from `documents` */
  warnings?: string[];
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
  return { ...summary(a.record), modelSha256: a.record.modelSha256, appVersion: a.record.appVersion, params: a.record.params, documents: d.documents, baseline: d.baseline, results: d.results, perDocument: d.perDocument, warnings: d.warnings ?? heldOutWarnings(d.documents) };
}

/** The stored parameters of a run, to start it again as it was. */
export function rerunParams(db: Db, id: number): AblateParams {
  const a = getAblation(db, id);
  if (!a) throw new ApiError('not-found', `ablation run ${id} does not exist`);
  const stored = a.record.params as { filter?: unknown };
  return AblateParams.parse({ ...stored, filter: withStoredOrder(stored.filter ?? {}) });
}
