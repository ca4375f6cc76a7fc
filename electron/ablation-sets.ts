// Turns a SetSource (a detector verdict of a capture, a saved set, a list, or the top k by a score)
// into the exact neurons of one model, with a label for tables and figures.
import type { Db } from '../db/database.js';
import { getDataset, loadMeans } from '../db/datasets.js';
import type { ModelRecord } from '../db/models.js';
import { getNeuronSet } from '../db/neuron-sets.js';
import { loadValueNorms } from '../db/weights.js';
import type { ModelSpec } from '../native-models/spec.js';
import { SetSource, type RankScore } from './api.js';
import type { z } from 'zod';
import { canonical, rankByScore, type NeuronRef } from './analysis/neuron-sets.js';
import { ablationEdit, type NeuronEdit } from './analysis/ablation-edit.js';
import { ApiError } from './errors.js';
import { listNeurons, summaryOf } from './neurons.js';

export interface ResolvedSet {
  label: string;
  neurons: NeuronRef[];
}

export function checkDataset(db: Db, model: ModelRecord, datasetId: number): void {
  const d = getDataset(db, datasetId);
  if (!d || d.status !== 'ready') throw new ApiError('not-found', `capture ${datasetId} does not exist or has not finished`);
  if (d.modelId !== model.id) throw new ApiError('bad-request', `capture ${datasetId} "${d.name}" was made with another model (id ${d.modelId}), not "${model.name}"`);
}

/** Per neuron [L * F], the score a ranking uses. */
export function neuronScores(db: Db, model: ModelRecord, datasetId: number, score: RankScore): Float64Array {
  checkDataset(db, model, datasetId);
  const { summary, spec } = summaryOf(db, datasetId);
  const n = spec.nLayers * spec.dFf;
  switch (score) {
    case 'fire_rate':
      return summary.fireRate;
    case 'mean_abs':
      if (!summary.meanAbs) throw new ApiError('bad-request', `capture ${datasetId} has no mean |act| (captured before moments were kept); capture again`);
      return summary.meanAbs;
    case 'value_norm':
    case 'wanda': {
      const norms = loadValueNorms(db, model.id, spec.nLayers, spec.dFf);
      if (score === 'value_norm') return norms;
      // Wanda's |W| x ||X||, per neuron: the value vector's norm times the activation's RMS over tokens
      return Float64Array.from({ length: n }, (_, i) => (norms[i] as number) * Math.sqrt((summary.std[i] as number) ** 2 + (summary.mean[i] as number) ** 2));
    }
  }
}

export function resolveSet(db: Db, model: ModelRecord, request: z.input<typeof SetSource>): ResolvedSet {
  const source = SetSource.parse(request);
  const spec = model.spec as ModelSpec;
  switch (source.kind) {
    case 'verdict': {
      checkDataset(db, model, source.datasetId);
      const rows = listNeurons(db, source.datasetId, { kinds: [source.verdict], ...(source.detect ? { detect: source.detect } : {}) }).neurons;
      return { label: source.verdict.replace('_', '-'), neurons: canonical(rows.map((r) => ({ layer: r.layer, neuron: r.neuron }))) };
    }
    case 'saved': {
      const s = getNeuronSet(db, source.id);
      if (!s) throw new ApiError('not-found', `neuron set ${source.id} does not exist`);
      if (s.modelId !== model.id) throw new ApiError('bad-request', `neuron set "${s.name}" belongs to another model (id ${s.modelId}), not "${model.name}"`);
      return { label: s.name, neurons: s.neurons };
    }
    case 'neurons': {
      const bad = source.neurons.find((n) => n.layer >= spec.nLayers || n.neuron >= spec.dFf);
      if (bad) throw new ApiError('bad-request', `neuron ${bad.layer}:${bad.neuron} is outside model "${model.name}" (${spec.nLayers} layers of ${spec.dFf} neurons)`);
      return { label: source.label ?? 'set', neurons: canonical(source.neurons) };
    }
    case 'top': {
      const ranking = rankByScore(neuronScores(db, model, source.datasetId, source.score), { layers: spec.nLayers, neurons: spec.dFf }, source.order);
      const word = source.order === 'descending' ? 'top' : 'bottom';
      return { label: `${word} ${source.k} by ${source.score}`, neurons: canonical(ranking.slice(0, source.k)) };
    }
  }
}

/** The neuron edit that ablates `neurons` of a model: zero, or mean over capture `datasetId`. */
export function ablationEditFor(db: Db, model: ModelRecord, neurons: readonly NeuronRef[], method: 'zero' | 'mean', datasetId?: number): NeuronEdit {
  const spec = model.spec as ModelSpec;
  const shape = { layers: spec.nLayers, neurons: spec.dFf };
  if (method === 'zero') return ablationEdit(shape, neurons, 'zero');
  if (datasetId === undefined) throw new ApiError('bad-request', 'mean ablation replaces a neuron by its mean over a capture: give the capture (--dataset D)');
  checkDataset(db, model, datasetId);
  return ablationEdit(shape, neurons, 'mean', loadMeans(db, datasetId, spec.nLayers, spec.dFf));
}
