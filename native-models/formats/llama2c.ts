// llama2.c's legacy checkpoint (run.c, export version 0): seven int32 LE
// (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len) then raw float32 weights
// in the order run.c's memory_map_weights walks them. A negative vocab_size means the classifier
// is stored separately at the end. No magic number, so the header is validated field by field
// and the file size must equal what the header implies, to the byte.

import * as path from 'node:path';
import { Llama2cError, quote } from './errors.js';
import { fdSize, readRange, withFd } from './io.js';
import { type CheckpointReader, FileCheckpoint, type TensorInfo } from './reader.js';

const HEADER_BYTES = 28;
/** Newer export versions start with this u32 ("ak42") and are not run.c's legacy layout. */
const VERSIONED_MAGIC = 0x616b3432;

/** The seven header values as the file holds them. */
export interface Llama2cHeader {
  dim: number;
  hidden_dim: number;
  n_layers: number;
  n_heads: number;
  n_kv_heads: number;
  /** negative: separate classifier */
  vocab_size: number;
  seq_len: number;
}

/** The header as the reader's config. */
export interface Llama2cConfig extends Llama2cHeader {
  /** always positive; the sign in the file is `shared_classifier` */
  vocab_size: number;
  shared_classifier: boolean;
}

/** The config a header stands for: the sign of vocab_size says whether the classifier is shared. */
export function llama2cConfig(h: Llama2cHeader): Llama2cConfig {
  return { ...h, vocab_size: Math.abs(h.vocab_size), shared_classifier: h.vocab_size > 0 };
}

const Err = Llama2cError;

/** Checks the header's values; throws naming the field, its value and the allowed range. */
export function parseLlama2cHeader(file: string, header: Uint8Array): Llama2cConfig {
  const view = new DataView(header.buffer, header.byteOffset, HEADER_BYTES);
  if (view.getUint32(0, true) === VERSIONED_MAGIC) {
    throw new Err(file, `starts with llama2.c's versioned magic "ak42" (export version ${view.getInt32(4, true)}); expected the legacy header (export version 0, as run.c reads)`);
  }
  const int = (i: number): number => view.getInt32(i * 4, true);
  const [dim, hidden, layers, heads, kvHeads, vocabSigned, seqLen] = [0, 1, 2, 3, 4, 5, 6].map(int) as [number, number, number, number, number, number, number];
  // A value far outside its field's range (over 16x its limit) means the file is no llama2.c
  // checkpoint at all (there is no magic to tell): it is not printed, since it is just 4 of the
  // file's bytes. Text reads as at least 0x20202020 = 538976288, so text is never printed.
  const need = (field: string, value: number, ok: boolean, expected: string, limit: number): void => {
    if (ok) return;
    const found = Math.abs(value) <= 16 * limit ? ` = ${quote(value)}` : ' is far out of range (value not shown: is this a llama2.c checkpoint?)';
    throw new Err(file, `header field ${field}${found}; expected ${expected}`, field);
  };
  const inRange = (v: number, max: number): boolean => v >= 1 && v <= max;
  need('dim', dim, inRange(dim, 65536), 'an integer in 1..65536', 65536);
  need('hidden_dim', hidden, inRange(hidden, 1 << 20), `an integer in 1..${1 << 20}`, 1 << 20);
  need('n_layers', layers, inRange(layers, 1024), 'an integer in 1..1024', 1024);
  need('n_heads', heads, inRange(heads, dim) && dim % heads === 0, `a positive integer that divides dim (${dim})`, dim);
  need('n_kv_heads', kvHeads, inRange(kvHeads, heads) && heads % kvHeads === 0, `a positive integer that divides n_heads (${heads})`, heads);
  // Rotary embedding rotates pairs of a head's dims, and run.c skips seq_len * head_size / 2 floats twice.
  need('n_heads', heads, (dim / heads) % 2 === 0, `a divisor of dim (${dim}) leaving an even head size (got ${dim / heads})`, dim);
  need('vocab_size', vocabSigned, inRange(Math.abs(vocabSigned), 10_000_000), 'a non-zero integer with |vocab_size| <= 10000000 (negative: unshared classifier)', 10_000_000);
  need('seq_len', seqLen, inRange(seqLen, 1 << 20), `an integer in 1..${1 << 20}`, 1 << 20);
  return llama2cConfig({ dim, hidden_dim: hidden, n_layers: layers, n_heads: heads, n_kv_heads: kvHeads, vocab_size: vocabSigned, seq_len: seqLen });
}

/** The weights in run.c's order; per-layer tensors split out, the legacy freq_cis tables skipped. */
export function llama2cLayout(c: Llama2cConfig): { name: string; shape: number[] }[] {
  const headSize = c.dim / c.n_heads;
  const kvDim = c.n_kv_heads * headSize;
  const perLayer: [string, number[]][] = [
    ['rms_att_weight', [c.dim]],
    ['wq', [c.dim, c.n_heads * headSize]],
    ['wk', [kvDim, c.dim]],
    ['wv', [kvDim, c.dim]],
    ['wo', [c.dim, c.n_heads * headSize]],
    ['rms_ffn_weight', [c.dim]],
    ['w1', [c.hidden_dim, c.dim]],
    ['w2', [c.dim, c.hidden_dim]],
    ['w3', [c.hidden_dim, c.dim]],
  ];
  const out = [{ name: 'token_embedding_table', shape: [c.vocab_size, c.dim] }];
  for (const [kind, shape] of perLayer) for (let l = 0; l < c.n_layers; l++) out.push({ name: `layers.${l}.${kind}`, shape });
  out.push({ name: 'rms_final_weight', shape: [c.dim] });
  // freq_cis_real and freq_cis_imag, [seq_len, head_size / 2] each: unused by run.c, skipped.
  out.push({ name: 'freq_cis', shape: [2, c.seq_len, headSize / 2] });
  if (!c.shared_classifier) out.push({ name: 'wcls', shape: [c.vocab_size, c.dim] });
  return out;
}

/** Bytes the header implies, in BigInt so absurd headers cannot overflow into a match. */
export function llama2cExpectedBytes(c: Llama2cConfig): bigint {
  const floats = llama2cLayout(c).reduce((acc, t) => acc + t.shape.reduce((p, d) => p * BigInt(d), 1n), 0n);
  return BigInt(HEADER_BYTES) + 4n * floats;
}

function readHeader(file: string): { config: Llama2cConfig; fileSize: number } {
  return withFd(file, Err, (fd) => {
    const fileSize = fdSize(fd, file, Err);
    if (fileSize < HEADER_BYTES) throw new Err(file, `file is ${fileSize} bytes; expected at least the ${HEADER_BYTES}-byte header`);
    return { config: parseLlama2cHeader(file, readRange(fd, 0, HEADER_BYTES, file, Err)), fileSize };
  });
}

/** "Mine or not": the seven header values are sane (the size is checked by open). Never throws. */
export function sniffLlama2c(file: string): boolean {
  try {
    readHeader(file);
    return true;
  } catch {
    return false;
  }
}

function sizeMismatch(file: string, c: Llama2cConfig, fileSize: number, expected: bigint): Llama2cError {
  const actual = BigInt(fileSize);
  const diff = actual < expected ? `${expected - actual} bytes short (truncated?)` : `${actual - expected} extra bytes`;
  const other = llama2cExpectedBytes({ ...c, shared_classifier: !c.shared_classifier });
  const hint =
    other === actual
      ? `; the size fits a ${c.shared_classifier ? 'separate' : 'shared'} classifier, but vocab_size is ${c.shared_classifier ? 'positive' : 'negative'}`
      : '';
  const dims = `dim ${c.dim}, hidden_dim ${c.hidden_dim}, n_layers ${c.n_layers}, n_heads ${c.n_heads}, n_kv_heads ${c.n_kv_heads}, vocab_size ${c.vocab_size}, seq_len ${c.seq_len}, ${c.shared_classifier ? 'shared' : 'separate'} classifier`;
  return new Err(file, `file is ${fileSize} bytes but its header (${dims}) implies ${expected} bytes: ${diff}${hint}`);
}

/** Opens a legacy llama2.c checkpoint; config is the header as an object. */
export function openLlama2c(file: string): CheckpointReader {
  file = path.resolve(file);
  const { config, fileSize } = readHeader(file);
  const expected = llama2cExpectedBytes(config);
  if (expected !== BigInt(fileSize)) throw sizeMismatch(file, config, fileSize, expected);
  // The size matched, so every offset below is at most fileSize: plain numbers are exact.
  const tensors = new Map<string, TensorInfo>();
  let offset = HEADER_BYTES;
  for (const { name, shape } of llama2cLayout(config)) {
    const byteLength = shape.reduce((p, d) => p * d, 4);
    if (name !== 'freq_cis') tensors.set(name, { name, dtype: 'F32', shape, file, byteOffset: offset, byteLength });
    offset += byteLength;
  }
  return new FileCheckpoint('llama2c', [file], { ...config }, tensors, Llama2cError);
}
