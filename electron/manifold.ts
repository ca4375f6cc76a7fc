// What the manifold view reads: projection runs and their coordinates with the points' metadata,
// one sampled token in its context, the intrinsic dimension per layer, a neuron's activation on
// the samples (to colour by), and the neurons that fire most on a selection of samples.
import { getDataset, loadStats } from '../db/datasets.js';
import type { Db } from '../db/database.js';
import { getModel } from '../db/models.js';
import { getProjectionRun, listProjectionRuns, loadIntrinsicDims, loadLayerProjections, type ProjectionRunRecord } from '../db/projections.js';
import { readSamples, sampleSlices } from '../db/samples.js';
import type { ModelSpec } from '../native-models/spec.js';
import { loadTokenizer, type Tokenizer } from '../native-models/tokenizers/tokenizer.js';
import type { IntrinsicDimRow, ProjectParams, ProjectionData, ProjectionRun, SampleContext, SelectionNeuron } from './api.js';
import { ApiError } from './errors.js';

function datasetModel(db: Db, datasetId: number) {
  const d = getDataset(db, datasetId);
  if (!d || d.status !== 'ready') throw new ApiError('not-found', `dataset ${datasetId} does not exist`);
  const model = getModel(db, d.modelId)!;
  return { dataset: d, model, spec: model.spec as ModelSpec };
}

function publicRun(r: ProjectionRunRecord & { layers: number[] }): ProjectionRun {
  const p = r.params as ProjectParams;
  return {
    id: r.id,
    datasetId: r.datasetId,
    method: p.method,
    dims: p.dims,
    space: p.space,
    sharedBasis: p.sharedBasis,
    layers: r.layers,
    points: r.sampleIds.length,
    ablation: p.ablation ? { neurons: p.ablation.neurons.length, method: p.ablation.method } : null,
    params: p,
    createdAt: r.createdAt,
  };
}

export function listRuns(db: Db, datasetId: number): ProjectionRun[] {
  datasetModel(db, datasetId);
  return listProjectionRuns(db, datasetId).map(publicRun);
}

function readyRun(db: Db, id: number) {
  const run = getProjectionRun(db, id);
  if (!run || run.status !== 'ready') throw new ApiError('not-found', `projection ${id} does not exist`);
  return run;
}

export function projectionData(db: Db, id: number, layers?: readonly number[]): ProjectionData {
  const run = readyRun(db, id);
  const { spec } = datasetModel(db, run.datasetId);
  const layersStored = loadLayerProjections(db, id);
  const index = new Map(run.sampleIds.map((s, i) => [s, i]));
  const n = run.sampleIds.length;
  const names = new Map((db.prepare('SELECT d.id, d.name FROM documents d WHERE d.id IN (SELECT DISTINCT document_id FROM samples WHERE dataset_id = ?)').all(run.datasetId) as Array<{ id: number; name: string }>).map((r) => [r.id, r.name]));
  const points: ProjectionData['points'] = {
    sampleId: run.sampleIds,
    token: new Array<string>(n).fill(''),
    document: new Array<string>(n).fill(''),
    position: new Array<number>(n).fill(0),
    loss: new Array<number | null>(n).fill(null),
    fields: {},
  };
  const moe = spec.moe;
  // mixture of experts: each point's top-1 expert per layer, from the choices stored with the samples
  const top: Array<Array<number | null>> | null = moe ? Array.from({ length: spec.nLayers }, () => new Array<number | null>(n).fill(null)) : null;
  let stored = 0;
  for (const s of readSamples(db, run.datasetId, spec.nLayers, { blobs: false })) {
    const i = index.get(s.id);
    if (i === undefined) continue;
    if (top && moe && s.experts && s.experts.length === spec.nLayers * moe.topK) {
      stored++;
      for (let l = 0; l < spec.nLayers; l++) (top[l] as Array<number | null>)[i] = s.experts[l * moe.topK] as number;
    }
    points.token[i] = s.token;
    points.document[i] = names.get(s.documentId) ?? String(s.documentId);
    points.position[i] = s.position;
    points.loss[i] = s.loss;
    for (const [key, value] of Object.entries(s.metadata)) {
      const column = (points.fields[key] ??= new Array(n).fill(null));
      column[i] = value === null || ['string', 'number', 'boolean'].includes(typeof value) ? (value as string | number | boolean | null) : JSON.stringify(value);
    }
  }
  if (top) points.topExpert = stored > 0 ? top : null;
  return {
    run: publicRun({ ...run, layers: layersStored.map((l) => l.layer) }),
    points,
    layers: layersStored
      .filter((l) => !layers || layers.includes(l.layer))
      .map((l) => ({ layer: l.layer, coords: Array.from(l.coords), ablated: l.ablated && Array.from(l.ablated), explainedVariance: l.explainedVariance })),
  };
}

const tokenizers = new Map<string, Tokenizer | null>();

/** One sampled token with the text around it (12 tokens before, 6 after), decoded by the model's tokenizer. */
export function sampleContext(db: Db, sampleId: number): SampleContext {
  const row = db.prepare('SELECT s.dataset_id, s.document_id, s.position, s.token, s.loss, s.metadata, d.name, d.text FROM samples s JOIN documents d ON d.id = s.document_id WHERE s.id = ?').get(sampleId) as
    | { dataset_id: number; document_id: number; position: number; token: string | null; loss: number | null; metadata: string; name: string; text: string }
    | undefined;
  if (!row) throw new ApiError('not-found', `sample ${sampleId} does not exist`);
  const { model } = datasetModel(db, row.dataset_id);
  // keyed by the attached tokenizer too: attaching one must not keep serving the old lookup
  const key = `${model.path}\u0000${model.tokenizerPath ?? ''}`;
  if (!tokenizers.has(key)) tokenizers.set(key, loadTokenizer(model.path, model.tokenizerPath));
  const tokenizer = tokenizers.get(key);
  const ids = tokenizer ? tokenizer.encode(row.text) : [];
  const decode = (from: number, to: number) => (tokenizer ? tokenizer.decode(ids.slice(Math.max(0, from), Math.max(0, to)), { skipSpecial: true }) : '');
  return {
    sampleId,
    document: row.name,
    position: row.position,
    token: tokenizer ? decode(row.position, row.position + 1) : (row.token ?? ''),
    before: decode(row.position - 12, row.position),
    after: decode(row.position + 1, row.position + 7),
    loss: row.loss,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  };
}

export function intrinsicRows(db: Db, datasetId: number, space: 'residual' | 'ffn'): IntrinsicDimRow[] {
  datasetModel(db, datasetId);
  return loadIntrinsicDims(db, datasetId, space).map((r) => ({ layer: r.layer, twonn: r.twonn, pca90: r.pca90, points: r.points }));
}

function checkNeuron(spec: ModelSpec, layer: number, neuron?: number): void {
  if (layer >= spec.nLayers) throw new ApiError('bad-request', `layer ${layer} is not in 0..${spec.nLayers - 1}`);
  if (neuron !== undefined && neuron >= spec.dFf) throw new ApiError('bad-request', `neuron ${neuron} is not in 0..${spec.dFf - 1}`);
}

export function neuronValues(db: Db, datasetId: number, layer: number, neuron: number): { sampleIds: number[]; values: number[] } {
  const { spec } = datasetModel(db, datasetId);
  checkNeuron(spec, layer, neuron);
  const ids = (db.prepare('SELECT id FROM samples WHERE dataset_id = ? ORDER BY id').all(datasetId) as Array<{ id: number }>).map((r) => r.id);
  return { sampleIds: ids, values: Array.from(sampleSlices(db, datasetId, 'ffn', layer * spec.dFf + neuron, 1, ids)) };
}

/**
 * The neurons whose mean activation over the selected samples stands furthest above their mean
 * over the dataset, in units of the dataset's standard deviation (a z-score of the selection mean
 * per token; neurons that never vary are left out).
 */
export function topNeurons(db: Db, datasetId: number, ids: readonly number[], layer: number | undefined, limit: number): SelectionNeuron[] {
  const { spec } = datasetModel(db, datasetId);
  const F = spec.dFf;
  if (layer !== undefined) checkNeuron(spec, layer);
  const layers = layer !== undefined ? [layer] : Array.from({ length: spec.nLayers }, (_, l) => l);
  const stats = loadStats(db, datasetId, spec.nLayers, F);
  const out: SelectionNeuron[] = [];
  for (const l of layers) {
    let acts: Float32Array;
    try {
      acts = sampleSlices(db, datasetId, 'ffn', l * F, F, ids);
    } catch (err) {
      if (err instanceof RangeError) throw new ApiError('bad-request', err.message);
      throw err;
    }
    const sum = new Float64Array(F);
    for (let i = 0; i < ids.length; i++) for (let f = 0; f < F; f++) sum[f] = (sum[f] as number) + (acts[i * F + f] as number);
    for (let f = 0; f < F; f++) {
      const k = l * F + f;
      const count = stats.count[k] as number;
      if (count < 2) continue;
      const mean = (stats.sum[k] as number) / count;
      const std = Math.sqrt(Math.max(0, (stats.sumsq[k] as number) / count - mean * mean));
      if (!(std > 0)) continue;
      const selectionMean = (sum[f] as number) / ids.length;
      out.push({ layer: l, neuron: f, selectionMean, datasetMean: mean, datasetStd: std, score: (selectionMean - mean) / std });
    }
  }
  return out.sort((a, b) => b.score - a.score).slice(0, limit);
}
