// The common shape of every opened checkpoint, and the one implementation of reading a tensor
// on demand that all formats share (formats differ only in how they find the tensors).

import { constants } from 'node:buffer';
import { dtypeSize, LITTLE_ENDIAN, toFloat32, type DType } from './dtype.js';
import { type FormatErrorClass, quote } from './errors.js';
import { dequantize, isQuantType, type QuantType } from './ggml-quants.js';
import { fdSize, readInto, readRange, sha256Files, withFd } from './io.js';

export type { DType } from './dtype.js';
export type { QuantType } from './ggml-quants.js';

/** Where one tensor lives: a byte range of one weight file. */
export interface TensorInfo {
  name: string;
  /** element type; GGUF adds ggml's block-quantized types (read() dequantizes them) */
  dtype: DType | QuantType;
  /** row-major, as PyTorch (GGUF's ne reversed) */
  shape: number[];
  /** absolute path of the weight file */
  file: string;
  /** absolute offset in `file` */
  byteOffset: number;
  byteLength: number;
}

export interface CheckpointReader {
  format: 'safetensors' | 'llama2c' | 'gguf';
  /** weight files (absolute), in the order sha256() hashes them */
  paths: string[];
  /** config.json for HF folders; the header as an object for llama2.c; the metadata (key -> value) for GGUF; null otherwise */
  config: Record<string, unknown> | null;
  /** in file order */
  tensors: ReadonlyMap<string, TensorInfo>;
  /** the tensor converted to fp32, a fresh array */
  read(name: string): Float32Array;
  /** the tensor's bytes as stored (e.g. ggml blocks, for quantized matmuls), a fresh array */
  readRaw?(name: string): Uint8Array;
  /** hex sha256 over the weight files' bytes (computed once, streamed) */
  sha256(): string;
}

/** A validated checkpoint: tensors already checked to lie inside their files. */
export class FileCheckpoint implements CheckpointReader {
  private hash: string | null = null;

  constructor(
    readonly format: CheckpointReader['format'],
    readonly paths: string[],
    readonly config: Record<string, unknown> | null,
    readonly tensors: ReadonlyMap<string, TensorInfo>,
    private readonly Err: FormatErrorClass,
  ) {}

  read(name: string): Float32Array {
    return readTensor(this.info(name), this.Err);
  }

  readRaw(name: string): Uint8Array {
    const info = this.info(name);
    return withFd(info.file, this.Err, (fd) => {
      checkStillThere(fd, info, this.Err);
      try {
        return readRange(fd, info.byteOffset, info.byteLength, info.file, this.Err);
      } catch (err) {
        if (err instanceof RangeError) throw new this.Err(info.file, `tensor ${quote(info.name)}: cannot allocate ${info.byteLength} bytes: ${err.message}`, info.name);
        throw err;
      }
    });
  }

  private info(name: string): TensorInfo {
    const info = this.tensors.get(name);
    if (!info) {
      const some = [...this.tensors.keys()].slice(0, 5).map((n) => quote(n));
      throw new this.Err(this.paths[0] ?? '', `no tensor ${quote(name)}; expected one of the ${this.tensors.size} tensors, e.g. ${some.join(', ')}`, name);
    }
    return info;
  }

  sha256(): string {
    this.hash ??= sha256Files(this.paths, this.Err);
    return this.hash;
  }
}

/** The file may have changed since it was validated; re-check rather than read past its end. */
function checkStillThere(fd: number, info: TensorInfo, Err: FormatErrorClass): void {
  const fileSize = fdSize(fd, info.file, Err);
  if (info.byteOffset + info.byteLength > fileSize) {
    throw new Err(info.file, `tensor ${quote(info.name)} needs bytes ${info.byteOffset}..${info.byteOffset + info.byteLength} but the file is now ${fileSize} bytes (changed since opened?)`, info.name);
  }
}

/** Reads one tensor's byte range and converts it; the range was validated when opened. */
export function readTensor(info: TensorInfo, Err: FormatErrorClass): Float32Array {
  const quant = isQuantType(info.dtype);
  const count = quant ? info.shape.reduce((a, b) => a * b, 1) : info.byteLength / dtypeSize(info.dtype as DType);
  if (count * 4 > constants.MAX_LENGTH) {
    throw new Err(info.file, `tensor ${quote(info.name)} has ${count} elements (${count * 4} bytes as fp32); one read is limited to ${constants.MAX_LENGTH} bytes`, info.name);
  }
  return withFd(info.file, Err, (fd) => {
    checkStillThere(fd, info, Err);
    try {
      if (quant) return dequantize(info.dtype, readRange(fd, info.byteOffset, info.byteLength, info.file, Err), count);
      if (info.dtype === 'F32' && LITTLE_ENDIAN) {
        // Already fp32 on disk: read into the result, no second copy of a large tensor.
        const out = new Float32Array(count);
        readInto(fd, new Uint8Array(out.buffer), info.byteOffset, info.file, Err);
        return out;
      }
      return toFloat32(info.dtype as DType, readRange(fd, info.byteOffset, info.byteLength, info.file, Err), count);
    } catch (err) {
      // Allocation failure is a RangeError; report it against the tensor instead.
      if (err instanceof RangeError) throw new Err(info.file, `tensor ${quote(info.name)}: cannot allocate ${count} elements: ${err.message}`, info.name);
      throw err;
    }
  });
}
