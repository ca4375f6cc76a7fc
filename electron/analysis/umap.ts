// UMAP (McInnes, Healy & Melville 2018) through umap-js, seeded, stepped one epoch at a time so
// the caller can report progress, with the fitted embedding kept for placing new points
// (umap-js's transform: the new points' neighbours among the fitted ones, then optimized).
import { UMAP } from 'umap-js';
import { prng } from '../../common/prng.js';
import type { Rows } from './pca.js';

export interface UmapOptions {
  dims: number;
  neighbors: number;
  minDist: number;
  seed: number;
  /** called every few epochs with the fraction done */
  progress?(fraction: number): void;
}

export interface UmapFit {
  /** [n * dims] */
  coords: Float32Array;
  /** places further rows of the same width in the fitted embedding */
  transform(x: Rows, n: number): Float32Array;
}

function toVectors(x: Rows, n: number, d: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * d, (i + 1) * d)));
}

function flatten(v: number[][], dims: number): Float32Array {
  const out = new Float32Array(v.length * dims);
  v.forEach((row, i) => out.set(row.slice(0, dims), i * dims));
  return out;
}

export function umapFit(x: Rows, n: number, d: number, o: UmapOptions): UmapFit {
  if (n < 3) throw new RangeError(`UMAP needs at least 3 points, got ${n}`);
  const umap = new UMAP({ nComponents: o.dims, nNeighbors: Math.min(o.neighbors, n - 1), minDist: o.minDist, random: prng(o.seed) });
  const epochs = umap.initializeFit(toVectors(x, n, d));
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % 10 === 0) o.progress?.(e / epochs);
  }
  o.progress?.(1);
  return {
    coords: flatten(umap.getEmbedding(), o.dims),
    transform: (y, m) => flatten(umap.transform(toVectors(y, m, d)), o.dims),
  };
}
