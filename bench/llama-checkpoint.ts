// Llama-shaped random checkpoints for the memory bench, written once into the bench cache and
// reused: an F16 Hugging Face folder (config.json + model.safetensors) and a GGUF whose linear
// weights are Q4_K or another ggml block type (token embedding F16, norms F32). Both are streamed to disk a megabyte at a time,
// so writing a 2 GB file takes no more memory than that. The values only need to be finite and of a
// sane scale (the bench measures memory and speed, not outputs): F16 weights are drawn from a
// table of normal samples with a seeded generator; ggml blocks (e.g. Q4_K super-blocks) get random
// quants and sub-scales under small fp16 d / dmin, so every block is valid and |w| stays below ~0.05.

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { toHalf } from '../common/half.js';
import { BLOCK_BYTES, BLOCK_ELEMS } from '../native-models/graph/quantized.js';
import type { QuantizedWeight } from '../native-models/spec.js';

/** A ggml block type of the linear weights (the GGUF form of the bench). */
export type BenchQuant = QuantizedWeight['kind'];
/** ggml type ids (ggml.h) */
const GGML_ID: Readonly<Record<BenchQuant, number>> = { q4_0: 2, q4_1: 3, q5_0: 6, q5_1: 7, q8_0: 8, q2_k: 10, q3_k: 11, q4_k: 12, q5_k: 13, q6_k: 14 };
/**
 * Each type's fp16 fields in a block, [byte offset, value]: scales sized so |w| stays below ~0.05
 * with random quants and sub-scales (value / the type's largest |q x sub-scale|), minima half that.
 */
const HALF_FIELDS: Readonly<Record<BenchQuant, readonly [number, number][]>> = {
  q4_0: [[0, 0.05 / 8]], q8_0: [[0, 0.05 / 128]], q5_0: [[0, 0.05 / 16]], q4_1: [[0, 0.05 / 15], [2, -0.025]], q5_1: [[0, 0.05 / 31], [2, -0.025]],
  q2_k: [[80, 0.05 / 45], [82, 0.025 / 15]], q3_k: [[108, 0.05 / 128]], q4_k: [[0, 0.05 / (63 * 15)], [2, 0.025 / 63]],
  q5_k: [[0, 0.05 / (63 * 31)], [2, 0.025 / 63]], q6_k: [[208, 0.05 / 4096]],
};

export interface LlamaShape {
  dModel: number;
  dFf: number;
  nLayers: number;
  vocab: number;
  nHeads: number;
  nKvHeads: number;
  maxPositions: number;
}

/** TinyLlama-1.1B's shape: 1.1B parameters, untied head. */
export const LLAMA_1B: LlamaShape = { dModel: 2048, dFf: 5632, nLayers: 22, vocab: 32000, nHeads: 32, nKvHeads: 4, maxPositions: 2048 };

type Role = 'embed' | 'norm' | 'linear';

interface Tensor {
  /** Hugging Face name */
  hf: string;
  /** GGUF name */
  gguf: string;
  /** [rows, cols] (PyTorch order); norms [D] */
  shape: number[];
  role: Role;
}

export function tensorsOf(s: LlamaShape): Tensor[] {
  const D = s.dModel;
  const kv = (s.nKvHeads * D) / s.nHeads;
  const t: Tensor[] = [{ hf: 'model.embed_tokens.weight', gguf: 'token_embd.weight', shape: [s.vocab, D], role: 'embed' }];
  for (let i = 0; i < s.nLayers; i++) {
    const h = `model.layers.${i}.`;
    const g = `blk.${i}.`;
    t.push(
      { hf: `${h}input_layernorm.weight`, gguf: `${g}attn_norm.weight`, shape: [D], role: 'norm' },
      { hf: `${h}self_attn.q_proj.weight`, gguf: `${g}attn_q.weight`, shape: [D, D], role: 'linear' },
      { hf: `${h}self_attn.k_proj.weight`, gguf: `${g}attn_k.weight`, shape: [kv, D], role: 'linear' },
      { hf: `${h}self_attn.v_proj.weight`, gguf: `${g}attn_v.weight`, shape: [kv, D], role: 'linear' },
      { hf: `${h}self_attn.o_proj.weight`, gguf: `${g}attn_output.weight`, shape: [D, D], role: 'linear' },
      { hf: `${h}post_attention_layernorm.weight`, gguf: `${g}ffn_norm.weight`, shape: [D], role: 'norm' },
      { hf: `${h}mlp.gate_proj.weight`, gguf: `${g}ffn_gate.weight`, shape: [s.dFf, D], role: 'linear' },
      { hf: `${h}mlp.up_proj.weight`, gguf: `${g}ffn_up.weight`, shape: [s.dFf, D], role: 'linear' },
      { hf: `${h}mlp.down_proj.weight`, gguf: `${g}ffn_down.weight`, shape: [D, s.dFf], role: 'linear' },
    );
  }
  t.push({ hf: 'model.norm.weight', gguf: 'output_norm.weight', shape: [D], role: 'norm' }, { hf: 'lm_head.weight', gguf: 'output.weight', shape: [s.vocab, D], role: 'linear' });
  return t;
}

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
export const paramCount = (s: LlamaShape): number => tensorsOf(s).reduce((a, t) => a + numel(t.shape), 0);

/** xorshift32: fast, seeded; quality is irrelevant here. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** 4096 fp16 samples of N(0, std^2) (Box-Muller from a seeded generator), picked at random per element. */
function halfTable(std: number, seed: number): Uint16Array {
  const next = xorshift(seed);
  const t = new Uint16Array(4096);
  for (let i = 0; i < t.length; i += 2) {
    const u = (next() + 1) / 4294967297;
    const v = next() / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    t[i] = toHalf(r * Math.cos(2 * Math.PI * v));
    t[i + 1] = toHalf(r * Math.sin(2 * Math.PI * v));
  }
  return t;
}

const CHUNK = 1 << 20;

/** Writes all of `bytes` at the file's position. */
function put(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
}

/** Streams `count` elements of one tensor: fp16 normal samples, fp32 ones (norms), or ggml blocks (random, valid). */
function writeData(fd: number, kind: 'f16' | 'f32-ones' | BenchQuant, count: number, seed: number): void {
  const next = xorshift(seed);
  if (kind === 'f32-ones') {
    put(fd, new Uint8Array(new Float32Array(count).fill(1).buffer));
    return;
  }
  if (kind === 'f16') {
    const table = halfTable(0.02, seed);
    const buf = new Uint16Array(CHUNK);
    for (let left = count; left > 0; left -= CHUNK) {
      const n = Math.min(left, CHUNK);
      for (let i = 0; i < n; i++) buf[i] = table[next() & 4095] as number;
      put(fd, new Uint8Array(buf.buffer, 0, 2 * n));
    }
    return;
  }
  // ggml blocks: random bytes (quants, packed sub-scales and mins), then the fp16 scales (e.g. Q4_K:
  // d, dmin, 12 bytes of 6-bit scales and mins, 128 bytes of 4-bit quants)
  const size = BLOCK_BYTES[kind];
  const fields = HALF_FIELDS[kind].map(([at, v]) => [at, toHalf(v)] as const);
  const blocksPerChunk = Math.floor(CHUNK / size / 4) * 4; // whole 32-bit words
  const buf = new Uint8Array(blocksPerChunk * size);
  const words = new Uint32Array(buf.buffer);
  for (let left = count / BLOCK_ELEMS[kind]; left > 0; left -= blocksPerChunk) {
    const nb = Math.min(left, blocksPerChunk);
    for (let i = 0; i < Math.ceil((nb * size) / 4); i++) words[i] = next();
    for (let b = 0; b < nb; b++) {
      for (const [at, h] of fields) {
        buf[b * size + at] = h & 255;
        buf[b * size + at + 1] = h >> 8;
      }
    }
    put(fd, buf.subarray(0, nb * size));
  }
}

export interface Written {
  path: string;
  /** the weight file's size */
  bytes: number;
  writeSeconds: number;
  reused: boolean;
}

/** Writes `path` through a temporary name unless a file of `size` bytes is there already. */
function ensureFile(path: string, size: number, write: (fd: number) => void): Written {
  if (existsSync(path) && statSync(path).size === size) return { path, bytes: size, writeSeconds: 0, reused: true };
  const t0 = performance.now();
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    write(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  const got = statSync(tmp).size;
  if (got !== size) throw new Error(`bench: wrote ${got} bytes to ${tmp}, expected ${size}`);
  renameSync(tmp, path);
  return { path, bytes: size, writeSeconds: (performance.now() - t0) / 1000, reused: false };
}

/** An F16 LlamaForCausalLM folder (norms F16 too, as torch_dtype float16 saves them). */
export function ensureSafetensorsF16(dir: string, s: LlamaShape): Written {
  mkdirSync(dir, { recursive: true });
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: s.dModel,
    intermediate_size: s.dFf,
    num_hidden_layers: s.nLayers,
    num_attention_heads: s.nHeads,
    num_key_value_heads: s.nKvHeads,
    vocab_size: s.vocab,
    max_position_embeddings: s.maxPositions,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    hidden_act: 'silu',
    tie_word_embeddings: false,
    torch_dtype: 'float16',
    ffn_lab_bench: 'random weights (bench/llama-checkpoint.ts)',
  };
  const cfgPath = join(dir, 'config.json');
  const cfgText = `${JSON.stringify(config, null, 2)}\n`;
  if (!existsSync(cfgPath) || readFileSync(cfgPath, 'utf8') !== cfgText) {
    rmSync(join(dir, 'model.safetensors'), { force: true });
    const fd = openSync(cfgPath, 'w');
    put(fd, new TextEncoder().encode(cfgText));
    closeSync(fd);
  }
  const tensors = tensorsOf(s);
  const h: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const t of tensors) {
    const n = 2 * numel(t.shape);
    h[t.hf] = { dtype: 'F16', shape: t.shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  let json = JSON.stringify(h);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  return ensureFile(join(dir, 'model.safetensors'), 8 + head.byteLength + offset, (fd) => {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(head.byteLength));
    put(fd, len);
    put(fd, head);
    tensors.forEach((t, i) => {
      if (t.role === 'norm') {
        // ones, as fp16
        put(fd, new Uint8Array(new Uint16Array(numel(t.shape)).fill(0x3c00).buffer));
      } else writeData(fd, 'f16', numel(t.shape), 1000 + i);
    });
  });
}

/** GGUF writer pieces (little-endian). */
class Header {
  private parts: Uint8Array[] = [];
  length = 0;
  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.length += b.byteLength;
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    this.push(b);
    return this;
  }
  u64(v: number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
    return this;
  }
  f32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.push(b);
    return this;
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    this.u64(b.byteLength);
    this.push(b);
    return this;
  }
  bytes(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

/** GGUF value types used here and ggml tensor types. */
const GGUF_U32 = 4;
const GGUF_F32 = 6;
const GGUF_STRING = 8;
const GGML = { F32: 0, F16: 1, Q4_K: 12 } as const;
const ALIGN = 32;

/** A llama GGUF (v3): linear weights Q4_K (or `quant`), token embedding F16, norms F32; no tokenizer (the bench feeds token ids). */
export function ensureGgufQ4K(path: string, s: LlamaShape, quant: BenchQuant = 'q4_k'): Written {
  const kv: [string, number, string | number][] = [
    ['general.architecture', GGUF_STRING, 'llama'],
    ['general.name', GGUF_STRING, 'ffn-lab bench llama (random weights)'],
    ['general.alignment', GGUF_U32, ALIGN],
    ['llama.block_count', GGUF_U32, s.nLayers],
    ['llama.context_length', GGUF_U32, s.maxPositions],
    ['llama.embedding_length', GGUF_U32, s.dModel],
    ['llama.feed_forward_length', GGUF_U32, s.dFf],
    ['llama.attention.head_count', GGUF_U32, s.nHeads],
    ['llama.attention.head_count_kv', GGUF_U32, s.nKvHeads],
    ['llama.attention.layer_norm_rms_epsilon', GGUF_F32, 1e-5],
    ['llama.rope.freq_base', GGUF_F32, 10000],
    ['llama.vocab_size', GGUF_U32, s.vocab],
  ];
  const tensors = tensorsOf(s);
  const typeOf = (t: Tensor): number => (t.role === 'norm' ? GGML.F32 : t.role === 'embed' ? GGML.F16 : GGML_ID[quant]);
  const sizeOf = (t: Tensor): number => {
    const n = numel(t.shape);
    const type = typeOf(t);
    return type === GGML.F32 ? 4 * n : type === GGML.F16 ? 2 * n : (n / BLOCK_ELEMS[quant]) * BLOCK_BYTES[quant];
  };
  const pad = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;
  const h = new Header().u32(0x46554747).u32(3).u64(tensors.length).u64(kv.length);
  for (const [key, type, value] of kv) {
    h.str(key).u32(type);
    if (type === GGUF_STRING) h.str(value as string);
    else if (type === GGUF_F32) h.f32(value as number);
    else h.u32(value as number);
  }
  let at = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    offsets.push(at);
    h.str(t.gguf).u32(t.shape.length);
    for (const n of [...t.shape].reverse()) h.u64(n); // ne[0] is the row length
    h.u32(typeOf(t)).u64(at);
    at = pad(at + sizeOf(t));
  }
  const header = h.bytes();
  const dataStart = pad(header.byteLength);
  const last = tensors[tensors.length - 1] as Tensor;
  const size = dataStart + (offsets[offsets.length - 1] as number) + sizeOf(last);
  mkdirSync(join(path, '..'), { recursive: true });
  return ensureFile(path, size, (fd) => {
    put(fd, header);
    put(fd, new Uint8Array(dataStart - header.byteLength));
    let pos = 0;
    tensors.forEach((t, i) => {
      const gap = (offsets[i] as number) - pos;
      if (gap > 0) put(fd, new Uint8Array(gap));
      const type = typeOf(t);
      writeData(fd, type === GGML.F32 ? 'f32-ones' : type === GGML.F16 ? 'f16' : quant, numel(t.shape), 2000 + i);
      pos = (offsets[i] as number) + sizeOf(t);
    });
  });
}
