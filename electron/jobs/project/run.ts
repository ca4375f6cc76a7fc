// The project job, in the worker process: per layer, the sampled hidden states (one layer's slice
// of each float16 blob) are projected to 2 or 3 dimensions by PCA (its own basis, or one basis
// fitted on all chosen layers together) or UMAP (on the first 50 principal components), and the
// layer's intrinsic dimension is measured. With an ablation, the samples' windows run again with
// the neurons replaced and those states are placed in the same basis (UMAP: its transform).
// Each layer commits on its own, so a resumed run keeps the layers it has.
// The maths runs through onnxruntime past a small size (PCA's products, exact kNN for UMAP and
// TwoNN: streamed-pca.ts, knn.ts, fast-umap.ts), the samples streamed from SQLite in blocks;
// below it, the exact JS routes of analysis/ (float64, instant at that size).
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { getDataset } from '../../../db/datasets.js';
import type { Db } from '../../../db/database.js';
import { canReadAhead } from '../../../db/sample-reader.js';
import { getModel } from '../../../db/models.js';
import { createProjectionRun, loadLayerProjections, markProjectionRunReady, projectionRunOfJob, saveIntrinsicDim, saveLayerProjection } from '../../../db/projections.js';
import { sampleIds } from '../../../db/samples.js';
import { BlockProducts } from '../../../native-models/runtime/dense-linalg.js';
import type { ModelSpec } from '../../../native-models/spec.js';
import type { ProjectParams } from '../../api.js';
import { intrinsicDimension, seededSubset, type IntrinsicEstimate } from '../../analysis/intrinsic.js';
import { pca, project, type Pca } from '../../analysis/pca.js';
import { JobInputError, type JobContext } from '../definition.js';
import { ablatedStates } from './ablated.js';
import { fastUmap } from './fast-umap.js';
import { knnIntrinsic } from './knn-intrinsic.js';
import { arraySource, asFloat32, concatSources, gatherRows, sampleSource, type RowSource } from './row-source.js';
import { streamedPca, streamedProject } from './streamed-pca.js';
import { canLayoutInParallel } from './parallel-layout.js';

/** The sample reader's bundle beside this one's (dist/electron/); absent when run from source, which then reads in this thread. */
const SAMPLE_READER = fileURLToPath(new URL('./sample-reader.js', import.meta.url));

/** The UMAP layout worker's bundle beside this one's (dist/electron/); absent when run from source, where layouts take one thread. */
const LAYOUT_WORKER = fileURLToPath(new URL('./umap-layout-worker.js', import.meta.url));

/** UMAP runs on this many leading principal components (denoises and speeds the neighbour search). */
const UMAP_PCA = 50;

/** Below this many multiply-adds (n d^2) PCA stays in float64 JS (exact, instant); above it the products go through onnxruntime. */
export const STREAMED_PCA_WORK = 2e8;

/** A PCA basis of a source's rows and a way to place rows in it, by the route that suits the size. */
async function fitPca(src: RowSource, k: number, seed: number, products: () => BlockProducts): Promise<{ basis: Pca; place: (s: RowSource) => Promise<Float32Array> }> {
  if (src.n * src.d * src.d <= STREAMED_PCA_WORK) {
    const rows = async (s: RowSource) => asFloat32(await gatherRows(s));
    const basis = pca(await rows(src), src.n, src.d, k, { seed });
    return { basis, place: async (s) => project(basis, await rows(s), s.n) };
  }
  const basis = await streamedPca(src, k, products(), { seed });
  return { basis, place: (s) => streamedProject(s, basis, products()) };
}

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

/** The JS route on a subsample of INTRINSIC_POINTS (analysis/intrinsic.ts), for callers that cannot wait on onnxruntime. */
export function measureIntrinsic(db: Db, datasetId: number, space: 'residual' | 'ffn', layer: number, x: Float32Array, n: number, width: number, seed: number): IntrinsicEstimate {
  const est = intrinsicDimension(x, n, width, { seed });
  saveIntrinsicDim(db, datasetId, { layer, space, points: est.points, twonn: est.twonn, pca90: est.pca90, params: { method: 'twonn+pca90', discard: 0.1, fraction: 0.9, seed } });
  return est;
}

/** TwoNN and PCA-90 on every listed sample (exact kNN and the covariance spectrum through onnxruntime), stored. */
export async function measureIntrinsicAll(db: Db, datasetId: number, space: 'residual' | 'ffn', layer: number, ids: readonly number[], width: number): Promise<IntrinsicEstimate> {
  const est = await knnIntrinsic(sampleSource(db, datasetId, space, layer * width, width, ids, { reader: SAMPLE_READER }));
  saveIntrinsicDim(db, datasetId, { layer, space, points: est.points, twonn: est.twonn, pca90: est.pca90, params: { method: 'twonn+pca90', discard: 0.1, fraction: 0.9, neighbours: 'exact, all points', duplicates: est.duplicates } });
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
  // the layout's threads as used (one below PARALLEL_LAYOUT_MIN_POINTS or without the worker's bundle), stored with the run
  const wanted = p.layoutThreads ?? Math.min(4, availableParallelism());
  const layoutThreads = canLayoutInParallel(LAYOUT_WORKER, wanted, n) ? wanted : 1;
  const run =
    (ctx.resume ? projectionRunOfJob(db, ctx.jobId) : undefined) ??
    createProjectionRun(db, { datasetId: dataset.id, jobId: ctx.jobId, method: p.method, params: { ...p, layers, ...(p.method === 'umap' ? { layoutThreads } : {}) }, sampleIds: ids });
  const stored = new Set(loadLayerProjections(db, run.id).map((l) => l.layer));

  const total = layers.length + (p.ablation ? 1 : 0);
  let done = 0;
  const step = (fraction: number, message: string) => ctx.progress(done + fraction, total, 'steps', message);
  step(0, `reading ${n} samples`);
  const states = (layer: number) => sampleSource(db, dataset.id, p.space, layer * width, width, run.sampleIds, { reader: SAMPLE_READER });
  // onnxruntime sessions for the block products, made on first use (small sets stay in JS)
  const held: { products?: BlockProducts } = {};
  // reading ahead takes a core: the products get the others (on 2 cores, both at once were slower than one after the other)
  const products = () => (held.products ??= new BlockProducts(width, canReadAhead(SAMPLE_READER, db.name) ? { threads: Math.max(1, availableParallelism() - 1) } : {}));
  try {
    return await projectLayers();
  } finally {
    await held.products?.release();
  }

  async function projectLayers(): Promise<ProjectResult> {
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

    let shared: Awaited<ReturnType<typeof fitPca>> | null = null;
    if (p.sharedBasis) {
      step(0, 'fitting one PCA basis on all layers');
      shared = await fitPca(concatSources(layers.map(states)), p.dims, p.seed, products);
    }

    const result: ProjectResult['layers'] = [];
    for (const layer of layers) {
      if (stored.has(layer)) {
        done += 1;
        continue;
      }
      const x = states(layer);
      const abl = ablated?.get(layer) ?? null;
      const ablSource = abl && arraySource(abl, n, width);
      let coords: Float32Array;
      let moved: Float32Array | null = null;
      let explained: number[] | null = null;
      if (p.method === 'pca') {
        step(0.1, `layer ${layer}: PCA`);
        const fit = shared ?? (await fitPca(x, p.dims, p.seed, products));
        coords = await fit.place(x);
        moved = ablSource && (await fit.place(ablSource));
        explained = fit.basis.explainedRatio;
      } else {
        step(0, `layer ${layer}: PCA to ${UMAP_PCA} dimensions`);
        const k = Math.min(UMAP_PCA, width, n - 1);
        const pre = await fitPca(x, k, p.seed, products);
        step(0.05, `layer ${layer}: nearest neighbours`);
        const fit = await fastUmap(await pre.place(x), n, k, {
          dims: p.dims,
          neighbors: p.neighbors,
          minDist: p.minDist,
          seed: p.seed,
          layoutThreads,
          layoutWorker: LAYOUT_WORKER,
          progressKnn: (f) => step(0.05 + 0.15 * f, `layer ${layer}: nearest neighbours`),
          progress: (f) => step(0.2 + 0.6 * f, `layer ${layer}: UMAP`),
        });
        coords = fit.coords;
        if (ablSource) {
          step(0.8, `layer ${layer}: placing the ablated points`);
          moved = await fit.transform(await pre.place(ablSource), n);
        }
      }
      let est: IntrinsicEstimate | null = null;
      if (p.intrinsic) {
        step(0.85, `layer ${layer}: intrinsic dimension`);
        est = await measureIntrinsicAll(db, dataset.id, p.space, layer, run.sampleIds, width);
      }
      saveLayerProjection(db, run, { layer, coords, ablated: moved, explainedVariance: explained });
      result.push({ layer, explainedVariance: explained, twonn: est?.twonn ?? null, pca90: est?.pca90 ?? null });
      done += 1;
      step(0, `layer ${layer} stored`);
    }
    markProjectionRunReady(db, run.id);
    return { run: { id: run.id, datasetId: dataset.id, method: p.method, points: n, layers }, layers: result };
  }
}
