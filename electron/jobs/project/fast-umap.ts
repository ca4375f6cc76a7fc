// UMAP on an exact kNN graph: the neighbours by onnxruntime (knn.ts), the layout by
// analysis/umap-layout.ts, starting from the rows' leading columns (the job feeds principal
// components, so that is a PCA initialisation, as umap-learn's init="pca"). Same shape as
// analysis/umap.ts's umapFit (coordinates, and a transform for further rows), async because
// onnxruntime runs are.
import { prng } from '../../../common/prng.js';
import type { LinalgOptions } from '../../../native-models/runtime/dense-linalg.js';
import { placeNew, UmapLayout } from '../../analysis/umap-layout.js';
import type { UmapOptions } from '../../analysis/umap.js';
import { exactKnn, nearestAmong } from './knn.js';
import { canLayoutInParallel, layoutInParallel } from './parallel-layout.js';

export interface FastUmapFit {
  /** [n * dims] */
  coords: Float32Array;
  /** places further rows of the same width in the fitted layout */
  transform(y: Float32Array, m: number): Promise<Float32Array>;
}

/**
 * The first `dims` columns of x, scaled so the largest |coordinate| is 10, plus a little seeded
 * noise so that coincident rows do not start on one spot (umap-learn's noisy_scale_coords).
 */
export function leadingColumnsInit(x: Float32Array, n: number, d: number, dims: number, seed: number): Float32Array {
  const out = new Float32Array(n * dims);
  let max = 0;
  for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) max = Math.max(max, Math.abs(c < d ? (x[i * d + c] as number) : 0));
  const scale = max > 0 ? 10 / max : 1;
  const r = prng(seed ^ 0x1717);
  for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) out[i * dims + c] = (c < d ? (x[i * d + c] as number) * scale : 0) + 1e-4 * (r() - 0.5);
  return out;
}

export interface FastUmapOptions extends UmapOptions, LinalgOptions {
  epochs?: number;
  progressKnn?(fraction: number): void;
  /**
   * Threads of the layout's epochs (parallel-layout.ts) when `layoutWorker` names the worker's
   * bundle and there are PARALLEL_LAYOUT_MIN_POINTS points or more; otherwise one. The layout is
   * deterministic for a given seed and thread count, and differs between thread counts.
   */
  layoutThreads?: number;
  layoutWorker?: string;
}

/** `neighbors` counts the row itself, as umap-js's nNeighbors does. */
export async function fastUmap(x: Float32Array, n: number, d: number, o: FastUmapOptions): Promise<FastUmapFit> {
  if (n < 3) throw new RangeError(`UMAP needs at least 3 points, got ${n}`);
  const k = Math.max(1, Math.min(o.neighbors, n - 1) - 1);
  const linalg = { ...(o.threads !== undefined ? { threads: o.threads } : {}), ...(o.providers ? { providers: o.providers } : {}) };
  const knn = await exactKnn(x, n, d, k, { ...linalg, ...(o.progressKnn ? { progress: o.progressKnn } : {}) });
  const layoutOptions = { dims: o.dims, minDist: o.minDist, seed: o.seed, ...(o.epochs !== undefined ? { epochs: o.epochs } : {}) };
  const layout = new UmapLayout(knn, { ...layoutOptions, init: leadingColumnsInit(x, n, d, o.dims, o.seed) });
  const threads = o.layoutThreads ?? 1;
  if (canLayoutInParallel(o.layoutWorker, threads, n)) await layoutInParallel(layout, threads, o.layoutWorker, o.progress);
  else for (let e = 0; layout.step(); e++) if (e % 10 === 0) o.progress?.(e / layout.epochs);
  o.progress?.(1);
  const coords = layout.coords;
  return {
    coords,
    transform: async (y, m) => placeNew(await nearestAmong(x, n, d, y, m, k + 1, linalg), coords, layoutOptions),
  };
}
