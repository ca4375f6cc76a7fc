// Builders of small checkpoints, valid and broken, and the manifest of fixture cases with their
// expected result or exact error text. fixtures.test.ts checks the committed files under
// fixtures/ equal what these build (UPDATE_FIXTURES=1 rewrites them) and that each case opens as
// stated; the fuzz test mutates the valid ones. Used by tests only.

import type { DType } from './dtype.js';
import { GGUF_VALUE_TYPES, type GgufValueType } from './gguf.js';
import { llama2cConfig, type Llama2cHeader, llama2cLayout } from './llama2c.js';

export interface TensorSpec {
  name: string;
  dtype: DType;
  shape: number[];
  /** values exactly representable in `dtype` */
  values: number[];
}

/** fp16 bits of a value that is exactly representable as a normal half or zero (test data only). */
function f16Bits(v: number): number {
  if (v === 0) return Object.is(v, -0) ? 0x8000 : 0;
  const sign = v < 0 ? 0x8000 : 0;
  const a = Math.abs(v);
  const e = Math.floor(Math.log2(a));
  const mant = Math.round((a / 2 ** e - 1) * 1024);
  return sign | ((e + 15) << 10) | mant;
}

/** Little-endian bytes of `values` as `dtype`. */
export function encode(dtype: DType, values: readonly number[]): Uint8Array {
  const f32 = new Float32Array(values);
  if (dtype === 'F32') return new Uint8Array(f32.buffer);
  const out = new DataView(new ArrayBuffer(values.length * 2));
  const bits = new Uint32Array(f32.buffer);
  values.forEach((v, i) => out.setUint16(i * 2, dtype === 'F16' ? f16Bits(v) : (bits[i] ?? 0) >>> 16, true));
  return new Uint8Array(out.buffer);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A safetensors file from raw header text and data; `headerLength` overrides the stated length. */
export function safetensorsRaw(headerText: string | Uint8Array, data: Uint8Array, headerLength?: bigint): Uint8Array {
  const header = typeof headerText === 'string' ? new TextEncoder().encode(headerText) : headerText;
  const len = new DataView(new ArrayBuffer(8));
  len.setBigUint64(0, headerLength ?? BigInt(header.length), true);
  return concat([new Uint8Array(len.buffer), header, data]);
}

/** The header object of tensors laid out back to back, in the given order. */
export function headerFor(tensors: readonly TensorSpec[], metadata?: Record<string, string>): Record<string, unknown> {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let at = 0;
  for (const t of tensors) {
    const n = encode(t.dtype, t.values).length;
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + n] };
    at += n;
  }
  return header;
}

/** A valid safetensors file; `edit` may rewrite the header text (to break it on purpose). */
export function safetensorsFile(tensors: readonly TensorSpec[], opts: { metadata?: Record<string, string>; edit?: (json: string) => string; pad?: number } = {}): Uint8Array {
  let text = JSON.stringify(headerFor(tensors, opts.metadata));
  if (opts.edit) text = opts.edit(text);
  if (opts.pad) text += ' '.repeat(opts.pad);
  return safetensorsRaw(text, concat(tensors.map((t) => encode(t.dtype, t.values))));
}

const ramp = (n: number, scale: number, offset = 0): number[] => Array.from({ length: n }, (_, i) => (i - offset) * scale);

/** Mixed dtypes, a vector, a matrix, a 3-d tensor. */
export const SAMPLE_TENSORS: TensorSpec[] = [
  { name: 'embed.weight', dtype: 'F32', shape: [4, 3], values: ramp(12, 0.1, 6) },
  { name: 'layers.0.norm.weight', dtype: 'F16', shape: [3], values: [1, -0.5, 65504] },
  { name: 'layers.0.mlp.weight', dtype: 'BF16', shape: [2, 3], values: [0.5, -2, 3.25, -0, 2 ** -100, -1024] },
  { name: 'layers.0.attn.weight', dtype: 'F16', shape: [2, 2, 2], values: ramp(8, 0.25, 4) },
];

export const TINY_LLAMA: Llama2cHeader = { dim: 8, hidden_dim: 12, n_layers: 2, n_heads: 2, n_kv_heads: 1, vocab_size: 16, seq_len: 4 };

/** Float k of a generated llama2.c file: small, exact, varied. */
export const llamaValue = (k: number): number => (((k * 37) % 101) - 50) / 64;

/** Number of float32 weights (freq_cis included) that run.c expects for `h`. */
export function llama2cFloatCount(h: Llama2cHeader): number {
  return llama2cLayout(llama2cConfig(h)).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
}

/** A llama2.c legacy file; `floats` overrides how many weights follow the header. */
export function llama2cFile(h: Llama2cHeader, floats = llama2cFloatCount(h)): Uint8Array {
  const header = new Int32Array([h.dim, h.hidden_dim, h.n_layers, h.n_heads, h.n_kv_heads, h.vocab_size, h.seq_len]);
  return concat([new Uint8Array(header.buffer), encode('F32', Array.from({ length: floats }, (_, k) => llamaValue(k)))]);
}

export type Expect =
  | { ok: { format: 'safetensors' | 'llama2c' | 'gguf'; tensors: number; shapes?: Record<string, number[]>; values?: Record<string, number[]>; config?: Record<string, unknown> | null } }
  | { error: { type: string; includes: string } };

export interface FixtureCase {
  name: string;
  /** files relative to fixtures/, with their bytes */
  files: Record<string, Uint8Array>;
  /** what to give openCheckpoint, relative to fixtures/ */
  open: string;
  expect: Expect;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const json = (v: unknown): Uint8Array => text(JSON.stringify(v, null, 2));
const st = (name: string, bytes: Uint8Array, expect: Expect): FixtureCase => ({ name, files: { [`safetensors/${name}.safetensors`]: bytes }, open: `safetensors/${name}.safetensors`, expect });
const l2c = (name: string, bytes: Uint8Array, expect: Expect): FixtureCase => ({ name, files: { [`llama2c/${name}.bin`]: bytes }, open: `llama2c/${name}.bin`, expect });
const folder = (name: string, files: Record<string, Uint8Array>, expect: Expect): FixtureCase => ({
  name,
  files: Object.fromEntries(Object.entries(files).map(([f, b]) => [`folders/${name}/${f}`, b])),
  open: `folders/${name}`,
  expect,
});
const err = (type: string, includes: string): Expect => ({ error: { type, includes } });
const S = 'SafetensorsError';
const F = 'SafetensorsFolderError';
const L = 'Llama2cError';

const [A, B, C, D] = SAMPLE_TENSORS as [TensorSpec, TensorSpec, TensorSpec, TensorSpec];
const f32 = (name: string, values: number[]): TensorSpec => ({ name, dtype: 'F32', shape: [values.length], values });

function safetensorsCases(): FixtureCase[] {
  const okSample: Expect = {
    ok: { format: 'safetensors', tensors: 4, shapes: { [A.name]: A.shape, [D.name]: D.shape }, values: { [B.name]: B.values, [C.name]: C.values } },
  };
  const data8 = encode('F32', [1, 2]);
  const entry = (begin: number, end: number, shape = [(end - begin) / 4]): unknown => ({ dtype: 'F32', shape, data_offsets: [begin, end] });
  const raw = (header: Record<string, unknown>, data: Uint8Array): Uint8Array => safetensorsRaw(JSON.stringify(header), data);
  return [
    st('valid', safetensorsFile(SAMPLE_TENSORS, { metadata: { format: 'pt' } }), okSample),
    st('valid-padded', safetensorsFile(SAMPLE_TENSORS, { pad: 5 }), okSample),
    st('valid-empty-tensor', safetensorsFile([A, { name: 'empty', dtype: 'BF16', shape: [0, 3], values: [] }, B]), { ok: { format: 'safetensors', tensors: 3, shapes: { empty: [0, 3] }, values: { empty: [] } } }),
    st('valid-no-tensors', safetensorsRaw('{}', new Uint8Array(0)), { ok: { format: 'safetensors', tensors: 0 } }),
    st('short', new Uint8Array([1, 0, 0, 0, 0]), err(S, 'file is 5 bytes; expected at least 8 (the header length)')),
    st('header-beyond-file', safetensorsRaw('{}', new Uint8Array(0), 1000n), err(S, 'the header length (the first 8 bytes) exceeds the file: only 2 bytes follow it (truncated?)')),
    st('header-huge', safetensorsRaw('{}', new Uint8Array(0), 2n ** 63n), err(S, 'the header length (the first 8 bytes) is implausible; expected at most 100000000 bytes')),
    st('header-not-json', safetensorsRaw('{"a": nope}', new Uint8Array(0)), err(S, 'header is not valid JSON')),
    st('header-array', safetensorsRaw('[1, 2]', new Uint8Array(0)), err(S, `header does not start with '{' (after any spaces); expected a JSON object`)),
    st('header-not-utf8', safetensorsRaw(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), new Uint8Array(0)), err(S, 'header is not valid UTF-8 at byte 2; expected UTF-8 JSON text')),
    st('header-deep', safetensorsRaw(`{"a":${'['.repeat(100)}${']'.repeat(100)}}`, new Uint8Array(0)), err(S, 'header nests more than 64 levels of objects/arrays; expected a shallow JSON object')),
    st('header-bom', safetensorsRaw('\ufeff{}', new Uint8Array(0)), err(S, `header starts with a UTF-8 byte-order mark; expected a JSON object starting with '{'`)),
    st('duplicate-name', safetensorsFile([A, B], { edit: (j) => j.replace(`"${B.name}"`, `"${A.name}"`) }), err(S, `header has the key "${A.name}" twice in the top-level object`)),
    st('duplicate-escaped-name', safetensorsRaw(`{"w":${JSON.stringify(entry(0, 4))},"\\u0077":${JSON.stringify(entry(4, 8))}}`, data8), err(S, 'header has the key "w" twice')),
    st('duplicate-field', safetensorsRaw('{"w":{"dtype":"F32","dtype":"F16","shape":[2],"data_offsets":[0,8]}}', data8), err(S, 'header has the key "dtype" twice in object "w"')),
    st('dtype-i64', raw({ ids: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, data8), err(S, 'tensor "ids": dtype "I64" is not supported; expected one of F32, F16, BF16')),
    st('dtype-missing', raw({ w: { shape: [2], data_offsets: [0, 8] } }, data8), err(S, 'tensor "w": dtype nothing (missing) is not supported')),
    st('shape-bytes-mismatch', raw({ w: entry(0, 8, [3]) }, data8), err(S, 'tensor "w": shape [3] of F32 is 12 bytes but data_offsets [0, 8] span 8; expected them equal')),
    st('shape-overflow', raw({ w: entry(0, 8, [2 ** 40, 2 ** 40]) }, data8), err(S, 'shape [1099511627776,1099511627776] of F32 is 4835703278458516698824704 bytes but data_offsets [0, 8] span 8')),
    st('shape-negative', raw({ w: entry(0, 8, [-2]) }, data8), err(S, 'tensor "w": shape [-2]; expected an array of non-negative integers')),
    st('shape-fraction', raw({ w: entry(0, 8, [1.5]) }, data8), err(S, 'tensor "w": shape [1.5]; expected an array of non-negative integers')),
    st('offsets-reversed', raw({ w: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, data8), err(S, 'tensor "w": data_offsets [8, 0] end before they begin')),
    st('offsets-unsafe', raw({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 2 ** 60] } }, data8), err(S, 'tensor "w": data_offsets [0,1152921504606847000]; expected [begin, end], two non-negative integers')),
    st('gap', raw({ a: entry(0, 4), b: entry(8, 12) }, encode('F32', [1, 2, 3])), err(S, 'gap: data bytes 4..8 after tensor "a" belong to no tensor (tensor "b" begins at 8)')),
    st('gap-at-start', raw({ a: entry(4, 8) }, data8), err(S, 'gap: data bytes 0..4 at the start of the data belong to no tensor')),
    st('overlap', raw({ a: entry(0, 8), b: entry(4, 8) }, data8), err(S, 'overlap: tensor "b" begins at data byte 4 but tensor "a" ends at 8')),
    st('trailing-bytes', raw({ a: entry(0, 4) }, data8), err(S, 'trailing bytes: tensors end at file byte')),
    st('truncated', safetensorsFile(SAMPLE_TENSORS).subarray(0, -3), err(S, `truncated: tensor "${D.name}" ends at file byte`)),
    st('metadata-not-string', raw({ __metadata__: { epoch: 3 }, a: entry(0, 8) }, data8), err(S, '__metadata__.epoch is 3; expected a string')),
    st('entry-not-object', raw({ a: [0, 8] }, data8), err(S, 'tensor "a": entry is [0,8]; expected an object {dtype, shape, data_offsets}')),
  ];
}

function folderCases(): FixtureCase[] {
  const config = json({ model_type: 'llama', hidden_size: 3 });
  const [shard1, shard2] = [[A, B], [C, D]];
  const index = (map: Record<string, string>): Uint8Array => json({ metadata: { total_size: 0 }, weight_map: map });
  const mapOf = (tensors: TensorSpec[], shard: string): Record<string, string> => Object.fromEntries(tensors.map((t) => [t.name, shard]));
  const s1 = 'model-00001-of-00002.safetensors';
  const s2 = 'model-00002-of-00002.safetensors';
  const goodMap = { ...mapOf(shard1, s1), ...mapOf(shard2, s2) };
  const shards = { [s1]: safetensorsFile(shard1), [s2]: safetensorsFile(shard2) };
  const I = 'model.safetensors.index.json';
  return [
    folder('hf-single', { 'config.json': config, 'model.safetensors': safetensorsFile(SAMPLE_TENSORS) }, { ok: { format: 'safetensors', tensors: 4, config: { model_type: 'llama', hidden_size: 3 } } }),
    folder('hf-sharded', { 'config.json': config, [I]: index(goodMap), ...shards }, { ok: { format: 'safetensors', tensors: 4, values: { [C.name]: C.values } } }),
    folder('hf-no-config', { 'model.safetensors': safetensorsFile([A]) }, { ok: { format: 'safetensors', tensors: 1, config: null } }),
    folder('hf-missing-shard', { [I]: index(goodMap), [s1]: shards[s1] as Uint8Array }, err(F, `missing shard: weight_map names "${s2}"`)),
    folder('hf-traversal', { [I]: index({ ...goodMap, [A.name]: '../outside.safetensors' }), ...shards }, err(F, `weight_map["${A.name}"] is "../outside.safetensors"; expected the file name of a shard in this folder`)),
    folder('hf-absolute', { [I]: index({ ...goodMap, [A.name]: '/etc/passwd' }), ...shards }, err(F, 'is "/etc/passwd"; expected the file name of a shard')),
    folder('hf-wrong-shard', { [I]: index({ ...goodMap, [A.name]: s2 }), ...shards }, err(F, `weight_map puts tensor "${A.name}" in "${s2}" but it is in "${s1}"`)),
    folder('hf-unlisted', { [I]: index(mapOf(shard1, s1)), [s1]: safetensorsFile([...shard1, f32('extra', [1])]) }, err(F, 'tensor "extra" in shard "model-00001-of-00002.safetensors" is not listed in weight_map')),
    folder('hf-tensor-in-two-shards', { [I]: index(goodMap), [s1]: safetensorsFile(shard1), [s2]: safetensorsFile([A, ...shard2]) }, err(F, `tensor "${A.name}" is in two shards`)),
    folder('hf-bad-shard', { [I]: index(goodMap), [s1]: safetensorsFile(shard1), [s2]: safetensorsRaw('{}', new Uint8Array(0), 99n) }, err(S, 'the header length (the first 8 bytes) exceeds the file')),
    folder('hf-bad-config', { 'config.json': text('{"model_type": "llama",}'), 'model.safetensors': safetensorsFile([A]) }, err(F, 'config.json is not valid JSON')),
    folder('hf-config-array', { 'config.json': text('[]'), 'model.safetensors': safetensorsFile([A]) }, err(F, 'config.json is an array; expected a JSON object')),
    folder('hf-no-weights', { 'config.json': config, 'pytorch_model.bin': text('PK') }, err(F, 'no model.safetensors or model.safetensors.index.json: it holds "config.json", "pytorch_model.bin"; PyTorch pickle weights are not read')),
    folder('hf-weight-map-missing', { [I]: json({ metadata: {} }), ...shards }, err(F, 'weight_map is nothing (missing); expected an object {tensor name: shard file}')),
  ];
}

function llama2cCases(): FixtureCase[] {
  const h = TINY_LLAMA;
  const n = llama2cFloatCount(h);
  const bytes = 28 + 4 * n;
  const tensors = 2 + 9 * h.n_layers;
  const cfg = { ...h, shared_classifier: true };
  const ok: Expect = {
    ok: {
      format: 'llama2c',
      tensors,
      config: cfg,
      shapes: { token_embedding_table: [16, 8], 'layers.1.wq': [8, 8], 'layers.0.wk': [4, 8], 'layers.1.w1': [12, 8], 'layers.1.w2': [8, 12], rms_final_weight: [8] },
      values: { 'layers.0.rms_att_weight': Array.from({ length: 8 }, (_, i) => llamaValue(16 * 8 + i)) },
    },
  };
  const unshared = { ...h, vocab_size: -16 };
  return [
    l2c('tiny', llama2cFile(h), ok),
    l2c('tiny-unshared', llama2cFile(unshared), { ok: { format: 'llama2c', tensors: tensors + 1, shapes: { wcls: [16, 8] }, values: { wcls: Array.from({ length: 128 }, (_, i) => llamaValue(n + i)) } } }),
    l2c('truncated', llama2cFile(h).subarray(0, -10), err(L, `file is ${bytes - 10} bytes but its header (dim 8, hidden_dim 12, n_layers 2, n_heads 2, n_kv_heads 1, vocab_size 16, seq_len 4, shared classifier) implies ${bytes} bytes: 10 bytes short (truncated?)`)),
    l2c('extra-bytes', llama2cFile(h, n + 1), err(L, `implies ${bytes} bytes: 4 extra bytes`)),
    l2c('sharing-mismatch', llama2cFile(h, n + 128), err(L, 'the size fits a separate classifier, but vocab_size is positive')),
    l2c('zero-heads', llama2cFile({ ...h, n_heads: 0 }, 0), err('CheckpointError', 'As llama2.c: header field n_heads = 0; expected a positive integer that divides dim (8)')),
    l2c('kv-not-dividing', llama2cFile({ ...h, dim: 12, n_heads: 6, n_kv_heads: 4 }, 0), err('CheckpointError', 'header field n_kv_heads = 4; expected a positive integer that divides n_heads (6)')),
    l2c('versioned', concat([new Uint8Array(new Uint32Array([0x616b3432, 1]).buffer), new Uint8Array(248)]), err('CheckpointError', 'versioned magic "ak42" (export version 1)')),
    l2c('pytorch-zip', text('PK\u0003\u0004 not a model, just a zip header'), err('CheckpointError', 'It looks like a zip (a PyTorch .pt/.bin): convert it to safetensors.')),
  ];
}

// GGUF: a writer for valid and deliberately broken files (the quantized types' proof against an
// independent NumPy dequantizer is native-models/fixtures/gguf/, made by make_quant_fixtures.py).

/** A metadata value with its GGUF type; arrays give their element type. */
export interface GgufKv {
  key: string;
  type: GgufValueType;
  value: unknown;
  /** for ARRAY: the element type (nested arrays: elem 'ARRAY' and `inner`) */
  elem?: GgufValueType;
  inner?: GgufValueType;
}

export interface GgufTensorSpec {
  name: string;
  /** ggml type id */
  type: number;
  /** GGUF order: ne[0] is the row length */
  ne: (number | bigint)[];
  data: Uint8Array;
  /** data offset; default: after the previous tensor, aligned */
  offset?: bigint;
}

export interface GgufOptions {
  version?: number;
  /** byte-swap the version field, as a big-endian writer would */
  bigEndianVersion?: boolean;
  kvCount?: bigint;
  tensorCount?: bigint;
  /** alignment used to lay out the data (default: general.alignment when given, else 32) */
  alignment?: number;
  magic?: string;
}

class Bytes {
  private parts: Uint8Array[] = [];
  length = 0;
  push(b: Uint8Array): void {
    this.parts.push(b);
    this.length += b.length;
  }
  num(kind: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'u64' | 'i64' | 'f64', v: number | bigint): void {
    const size = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, u64: 8, i64: 8, f64: 8 }[kind];
    const d = new DataView(new ArrayBuffer(size));
    if (kind === 'u8') d.setUint8(0, Number(v));
    else if (kind === 'i8') d.setInt8(0, Number(v));
    else if (kind === 'u16') d.setUint16(0, Number(v), true);
    else if (kind === 'i16') d.setInt16(0, Number(v), true);
    else if (kind === 'u32') d.setUint32(0, Number(v), true);
    else if (kind === 'i32') d.setInt32(0, Number(v), true);
    else if (kind === 'f32') d.setFloat32(0, Number(v), true);
    else if (kind === 'u64') d.setBigUint64(0, BigInt(v), true);
    else if (kind === 'i64') d.setBigInt64(0, BigInt(v), true);
    else d.setFloat64(0, Number(v), true);
    this.push(new Uint8Array(d.buffer));
  }
  str(s: string): void {
    const b = new TextEncoder().encode(s);
    this.num('u64', b.length);
    this.push(b);
  }
  bytes(): Uint8Array {
    return concat(this.parts);
  }
}

const GGUF_TYPE_IDS: Record<GgufValueType, number> = Object.fromEntries(GGUF_VALUE_TYPES.map((t, i) => [t, i])) as Record<GgufValueType, number>;
const NUM_KIND = { UINT8: 'u8', INT8: 'i8', UINT16: 'u16', INT16: 'i16', UINT32: 'u32', INT32: 'i32', FLOAT32: 'f32', UINT64: 'u64', INT64: 'i64', FLOAT64: 'f64' } as const;

function ggufValue(out: Bytes, type: GgufValueType, value: unknown, elem?: GgufValueType, inner?: GgufValueType): void {
  if (type === 'STRING') out.str(String(value));
  else if (type === 'BOOL') out.num('u8', value ? 1 : 0);
  else if (type === 'ARRAY') {
    const items = value as unknown[];
    const e = elem ?? 'UINT8';
    out.num('u32', GGUF_TYPE_IDS[e]);
    out.num('u64', items.length);
    for (const item of items) ggufValue(out, e, item, inner, inner === 'ARRAY' ? 'ARRAY' : undefined);
  } else out.num(NUM_KIND[type], value as number | bigint);
}

/** A GGUF file (little-endian) from metadata and tensors; options break it on purpose. */
export function ggufFile(kv: readonly GgufKv[], tensors: readonly GgufTensorSpec[], opts: GgufOptions = {}): Uint8Array {
  const alignKv = kv.find((k) => k.key === 'general.alignment');
  const alignment = opts.alignment ?? (typeof alignKv?.value === 'number' ? alignKv.value : 32);
  const out = new Bytes();
  out.push(new TextEncoder().encode(opts.magic ?? 'GGUF'));
  const version = opts.version ?? 3;
  out.num('u32', opts.bigEndianVersion ? (((version & 0xff) << 24) | ((version >>> 24) & 0xff)) >>> 0 : version);
  out.num('u64', opts.tensorCount ?? BigInt(tensors.length));
  out.num('u64', opts.kvCount ?? BigInt(kv.length));
  for (const k of kv) {
    out.str(k.key);
    out.num('u32', GGUF_TYPE_IDS[k.type]);
    ggufValue(out, k.type, k.value, k.elem, k.inner);
  }
  const pad = (n: number): number => (alignment > 0 ? Math.ceil(n / alignment) * alignment : n);
  const offsets: bigint[] = [];
  let at = 0;
  for (const t of tensors) {
    const off = t.offset ?? BigInt(pad(at));
    offsets.push(off);
    at = Math.max(at, Number(off) + t.data.length);
  }
  tensors.forEach((t, i) => {
    out.str(t.name);
    out.num('u32', t.ne.length);
    for (const n of t.ne) out.num('u64', n);
    out.num('u32', t.type);
    out.num('u64', offsets[i] ?? 0n);
  });
  const header = out.bytes();
  const dataStart = pad(header.length);
  const file = new Uint8Array(dataStart + at);
  file.set(header);
  tensors.forEach((t, i) => file.set(t.data, dataStart + Number(offsets[i] ?? 0n)));
  return file;
}

const f16 = (v: number): number => new DataView(encode('F16', [v]).buffer).getUint16(0, true);

/** Q8_0 blocks with scale d and quants q (32 per block). */
export function q8_0Blocks(d: number, q: readonly number[]): Uint8Array {
  const out = new Uint8Array((q.length / 32) * 34);
  const view = new DataView(out.buffer);
  for (let b = 0; b < q.length / 32; b++) {
    view.setUint16(b * 34, f16(d), true);
    for (let j = 0; j < 32; j++) view.setInt8(b * 34 + 2 + j, q[b * 32 + j] ?? 0);
  }
  return out;
}

/** Q4_0 blocks with scale d and quants q in 0..15 (32 per block): low nibbles are elements 0..15. */
export function q4_0Blocks(d: number, q: readonly number[]): Uint8Array {
  const out = new Uint8Array((q.length / 32) * 18);
  const view = new DataView(out.buffer);
  for (let b = 0; b < q.length / 32; b++) {
    view.setUint16(b * 18, f16(d), true);
    for (let j = 0; j < 16; j++) out[b * 18 + 2 + j] = ((q[b * 32 + j] ?? 0) & 15) | (((q[b * 32 + 16 + j] ?? 0) & 15) << 4);
  }
  return out;
}

const Q8_VALUES = Array.from({ length: 32 }, (_, i) => i - 12);
const Q4_VALUES = Array.from({ length: 64 }, (_, i) => (i * 7) % 16);

/** Metadata of every GGUF type and tensors of F32, F16, BF16, Q8_0, Q4_0 (a Llama-like layout). */
export const GGUF_SAMPLE_KV: GgufKv[] = [
  { key: 'general.architecture', type: 'STRING', value: 'llama' },
  { key: 'general.name', type: 'STRING', value: 'tiny ünïcode' },
  { key: 'test.u8', type: 'UINT8', value: 255 },
  { key: 'test.i8', type: 'INT8', value: -128 },
  { key: 'test.u16', type: 'UINT16', value: 65535 },
  { key: 'test.i16', type: 'INT16', value: -32768 },
  { key: 'llama.block_count', type: 'UINT32', value: 1 },
  { key: 'test.i32', type: 'INT32', value: -2147483648 },
  { key: 'llama.rope.freq_base', type: 'FLOAT32', value: 10000 },
  { key: 'test.bool', type: 'BOOL', value: true },
  { key: 'test.u64', type: 'UINT64', value: 2n ** 40n },
  { key: 'test.i64', type: 'INT64', value: -5n },
  { key: 'test.u64_big', type: 'UINT64', value: 2n ** 64n - 1n },
  { key: 'test.f64', type: 'FLOAT64', value: 0.1 },
  { key: 'tokenizer.ggml.tokens', type: 'ARRAY', elem: 'STRING', value: ['<s>', '</s>', 'a', ''] },
  { key: 'tokenizer.ggml.scores', type: 'ARRAY', elem: 'FLOAT32', value: [0, -1.5, 2] },
  { key: 'test.nested', type: 'ARRAY', elem: 'ARRAY', inner: 'INT32', value: [[1, 2], [], [3]] },
  { key: 'test.empty', type: 'ARRAY', elem: 'BOOL', value: [] },
];

export const GGUF_SAMPLE_TENSORS: GgufTensorSpec[] = [
  { name: 'token_embd.weight', type: 0, ne: [3, 2], data: encode('F32', [0.5, -1, 2, 3.25, -0, 1e-3]) },
  { name: 'blk.0.attn_norm.weight', type: 1, ne: [3], data: encode('F16', [1, -0.5, 65504]) },
  { name: 'blk.0.ffn_up.weight', type: 30, ne: [2, 3], data: encode('BF16', [0.5, -2, 3.25, -0, 2 ** -100, -1024]) },
  { name: 'blk.0.ffn_gate.weight', type: 8, ne: [32, 1], data: q8_0Blocks(0.5, Q8_VALUES) },
  { name: 'blk.0.ffn_down.weight', type: 2, ne: [32, 2], data: q4_0Blocks(0.25, Q4_VALUES) },
];

function ggufCases(): FixtureCase[] {
  const G = 'GgufError';
  const gg = (name: string, bytes: Uint8Array, expect: Expect): FixtureCase => ({ name: `gguf-${name}`, files: { [`gguf/${name}.gguf`]: bytes }, open: `gguf/${name}.gguf`, expect });
  const kv = GGUF_SAMPLE_KV;
  const ts = GGUF_SAMPLE_TENSORS;
  const [t0, t1] = ts as [GgufTensorSpec, GgufTensorSpec];
  const q4 = Q4_VALUES.map((q) => (q - 8) * 0.25);
  const ok: Expect = {
    ok: {
      format: 'gguf',
      tensors: 5,
      shapes: { 'token_embd.weight': [2, 3], 'blk.0.attn_norm.weight': [3], 'blk.0.ffn_up.weight': [3, 2], 'blk.0.ffn_gate.weight': [1, 32], 'blk.0.ffn_down.weight': [2, 32] },
      values: {
        'token_embd.weight': [0.5, -1, 2, 3.25, -0, Math.fround(1e-3)],
        'blk.0.attn_norm.weight': [1, -0.5, 65504],
        'blk.0.ffn_up.weight': [0.5, -2, 3.25, -0, 2 ** -100, -1024],
        'blk.0.ffn_gate.weight': Q8_VALUES.map((q) => q * 0.5),
        'blk.0.ffn_down.weight': q4,
      },
    },
  };
  const small = [{ key: 'general.architecture', type: 'STRING', value: 'llama' }] as GgufKv[];
  const valid = ggufFile(kv, ts);
  const absurd = concat([ggufFile([], []).subarray(0, 16), new Uint8Array(new BigUint64Array([2n ** 40n]).buffer)]);
  return [
    gg('valid', valid, ok),
    gg('valid-v2-align64', ggufFile([...kv, { key: 'general.alignment', type: 'UINT32', value: 64 }], ts, { version: 2 }), ok),
    gg('valid-no-tensors', ggufFile(small, []), { ok: { format: 'gguf', tensors: 0, config: { 'general.architecture': 'llama' } } }),
    gg('unsupported-iq2_xxs', ggufFile(small, [t0, { name: 'blk.0.ffn_down.weight', type: 16, ne: [256, 1], data: new Uint8Array(66) }]),
      err(G, 'tensor "blk.0.ffn_down.weight": ggml type IQ2_XXS (16) is not supported; expected one of F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, BF16')),
    gg('unknown-type', ggufFile(small, [{ name: 'w', type: 99, ne: [4], data: new Uint8Array(16) }]), err(G, 'tensor "w": ggml type id 99 is unknown; expected one of F32')),
    gg('big-endian', ggufFile(small, [t0], { bigEndianVersion: true }), err(G, 'version field reads 50331648 (0x03000000), which is version 3 byte-swapped: a big-endian GGUF; expected a little-endian GGUF (version 2 or 3)')),
    gg('version-1', ggufFile(small, [t0], { version: 1 }), err(G, 'GGUF version 1 (32-bit counts, before August 2023) is not read; expected version 2 or 3')),
    gg('version-4', ggufFile(small, [t0], { version: 4 }), err(G, 'GGUF version 4; expected 2 or 3')),
    gg('truncated', valid.subarray(0, -3), err(G, 'truncated: tensor "blk.0.ffn_down.weight" (Q4_0, ne [32, 2], 36 bytes at data offset 160) ends at file byte 1188 but the file has 1185 bytes')),
    gg('truncated-header', valid.subarray(0, 500), err(G, 'key "tokenizer.ggml.tokens" (array length) is 4 at offset 467, implausible: the 25 bytes left in the file hold at most 3 elements')),
    gg('short', valid.subarray(0, 10), err(G, 'file is 10 bytes; expected at least 24 (the GGUF header)')),
    gg('misaligned', ggufFile(small, [{ ...t1, offset: 4n }]), err(G, 'tensor "blk.0.attn_norm.weight": data offset 4 is not a multiple of the alignment 32; expected aligned tensor data')),
    gg('overlap', ggufFile(small, [t0, { ...t1, offset: 0n }]), err(G, 'overlap: tensor "token_embd.weight" begins at data offset 0 but tensor "blk.0.attn_norm.weight" ends at 6; expected tensors not to overlap')),
    gg('kv-count-absurd', absurd, err(G, 'key/value count is 1099511627776 at offset 16, implausible: the 0 bytes left in the file hold at most 0 key/value pairs')),
    gg('tensor-count-absurd', ggufFile(small, [t0], { tensorCount: 2n ** 60n }), err(G, 'tensor count is 1152921504606846976 at offset 8, implausible')),
    gg('string-absurd', ggufFile(small, [t0]).map((b, i) => (i === 24 + 7 ? 0x7f : b)), err(G, 'key 0 (string length) is 9151314442816847892 at offset 24, implausible: the 120 bytes left in the file hold at most 120 bytes')),
    gg('alignment-not-power-of-two', ggufFile([...small, { key: 'general.alignment', type: 'UINT32', value: 48 }], [t0], { alignment: 48 }), err(G, 'general.alignment is 48; expected a power of two (GGUF\'s default is 32)')),
    gg('alignment-zero', ggufFile([...small, { key: 'general.alignment', type: 'UINT32', value: 0 }], [t0], { alignment: 32 }), err(G, 'general.alignment is 0; expected a power of two')),
    gg('alignment-type', ggufFile([...small, { key: 'general.alignment', type: 'INT32', value: 32 }], [t0]), err(G, 'general.alignment is 32 of type INT32; expected a UINT32 power of two')),
    gg('n-dims-5', ggufFile(small, [{ ...t0, ne: [3, 2, 1, 1, 1] }]), err(G, 'tensor "token_embd.weight": n_dims is 5; expected at most 4')),
    gg('partial-block', ggufFile(small, [{ name: 'w', type: 8, ne: [16, 2], data: new Uint8Array(34) }]), err(G, 'tensor "w": row length ne[0] = 16 is not a multiple of Q8_0\'s block size 32; expected whole blocks per row')),
    gg('shape-overflow', ggufFile(small, [{ ...t0, ne: [2n ** 40n, 2n ** 40n] }]), err(G, 'tensor "token_embd.weight": ne [1099511627776, 1099511627776] has more than 2^53 elements')),
    gg('duplicate-key', ggufFile([...small, ...small], []), err(G, 'key "general.architecture" appears twice')),
    gg('duplicate-tensor', ggufFile(small, [t0, { ...t0 }]), err(G, 'tensor "token_embd.weight" is listed twice; expected each name once')),
    gg('value-type-unknown', ggufFile(small, [t0]).map((b, i) => (i === 24 + 8 + 20 ? 13 : b)), err(G, 'key "general.architecture": value type 13 at offset 52; expected a GGUF type 0..12')),
    gg('bad-magic', ggufFile(small, [t0], { magic: 'GGML' }), err(G, 'does not start with the GGUF magic "GGUF"; expected a GGUF file')),
    gg('nested-deep', ggufFile([{ key: 'deep', type: 'ARRAY', elem: 'ARRAY', inner: 'ARRAY', value: [[[[[[[[[[]]]]]]]]]] }], []), err(G, 'key "deep": arrays nest more than 8 deep; expected flat arrays')),
  ];
}

export function fixtureCases(): FixtureCase[] {
  return [
    ...safetensorsCases(),
    ...folderCases(),
    ...llama2cCases(),
    ...ggufCases(),
    { name: 'unknown-extension', files: { 'other/notes.txt': text('hello') }, open: 'other/notes.txt', expect: err('CheckpointError', 'not a checkpoint this app reads: extension ".txt" and no safetensors header; supported:') },
  ];
}
