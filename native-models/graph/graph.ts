// A small helper for writing ONNX graphs by hand: values are referred to by name, `op` appends a
// node and returns its (fresh) output name, initializers reference the caller's bytes (16-bit
// weights: read only when encoded, streamed to the side file one at a time), and small
// constants are de-duplicated. `encode` decides which initializers go to an external data file.

import {
  type AttributeValue,
  type Dim,
  type ElemType,
  encodeModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-proto.js';
import { type Encoded } from './protobuf.js';

/** ONNX IR version 9 goes with opset 20 (reductions take `axes` as an input since opset 18; Gelu since 20). */
export const IR_VERSION = 9;
export const OPSET = 20;
/** onnxruntime's contrib ops (MatMulNBits); imported only by graphs that use one */
export const MS_DOMAIN = 'com.microsoft';

export const attr = {
  f: (value: number): AttributeValue => ({ kind: 'float', value }),
  i: (value: number): AttributeValue => ({ kind: 'int', value }),
  ints: (value: readonly number[]): AttributeValue => ({ kind: 'ints', value }),
  s: (value: string): AttributeValue => ({ kind: 'string', value }),
};
export type Attrs = Readonly<Record<string, AttributeValue>>;

/**
 * Initializer bytes read only when the graph is encoded: a weight streamed to the side file is
 * held by this process one at a time, not all at once (read() must return byteLength bytes).
 */
export interface LazyBytes {
  byteLength: number;
  read(): Uint8Array;
}

interface Initializer {
  name: string;
  elemType: ElemType;
  dims: readonly number[];
  bytes: Uint8Array | LazyBytes;
}

/** The side file's content: byte runs, some of them read only when written (graph-cache.ts). */
export interface SideFile {
  parts: (Uint8Array | LazyBytes)[];
  byteLength: number;
}

/** Where initializer bytes go. `auto` moves weights to a side file when the total passes `thresholdBytes`. */
export interface ExternalDataPolicy {
  mode: 'auto' | 'always' | 'never';
  /** file name of the side file, relative to the model file (it must sit beside it) */
  location: string;
  /** default 1.5 GB: protobuf messages cannot exceed 2 GB */
  thresholdBytes?: number;
  /**
   * `auto` also goes external when the initializers read at encoding (16-bit weights) pass this,
   * default 64 MiB: streamed to the side file and mapped by onnxruntime, they are held once; inline,
   * the encoded graph and onnxruntime's copy of it held them about twice (measured, bench --memory)
   */
  lazyThresholdBytes?: number;
}

export interface EncodedGraph {
  model: Encoded;
  /** the side file's content when any initializer went external */
  external?: { location: string; data: SideFile };
}

const DEFAULT_THRESHOLD = 1.5e9;
/** `auto`'s default lazyThresholdBytes (runtime/memory.ts counts 16-bit weights by it) */
export const LAZY_EXTERNAL_BYTES = 64 * 2 ** 20;
const PROTOBUF_LIMIT = 2 ** 31 - 1;
/** small tensors stay inline even with external data (constants, norms) */
const MIN_EXTERNAL_BYTES = 1024;
/** offsets in the side file are page aligned so the runtime may memory-map it */
const EXTERNAL_ALIGN = 4096;

function bytesOf(a: Float32Array | BigInt64Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** An initializer's bytes, read now when lazy (and checked to be the promised length). */
function readBytes(t: { name: string; bytes: Uint8Array | LazyBytes }): Uint8Array {
  if (t.bytes instanceof Uint8Array) return t.bytes;
  const b = t.bytes.read();
  if (b.byteLength !== t.bytes.byteLength) throw new Error(`graph: initializer ${t.name} read ${b.byteLength} bytes, ${t.bytes.byteLength} expected`);
  return b;
}

/** The side file as one array (tests; graph-cache.ts streams it instead). */
export function sideFileBytes(f: SideFile): Uint8Array {
  const out = new Uint8Array(f.byteLength);
  let o = 0;
  for (const run of f.parts) {
    const p = run instanceof Uint8Array ? run : run.read();
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

if (new Uint8Array(new Float32Array([1]).buffer)[3] !== 0x3f) {
  // raw_data is little-endian by definition; we pass the platform's bytes through unchanged
  throw new Error('graph builder: big-endian hosts are not supported (ONNX raw_data is little-endian)');
}

export class Graph {
  private readonly nodes: OnnxNode[] = [];
  private readonly inits: Initializer[] = [];
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private readonly used = new Set<string>();
  private readonly constCache = new Map<string, string>();
  private counter = 0;
  private usesContrib = false;

  constructor(readonly name: string) {}

  /** A name not used yet, derived from `hint`. */
  fresh(hint: string): string {
    let n = hint;
    while (this.used.has(n)) n = `${hint}_${++this.counter}`;
    this.used.add(n);
    return n;
  }

  input(name: string, elemType: ElemType, dims: readonly Dim[]): string {
    this.claim(name);
    this.inputs.push({ name, elemType, dims });
    return name;
  }

  /** Exposes `value` as graph output `name` (through an Identity when the names differ). */
  output(value: string, name: string, elemType: ElemType, dims?: readonly Dim[]): void {
    if (value !== name) {
      this.claim(name);
      this.nodes.push({ opType: 'Identity', inputs: [value], outputs: [name], name: `out_${name}` });
    }
    this.outputs.push(dims === undefined ? { name, elemType } : { name, elemType, dims });
  }

  hasOutputs(): boolean {
    return this.outputs.length > 0;
  }

  /** A float32 initializer that references `data` (no copy until encoding). */
  initF32(name: string, data: Float32Array, dims: readonly number[]): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`graph: initializer ${name} has ${data.length} values, shape [${dims.join(', ')}] needs ${size}`);
    this.claim(name);
    this.inits.push({ name, elemType: 'float32', dims, bytes: bytesOf(data) });
    return name;
  }

  /** A uint8 initializer that references `bytes` (packed quantized weights). */
  initU8(name: string, bytes: Uint8Array, dims: readonly number[]): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== bytes.length) throw new Error(`graph: initializer ${name} has ${bytes.length} bytes, shape [${dims.join(', ')}] needs ${size}`);
    this.claim(name);
    this.inits.push({ name, elemType: 'uint8', dims, bytes });
    return name;
  }

  /**
   * A float16 / bfloat16 initializer (2 bytes per value, little-endian), its bytes read when the
   * graph is encoded: F16 / BF16 weights kept as the checkpoint stores them (graph/context.ts).
   */
  init16(name: string, elemType: 'float16' | 'bfloat16', dims: readonly number[], bytes: LazyBytes): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (2 * size !== bytes.byteLength) throw new Error(`graph: initializer ${name} has ${bytes.byteLength} bytes, shape [${dims.join(', ')}] of ${elemType} needs ${2 * size}`);
    this.claim(name);
    this.inits.push({ name, elemType, dims, bytes });
    return name;
  }

  /** Appends a node of onnxruntime's com.microsoft domain (adds that opset import); returns its output. */
  contribOp(opType: string, inputs: readonly string[], attributes: Attrs): string {
    const out = this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, inputs, outputs: [out], name: this.fresh(`n_${opType}`), domain: MS_DOMAIN, attributes });
    this.usesContrib = true;
    return out;
  }

  /** A small int64 constant (shape [n] by default, [] for a scalar with `scalar`). */
  i64(values: readonly number[], scalar = false): string {
    return this.smallConst('int64', values, scalar, () => bytesOf(BigInt64Array.from(values, (v) => BigInt(v))));
  }

  /** A small float32 constant (shape [n] by default, [] for a scalar with `scalar`). */
  f32(values: readonly number[], scalar = false): string {
    return this.smallConst('float32', values, scalar, () => bytesOf(Float32Array.from(values)));
  }

  /** Appends a node with one output; returns the output's name. */
  op(opType: string, inputs: readonly string[], attributes?: Attrs, outName?: string): string {
    const [out] = this.opN(opType, inputs, 1, attributes, outName === undefined ? undefined : [outName]);
    return out as string;
  }

  /** Appends a node with `n` outputs. */
  opN(opType: string, inputs: readonly string[], n: number, attributes?: Attrs, outNames?: readonly string[]): string[] {
    const outputs = Array.from({ length: n }, (_, k) => {
      const given = outNames?.[k];
      if (given !== undefined) {
        this.claim(given);
        return given;
      }
      return this.fresh(`${opType.toLowerCase()}`);
    });
    this.nodes.push({ opType, inputs, outputs, name: this.fresh(`n_${opType}`), ...(attributes ? { attributes } : {}) });
    return outputs;
  }

  /** Node counts by op type, for tests and diagnostics. */
  opCounts(): Map<string, number> {
    const m = new Map<string, number>();
    for (const n of this.nodes) m.set(n.opType, (m.get(n.opType) ?? 0) + 1);
    return m;
  }

  encode(policy: ExternalDataPolicy, docString?: string): EncodedGraph {
    const total = this.inits.reduce((a, t) => a + t.bytes.byteLength, 0);
    const lazy = this.inits.reduce((a, t) => a + (t.bytes instanceof Uint8Array ? 0 : t.bytes.byteLength), 0);
    const goExternal =
      policy.mode === 'always' ||
      (policy.mode === 'auto' && (total > (policy.thresholdBytes ?? DEFAULT_THRESHOLD) || lazy > (policy.lazyThresholdBytes ?? LAZY_EXTERNAL_BYTES)));
    if (!goExternal && total >= PROTOBUF_LIMIT) {
      throw new Error(`graph: ${total} bytes of weights cannot be inline (protobuf limit 2 GB); use external data`);
    }
    const parts: SideFile['parts'] = [];
    let offset = 0;
    const tensors: OnnxTensor[] = this.inits.map((t) => {
      if (!goExternal || t.bytes.byteLength < MIN_EXTERNAL_BYTES) return { ...t, data: { kind: 'raw', bytes: readBytes(t) } };
      const pad = (EXTERNAL_ALIGN - (offset % EXTERNAL_ALIGN)) % EXTERNAL_ALIGN;
      if (pad > 0) parts.push(new Uint8Array(pad));
      offset += pad;
      parts.push(t.bytes instanceof Uint8Array ? t.bytes : { byteLength: t.bytes.byteLength, read: () => readBytes(t) });
      const data = { kind: 'external' as const, location: policy.location, offset, length: t.bytes.byteLength };
      offset += t.bytes.byteLength;
      return { ...t, data };
    });
    const model = encodeModel({
      irVersion: IR_VERSION,
      opsets: [{ domain: '', version: OPSET }, ...(this.usesContrib ? [{ domain: MS_DOMAIN, version: 1 }] : [])],
      producerName: 'ffn-lab',
      producerVersion: '1',
      graph: {
        name: this.name,
        nodes: this.nodes,
        initializers: tensors,
        inputs: this.inputs,
        outputs: this.outputs,
        ...(docString === undefined ? {} : { docString }),
      },
    });
    if (!goExternal) return { model };
    return { model, external: { location: policy.location, data: { parts, byteLength: offset } } };
  }

  private smallConst(elemType: ElemType, values: readonly number[], scalar: boolean, bytes: () => Uint8Array): string {
    if (scalar && values.length !== 1) throw new Error('graph: a scalar constant takes exactly one value');
    const key = `${elemType}:${scalar ? 's' : 'v'}:${values.join(',')}`;
    const cached = this.constCache.get(key);
    if (cached !== undefined) return cached;
    const name = this.fresh(`c_${elemType}`);
    this.inits.push({ name, elemType, dims: scalar ? [] : [values.length], bytes: bytes() });
    this.constCache.set(key, name);
    return name;
  }

  private claim(name: string): void {
    if (this.used.has(name)) throw new Error(`graph: value name ${name} is already used`);
    this.used.add(name);
  }
}
