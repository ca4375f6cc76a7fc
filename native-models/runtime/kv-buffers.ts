// The KV cache of a generation, held in this process: per layer, keys and values of N rows in
// buffers [N, Hkv, capacity, headDim]. Each run of the KV-cache graph (graph/builder.ts kvCache)
// reads them as its past and returns only its own T positions, which are written in here, so a step
// moves a few kilobytes across onnxruntime-node instead of the whole cache twice.

import { type ModelSpec } from '../spec.js';
import { asFloat32, float32, type HostTensor, int64 } from './tensors.js';

export class KvBuffers {
  /** positions the buffers have room for; they start empty and grow as runs append */
  private capacity = 0;
  private keys: Float32Array[];
  private values: Float32Array[];
  /** positions held (the next run's P) */
  length = 0;

  constructor(
    private readonly spec: ModelSpec,
    /** rows (one per condition) */
    readonly rows: number,
  ) {
    this.keys = this.allocate(0);
    this.values = this.allocate(0);
  }

  /** The next run's past: past_key.{i} / past_value.{i} and past_length. */
  feeds(): Record<string, HostTensor> {
    const dims = [this.rows, this.spec.nKvHeads, this.capacity, this.spec.headDim];
    const out: Record<string, HostTensor> = { past_length: int64([this.length], [1]) };
    this.keys.forEach((k, i) => {
      out[`past_key.${i}`] = float32(k, dims);
      out[`past_value.${i}`] = float32(this.values[i] as Float32Array, dims);
    });
    return out;
  }

  /** Room for `positions` in all: the buffers grow (at least doubling, up to the model's positions) when they hold less. */
  private reserve(positions: number): void {
    if (positions <= this.capacity) return;
    const wider = Math.min(this.spec.maxPositions, Math.max(positions, 2 * this.capacity));
    if (positions > wider) throw new Error(`KV cache: ${positions} positions exceed the model's ${this.spec.maxPositions}`);
    const move = (from: Float32Array[]): Float32Array[] => {
      const to = this.allocate(wider);
      const hd = this.spec.headDim;
      // each (row, head)'s positions are one block of capacity x headDim
      from.forEach((f, i) => {
        for (let b = 0; b < this.rows * this.spec.nKvHeads; b++) (to[i] as Float32Array).set(f.subarray(b * this.capacity * hd, b * this.capacity * hd + this.length * hd), b * wider * hd);
      });
      return to;
    };
    this.keys = move(this.keys);
    this.values = move(this.values);
    this.capacity = wider;
  }

  /** Appends a run's new_key.{i} / new_value.{i} [N, Hkv, T, headDim] at positions length..length+T-1. */
  append(results: Readonly<Record<string, HostTensor>>): void {
    const { nKvHeads: H, headDim: hd } = this.spec;
    const T = results['new_key.0']?.dims[2] ?? 0;
    this.reserve(this.length + T);
    // each (row, head)'s T positions are one block in both layouts: a prompt's blocks are copied
    // whole, a step's (one position, headDim values) element by element, which costs less than
    // making a subarray for each
    const block = T * hd;
    const write = (to: Float32Array, from: Float32Array): void => {
      for (let b = 0; b < this.rows * H; b++) {
        const src = b * block;
        const dst = (b * this.capacity + this.length) * hd;
        if (block >= 1024) to.set(from.subarray(src, src + block), dst);
        else for (let j = 0; j < block; j++) to[dst + j] = from[src + j] as number;
      }
    };
    this.keys.forEach((k, i) => {
      write(k, asFloat32(results[`new_key.${i}`], `new_key.${i}`));
      write(this.values[i] as Float32Array, asFloat32(results[`new_value.${i}`], `new_value.${i}`));
    });
    this.length += T;
  }

  private allocate(capacity: number): Float32Array[] {
    return Array.from({ length: this.spec.nLayers }, () => new Float32Array(this.rows * this.spec.nKvHeads * capacity * this.spec.headDim));
  }
}
