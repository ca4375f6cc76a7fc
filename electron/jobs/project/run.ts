// The project job, in the worker process: per layer, the sampled hidden states (one layer's slice
// of each float16 blob) are projected to 2 or 3 dimensions by PCA (its own basis, or one basis
// fitted on all chosen layers together) or UMAP (on the first 50 principal components), and the
// layer's intrinsic dimension is measured. With an ablation, the samples' windows run again with
// the neurons replaced and those states are placed in the same basis (UMAP: its transform).
// Each layer commits on its own, so a resumed run keeps the layers it has.
import { getDataset } from '../../../db/datasets.js';
import type { Db } from '../../../db/database.js';
import { getModel } from '../../../db/models.js';
import { createProjectionRun, loadLayerProjections, markProjectionRunReady, projectionRunOfJob, saveIntrinsicDim, saveLayerProjection } from '../../../db/projections.js';
import { sampleIds, sampleSlices } from '../../../db/samples.js';
import type { ModelSpec } from '../../../native-models/spec.js';
import type { ProjectParams } from '../../api.js';
import { intrinsicDimension, seededSubset, type IntrinsicEstimate } from '../../analysis/intrinsic.js';
import { pca, project, type Pca } from '../../analysis/pca.js';
import { umapFit } from '../../analysis/umap.js';
import { JobInputError, type JobContext } from '../definition.js';
import { ablatedStates } from './ablated.js';

/** UMAP runs on this many leading principal components (denoises and speeds the neighbour search). */
const UMAP_PCA = 50;

export interface ProjectResult {
  run: { id: number; datasetId: number; method: 'pca' | 'umap'; points: number; layers: number[] };
  layers: Array<{ layer: number; explainedVariance: number[] | null; twonn: number | null; pca90: number | null }>;
}

/** What a project job needs to know about its dataset, checked with messages for the user. */
export function projectionInput(db: Db, datasetId: number, layers: readonly number[] | undefined) {
  const dataset = getDataset(db, datasetId);
  if (!dataset || dataset.status !== 'ready') throw new JobInputError(`dataset ${datasetId} does not exist; make one with a capture (ffn-lab capture --model M --corpus C --samples 5000)`);
  const model = getModel(db, dataset.modelId);
  if (!model) throw new JobInputError(`the model of dataset ${datasetId} is gone`);
  const spec = model.spec as ModelSpec;
  const chosen = layers ? [...new Set(layers)].sort((a, b) => a - b) : Array.from({ length: spec.nLayers }, (_, l) => l);
  const bad = chosen.find((l) => l >= spec.nLayers);
  if (bad !== undefined) throw new JobInputError(`layer ${bad} is not in 0..${spec.nLayers - 1} (model "${model.name}" has ${spec.nLayers} layers)`);
  const ids = sampleIds(db, datasetId);
  if (ids.length === 0) {
    throw new JobInputError(
      `dataset ${datasetId} "${dataset.name}" has no sampled hidden states: run a capture with --samples N (or without --samples: a capture keeps up to 4,096 by default; this one was made with --samples 0 or before that default), e.g. ffn-lab capture --model ${model.id} --corpus ${dataset.corpusId}`,
    );
  }
  if (ids.length < 3) throw new JobInputError(`dataset ${datasetId} has ${ids.length} sampled tokens; a projection needs at least 3 (capture with a larger --samples)`);
  return { dataset, model, spec, layers: chosen, ids };
}

export function measureIntrinsic(db: Db, datasetId: number, space: 'residual' | 'ffn', layer: number, x: Float32Array, n: number, width: number, seed: number): IntrinsicEstimate {
  const est = intrinsicDimension(x, n, width, { seed });
  saveIntrinsicDim(db, datasetId, { layer, space, points: est.points, twonn: est.twonn, pca90: est.pca90, params: { method: 'twonn+pca90', discard: 0.1, fraction: 0.9, seed } });
  return est;
}

export async function runProject(ctx: JobContext<ProjectParams>): Promise<ProjectResult> {
  const { db, params: p } = ctx;
  if (p.sharedBasis && p.method !== 'pca') throw new JobInputError('one basis for all layers applies to PCA; UMAP embeds each layer on its own');
  const input = projectionInput(db, p.datasetId, p.layers);
  const { dataset, spec, layers } = input;
  const ids = seededSubset(input.ids.length, p.maxPoints ?? Infinity, p.seed).map((i) => input.ids[i] as number);
  const n = ids.length;
  const width = p.space === 'ffn' ? spec.dFf : spec.dModel;
  const run =
    (ctx.resume ? projectionRunOfJob(db, ctx.jobId) : undefined) ??
    createProjectionRun(db, { datasetId: dataset.id, jobId: ctx.jobId, method: p.method, params: { ...p, layers }, sampleIds: ids });
  const stored = new Set(loadLayerProjections(db, run.id).map((l) => l.layer));

  const total = layers.length + (p.ablation ? 1 : 0);
  let done = 0;
  const step = (fraction: number, message: string) => ctx.progress(done + fraction, total, 'steps', message);
  step(0, `reading ${n} samples`);
  const states = (layer: number) => sampleSlices(db, dataset.id, p.space, layer * width, width, run.sampleIds);

  let ablated: Map<number, Float32Array> | null = null;
  if (p.ablation) {
    ablated = await ablatedStates({
      db,
      dataDir: ctx.dataDir,
      model: input.model,
      dataset,
      ids: run.sampleIds,
      layers,
      space: p.space,
      neurons: p.ablation.neurons,
      method: p.ablation.method,
      progress: (f) => step(f, 'running the windows with the neurons ablated'),
    });
    done += 1;
  }

  let shared: Pca | null = null;
  if (p.sharedBasis) {
    step(0, 'fitting one PCA basis on all layers');
    const stack = new Float32Array(n * layers.length * width);
    layers.forEach((l, i) => stack.set(states(l), i * n * width));
    shared = pca(stack, n * layers.length, width, p.dims, { seed: p.seed });
  }

  const result: ProjectResult['layers'] = [];
  for (const layer of layers) {
    if (stored.has(layer)) {
      done += 1;
      continue;
    }
    const x = states(layer);
    const abl = ablated?.get(layer) ?? null;
    let coords: Float32Array;
    let moved: Float32Array | null = null;
    let explained: number[] | null = null;
    if (p.method === 'pca') {
      step(0.1, `layer ${layer}: PCA`);
      const basis = shared ?? pca(x, n, width, p.dims, { seed: p.seed });
      coords = project(basis, x, n);
      moved = abl && project(basis, abl, n);
      explained = shared ? shared.explainedRatio : basis.explainedRatio;
    } else {
      step(0, `layer ${layer}: PCA to ${UMAP_PCA} dimensions`);
      const k = Math.min(UMAP_PCA, width, n - 1);
      const pre = pca(x, n, width, k, { seed: p.seed });
      const fit = umapFit(project(pre, x, n), n, k, { dims: p.dims, neighbors: p.neighbors, minDist: p.minDist, seed: p.seed, progress: (f) => step(0.1 + 0.7 * f, `layer ${layer}: UMAP`) });
      coords = fit.coords;
      if (abl) {
        step(0.8, `layer ${layer}: placing the ablated points`);
        moved = fit.transform(project(pre, abl, n), n);
      }
    }
    let est: IntrinsicEstimate | null = null;
    if (p.intrinsic) {
      step(0.85, `layer ${layer}: intrinsic dimension`);
      est = measureIntrinsic(db, dataset.id, p.space, layer, x, n, width, p.seed);
    }
    saveLayerProjection(db, run, { layer, coords, ablated: moved, explainedVariance: explained });
    result.push({ layer, explainedVariance: explained, twonn: est?.twonn ?? null, pca90: est?.pca90 ?? null });
    done += 1;
    step(0, `layer ${layer} stored`);
  }
  markProjectionRunReady(db, run.id);
  return { run: { id: run.id, datasetId: dataset.id, method: p.method, points: n, layers }, layers: result };
}
