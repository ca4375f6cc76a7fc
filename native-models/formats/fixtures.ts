// Builders of small checkpoints, valid and broken, and the manifest of fixture cases with their
// expected result or exact error text. fixtures.test.ts checks the committed files under
// fixtures/ equal what these build (UPDATE_FIXTURES=1 rewrites them) and that each case opens as
// stated; the fuzz test mutates the valid ones. Used by tests only.

import type { DType } from './dtype.js';
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
  | { ok: { format: 'safetensors' | 'llama2c'; tensors: number; shapes?: Record<string, number[]>; values?: Record<string, number[]>; config?: Record<string, unknown> | null } }
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
    st('header-beyond-file', safetensorsRaw('{}', new Uint8Array(0), 1000n), err(S, 'header length 1000 exceeds the file: only 2 bytes follow the 8-byte length')),
    st('header-huge', safetensorsRaw('{}', new Uint8Array(0), 2n ** 63n), err(S, 'header length 9223372036854775808 is implausible; expected at most 100000000 bytes')),
    st('header-not-json', safetensorsRaw('{"a": nope}', new Uint8Array(0)), err(S, 'header is not valid JSON')),
    st('header-array', safetensorsRaw('[1, 2]', new Uint8Array(0)), err(S, `header starts with "[1, 2]"; expected a JSON object starting with '{'`)),
    st('header-not-utf8', safetensorsRaw(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), new Uint8Array(0)), err(S, 'header is not valid UTF-8 at byte 2 (0xff)')),
    st('header-deep', safetensorsRaw(`{"a":${'['.repeat(100)}${']'.repeat(100)}}`, new Uint8Array(0)), err(S, 'header nests more than 64 levels of objects/arrays; expected a shallow JSON object')),
    st('header-bom', safetensorsRaw('\ufeff{}', new Uint8Array(0)), err(S, `header starts with "\ufeff{}"; expected a JSON object`)),
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
    folder('hf-bad-shard', { [I]: index(goodMap), [s1]: safetensorsFile(shard1), [s2]: safetensorsRaw('{}', new Uint8Array(0), 99n) }, err(S, 'header length 99 exceeds the file')),
    folder('hf-bad-config', { 'config.json': text('{"model_type": "llama",}'), 'model.safetensors': safetensorsFile([A]) }, err(F, 'config.json is not valid JSON')),
    folder('hf-config-array', { 'config.json': text('[]'), 'model.safetensors': safetensorsFile([A]) }, err(F, 'config.json is an array ([]); expected a JSON object')),
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

export function fixtureCases(): FixtureCase[] {
  return [
    ...safetensorsCases(),
    ...folderCases(),
    ...llama2cCases(),
    { name: 'unknown-extension', files: { 'other/notes.txt': text('hello') }, open: 'other/notes.txt', expect: err('CheckpointError', 'not a checkpoint this app reads: extension ".txt" and no safetensors header; supported:') },
  ];
}
