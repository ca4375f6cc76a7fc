// Writes a .safetensors file (the format native-models/formats/safetensors.ts reads): u64 LE
// header length, the JSON header {name: {dtype, shape, data_offsets}, __metadata__}, then the
// tensors back to back. Tensors are given by their byte length and a function that writes their
// bytes in order, so a large one (sampled hidden states) streams from the database without being
// held in memory whole. The file is written beside its target and renamed into place.
import fs from 'node:fs';

export type ExportDType = 'F32' | 'F16';

export interface TensorSource {
  name: string;
  dtype: ExportDType;
  shape: readonly number[];
  /** writes exactly elements(shape) * bytes(dtype) bytes, in chunks, through `write` */
  fill(write: (bytes: Uint8Array) => void): void;
}

const BYTES: Record<ExportDType, number> = { F32: 4, F16: 2 };

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

/** A tensor already in memory, as float32. */
export function f32Tensor(name: string, shape: readonly number[], values: Float32Array): TensorSource {
  return { name, dtype: 'F32', shape, fill: (write) => write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)) };
}

function byteLength(t: TensorSource): number {
  return t.shape.reduce((a, b) => a * b, 1) * BYTES[t.dtype];
}

/** The header text: tensors laid out in the given order; padded with spaces to 8 bytes as the reference writer does. */
export function safetensorsHeader(tensors: readonly TensorSource[], metadata: Record<string, string>): string {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let at = 0;
  for (const t of tensors) {
    const n = byteLength(t);
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [at, at + n] };
    at += n;
  }
  const text = JSON.stringify(header);
  const bytes = Buffer.byteLength(text);
  return text + ' '.repeat((8 - (bytes % 8)) % 8);
}

export function writeSafetensors(file: string, tensors: readonly TensorSource[], metadata: Record<string, string>): void {
  const names = new Set<string>();
  for (const t of tensors) {
    if (names.has(t.name)) throw new ExportError(`tensor "${t.name}" is listed twice; each tensor name must be unique`);
    names.add(t.name);
  }
  const header = Buffer.from(safetensorsHeader(tensors, metadata));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  const tmp = `${file}.partial`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, length);
    fs.writeSync(fd, header);
    for (const t of tensors) {
      let written = 0;
      t.fill((bytes) => {
        let off = 0;
        while (off < bytes.length) off += fs.writeSync(fd, bytes, off, bytes.length - off);
        written += bytes.length;
      });
      if (written !== byteLength(t)) throw new ExportError(`tensor "${t.name}": wrote ${written} bytes; expected ${byteLength(t)} for shape [${t.shape.join(', ')}] of ${t.dtype}`);
    }
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}
