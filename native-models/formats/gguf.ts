// GGUF (llama.cpp / ggml), versions 2 and 3, little-endian:
//   "GGUF" u32 version, u64 tensor_count, u64 kv_count,
//   kv_count x (string key, u32 value type, value),
//   tensor_count x (string name, u32 n_dims, u64 ne[n_dims], u32 ggml type, u64 offset),
//   padding to `general.alignment` (default 32), then the tensor data; offsets are relative to
//   the data start and aligned. A string is u64 length + UTF-8 bytes; an array is u32 element
//   type, u64 count, the elements (arrays may nest).
//
// Hand-written rather than @huggingface/gguf: that parser (0.4.x) only runs asynchronously over
// fetch()/Blob ranges (`gguf(uri, { allowLocalFile })` returns a Promise), while every reader
// here is synchronous (openCheckpoint runs in the job process and the CLI without awaiting).
// The format is small; the parser below checks every count and length against the bytes left in
// the file before it allocates, so a hostile header cannot exhaust memory or the stack.
//
// Shapes: GGUF lists dims fastest-varying first (ne[0] is the row length); `shape` is row-major
// like PyTorch (dims reversed), so Llama's blk.N.ffn_down.weight (ne = [F, D]) has shape [D, F].

import * as path from 'node:path';
import { GgufError, quote } from './errors.js';
import { GGML_TYPE_NAMES, ggmlTypeById, SUPPORTED_GGML_TYPES } from './ggml-quants.js';
import { fdSize, readInto, readRange, withFd } from './io.js';
import { type CheckpointReader, FileCheckpoint, type TensorInfo } from './reader.js';

const Err = GgufError;
const MAGIC = 'GGUF';
/** magic, version, tensor_count, kv_count */
const HEADER_BYTES = 4 + 4 + 8 + 8;
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** ggml's GGML_MAX_DIMS */
const MAX_DIMS = 4;
/** Arrays of arrays nest this deep at most (real files nest none). */
const MAX_NESTING = 8;
const WINDOW = 1 << 20;

/** GGUF metadata value types (gguf.h enum gguf_type), by id. */
export const GGUF_VALUE_TYPES = ['UINT8', 'INT8', 'UINT16', 'INT16', 'UINT32', 'INT32', 'FLOAT32', 'BOOL', 'STRING', 'ARRAY', 'UINT64', 'INT64', 'FLOAT64'] as const;
export type GgufValueType = (typeof GGUF_VALUE_TYPES)[number];
const STRING = 8;
const ARRAY = 9;
/** The fewest bytes one value of each type takes (a string: its length; an array: type + count). */
const MIN_BYTES = [1, 1, 2, 2, 4, 4, 4, 1, 8, 12, 8, 8, 8];

/** A metadata value: numbers (uint64/int64 beyond 2^53 stay bigint), strings, booleans, arrays of them. */
export type GgufValue = number | bigint | boolean | string | GgufValue[];

export interface GgufHeader {
  /** absolute path */
  file: string;
  fileSize: number;
  version: 2 | 3;
  alignment: number;
  /** absolute offset of the tensor data */
  dataStart: number;
  /** key -> value, in file order */
  metadata: Record<string, GgufValue>;
  /** key -> its GGUF type ('ARRAY[STRING]' for arrays) */
  metadataTypes: Record<string, string>;
  /** in file order; dtype is the ggml type, shape row-major (GGUF's ne reversed) */
  tensors: TensorInfo[];
}

/** "Mine or not": the first four bytes are "GGUF". Never throws. */
export function sniffGguf(file: string): boolean {
  try {
    return withFd(file, Err, (fd) => {
      if (fdSize(fd, file, Err) < 4) return false;
      return String.fromCharCode(...readRange(fd, 0, 4, file, Err)) === MAGIC;
    });
  } catch {
    return false;
  }
}

const setKey = <T>(obj: Record<string, T>, key: string, value: T): void => {
  // defineProperty: a key like "__proto__" becomes an ordinary own property.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
};

/** Sequential little-endian reads over a window of the file; never reads past its end. */
class Cursor {
  pos = 0;
  private buf = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  private start = 0;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  /** element type of the last top-level array read */
  lastElemType = -1;

  constructor(
    private readonly fd: number,
    readonly file: string,
    readonly size: number,
  ) {}

  get left(): number {
    return this.size - this.pos;
  }

  /** Makes bytes pos..pos+n readable at local offset (returned); `what` names them if the file ends first. */
  private need(n: number, what: string): number {
    if (n > this.left) {
      throw new Err(this.file, `truncated: ${what} needs ${n} bytes at offset ${this.pos} but the file has ${this.size} bytes; expected a complete GGUF header`);
    }
    if (this.pos < this.start || this.pos + n > this.start + this.buf.length) {
      const len = Math.min(Math.max(n, WINDOW), this.left);
      this.buf = new Uint8Array(len);
      readInto(this.fd, this.buf, this.pos, this.file, Err);
      this.view = new DataView(this.buf.buffer);
      this.start = this.pos;
    }
    const at = this.pos - this.start;
    this.pos += n;
    return at;
  }

  u8(what: string): number {
    const at = this.need(1, what);
    return this.buf[at] ?? 0;
  }
  u32(what: string): number {
    const at = this.need(4, what);
    return this.view.getUint32(at, true);
  }
  u64(what: string): bigint {
    const at = this.need(8, what);
    return this.view.getBigUint64(at, true);
  }

  /** One value of GGUF type `type` (already read); arrays recurse up to MAX_NESTING. */
  value(type: number, what: string, depth = 0): GgufValue {
    // need() may move the window: take the index first, then the view.
    let at: number;
    switch (type) {
      case 0: return this.u8(what);
      case 1: at = this.need(1, what); return this.view.getInt8(at);
      case 2: at = this.need(2, what); return this.view.getUint16(at, true);
      case 3: at = this.need(2, what); return this.view.getInt16(at, true);
      case 4: return this.u32(what);
      case 5: at = this.need(4, what); return this.view.getInt32(at, true);
      case 6: at = this.need(4, what); return this.view.getFloat32(at, true);
      case 7: {
        const b = this.u8(what);
        if (b > 1) throw new Err(this.file, `${what}: bool byte is ${b} at offset ${this.pos - 1}; expected 0 or 1`);
        return b === 1;
      }
      case STRING: return this.string(what);
      case ARRAY: return this.array(what, depth);
      case 10: return safe(this.u64(what));
      case 11: at = this.need(8, what); return safe(this.view.getBigInt64(at, true));
      case 12: at = this.need(8, what); return this.view.getFloat64(at, true);
      default:
        throw new Err(this.file, `${what}: value type ${type} at offset ${this.pos - 4}; expected a GGUF type 0..12 (${GGUF_VALUE_TYPES.join(', ')})`);
    }
  }

  private array(what: string, depth: number): GgufValue[] {
    const type = this.u32(`${what} (array element type)`);
    if (depth === 0) this.lastElemType = type;
    if (type >= GGUF_VALUE_TYPES.length) {
      throw new Err(this.file, `${what}: array element type ${type} at offset ${this.pos - 4}; expected a GGUF type 0..12`);
    }
    if (type === ARRAY && depth + 1 >= MAX_NESTING) throw new Err(this.file, `${what}: arrays nest more than ${MAX_NESTING} deep; expected flat arrays`);
    const n = this.count(`${what} (array length)`, MIN_BYTES[type] ?? 1, 'elements');
    const out: GgufValue[] = new Array<GgufValue>(n);
    for (let i = 0; i < n; i++) out[i] = this.value(type, what, depth + 1);
    return out;
  }

  /** A u64 count of things at least `min` bytes each, refused when the rest of the file cannot hold them. */
  count(what: string, min: number, things: string): number {
    const at = this.pos;
    const n = this.u64(what);
    if (n * BigInt(min) > BigInt(this.left)) {
      throw new Err(this.file, `${what} is ${n} at offset ${at}, implausible: the ${this.left} bytes left in the file hold at most ${Math.floor(this.left / min)} ${things}`);
    }
    return Number(n);
  }

  string(what: string): string {
    const n = this.count(`${what} (string length)`, 1, 'bytes');
    const at = this.pos;
    const local = this.need(n, what);
    try {
      return this.utf8.decode(this.buf.subarray(local, local + n));
    } catch {
      throw new Err(this.file, `${what}: the ${n}-byte string at offset ${at} is not valid UTF-8; expected UTF-8 text`);
    }
  }
}

function safe(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function typeName(type: number, elem: number): string {
  const t = GGUF_VALUE_TYPES[type] ?? String(type);
  return type === ARRAY ? `ARRAY[${GGUF_VALUE_TYPES[elem] ?? elem}]` : t;
}

function checkVersion(file: string, version: number): 2 | 3 {
  if (version === 2 || version === 3) return version;
  const swapped = (((version & 0xff) << 24) | ((version & 0xff00) << 8) | ((version >>> 8) & 0xff00) | (version >>> 24)) >>> 0;
  if (swapped >= 1 && swapped <= 3) {
    throw new Err(file, `version field reads ${version} (0x${version.toString(16).padStart(8, '0')}), which is version ${swapped} byte-swapped: a big-endian GGUF; expected a little-endian GGUF (version 2 or 3)`, 'version');
  }
  if (version === 1) throw new Err(file, 'GGUF version 1 (32-bit counts, before August 2023) is not read; expected version 2 or 3', 'version');
  throw new Err(file, `GGUF version ${version}; expected 2 or 3`, 'version');
}

function parseAlignment(file: string, metadata: Record<string, GgufValue>, types: Record<string, string>): number {
  const key = 'general.alignment';
  if (!Object.hasOwn(metadata, key)) return GGUF_DEFAULT_ALIGNMENT;
  const value = metadata[key];
  if (types[key] !== 'UINT32') throw new Err(file, `${key} is ${quote(value)} of type ${types[key]}; expected a UINT32 power of two`, key);
  if (typeof value !== 'number' || value === 0 || (value & (value - 1)) !== 0) {
    throw new Err(file, `${key} is ${quote(value)}; expected a power of two (GGUF's default is ${GGUF_DEFAULT_ALIGNMENT})`, key);
  }
  return value;
}

interface RawTensor {
  name: string;
  ne: bigint[];
  type: number;
  offset: bigint;
}

function tensorInfo(file: string, t: RawTensor, dataStart: number, alignment: number, fileSize: number): TensorInfo {
  const q = `tensor ${quote(t.name)}`;
  const known = ggmlTypeById(t.type);
  if (!known) {
    const name = GGML_TYPE_NAMES[t.type];
    const what = name ? `ggml type ${name} (${t.type}) is not supported` : `ggml type id ${t.type} is unknown`;
    throw new Err(file, `${q}: ${what}; expected one of ${SUPPORTED_GGML_TYPES.join(', ')}`, t.name);
  }
  const count = t.ne.reduce((a, b) => a * b, 1n);
  const ne0 = t.ne[0] ?? 1n;
  if (ne0 % BigInt(known.blockSize) !== 0n) {
    throw new Err(file, `${q}: row length ne[0] = ${ne0} is not a multiple of ${known.name}'s block size ${known.blockSize}; expected whole blocks per row`, t.name);
  }
  // BigInt: ne like [2^40, 2^40] must not wrap or round to a plausible length.
  const bytes = (count / BigInt(known.blockSize)) * BigInt(known.typeSize);
  if (t.offset % BigInt(alignment) !== 0n) {
    throw new Err(file, `${q}: data offset ${t.offset} is not a multiple of the alignment ${alignment}; expected aligned tensor data`, t.name);
  }
  const end = BigInt(dataStart) + t.offset + bytes;
  if (end > BigInt(fileSize)) {
    throw new Err(file, `truncated: ${q} (${known.name}, ne [${t.ne.join(', ')}], ${bytes} bytes at data offset ${t.offset}) ends at file byte ${end} but the file has ${fileSize} bytes`, t.name);
  }
  return {
    name: t.name,
    dtype: known.name,
    shape: t.ne.map(Number).reverse(),
    file,
    byteOffset: dataStart + Number(t.offset),
    byteLength: Number(bytes),
  };
}

/** Tensors sorted by offset must not overlap (gaps are alignment padding). */
function checkOverlaps(file: string, tensors: TensorInfo[], dataStart: number): void {
  const sorted = [...tensors].sort((a, b) => a.byteOffset - b.byteOffset || a.byteLength - b.byteLength);
  let end = dataStart;
  let prev: TensorInfo | null = null;
  for (const t of sorted) {
    if (t.byteLength === 0) continue;
    if (prev && t.byteOffset < end) {
      throw new Err(file, `overlap: tensor ${quote(t.name)} begins at data offset ${t.byteOffset - dataStart} but tensor ${quote(prev.name)} ends at ${end - dataStart}; expected tensors not to overlap`, t.name);
    }
    end = t.byteOffset + t.byteLength;
    prev = t;
  }
}

/** Reads and validates the header, metadata and tensor infos; throws GgufError. */
export function readGgufHeader(file: string): GgufHeader {
  file = path.resolve(file);
  return withFd(file, Err, (fd) => {
    const fileSize = fdSize(fd, file, Err);
    if (fileSize < HEADER_BYTES) throw new Err(file, `file is ${fileSize} bytes; expected at least ${HEADER_BYTES} (the GGUF header)`);
    const c = new Cursor(fd, file, fileSize);
    const magic = String.fromCharCode(c.u8('magic'), c.u8('magic'), c.u8('magic'), c.u8('magic'));
    // The bytes found are not quoted: this file may be anything (errors must not reveal contents).
    if (magic !== MAGIC) throw new Err(file, 'does not start with the GGUF magic "GGUF"; expected a GGUF file', 'magic');
    const version = checkVersion(file, c.u32('version'));
    // Each tensor info takes at least 24 bytes (name length, n_dims, type, offset), each key/value 13.
    const nTensors = c.count('tensor count', 24, 'tensor infos');
    const nKv = c.count('key/value count', 13, 'key/value pairs');
    const metadata: Record<string, GgufValue> = {};
    const metadataTypes: Record<string, string> = {};
    for (let i = 0; i < nKv; i++) {
      const at = c.pos;
      const key = c.string(`key ${i}`);
      if (Object.hasOwn(metadata, key)) throw new Err(file, `key ${quote(key)} appears twice (again at offset ${at}); expected each key once`, key);
      const type = c.u32(`type of key ${quote(key)}`);
      const value = c.value(type, `key ${quote(key)}`);
      setKey(metadata, key, value);
      setKey(metadataTypes, key, typeName(type, c.lastElemType));
    }
    const alignment = parseAlignment(file, metadata, metadataTypes);
    const raw: RawTensor[] = [];
    const names = new Set<string>();
    for (let i = 0; i < nTensors; i++) {
      const name = c.string(`tensor info ${i} name`);
      if (names.has(name)) throw new Err(file, `tensor ${quote(name)} is listed twice; expected each name once`, name);
      names.add(name);
      const q = `tensor ${quote(name)}`;
      const nDims = c.u32(`${q} n_dims`);
      if (nDims > MAX_DIMS) throw new Err(file, `${q}: n_dims is ${nDims}; expected at most ${MAX_DIMS}`, name);
      const ne: bigint[] = [];
      for (let d = 0; d < nDims; d++) ne.push(c.u64(`${q} ne[${d}]`));
      for (const [d, n] of ne.entries()) {
        if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new Err(file, `${q}: ne[${d}] is ${n}; expected a dimension below 2^53`, name);
      }
      if (ne.reduce((a, b) => a * b, 1n) > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new Err(file, `${q}: ne [${ne.join(', ')}] has more than 2^53 elements; expected a tensor that fits a file`, name);
      }
      const type = c.u32(`${q} type`);
      const offset = c.u64(`${q} offset`);
      raw.push({ name, ne, type, offset });
    }
    const pad = c.pos % alignment;
    const dataStart = c.pos + (pad === 0 ? 0 : alignment - pad);
    const tensors = raw.map((t) => tensorInfo(file, t, dataStart, alignment, fileSize));
    checkOverlaps(file, tensors, dataStart);
    return { file, fileSize, version, alignment, dataStart, metadata, metadataTypes, tensors };
  });
}

/** Opens a GGUF file: config is its metadata (key -> value); read() dequantizes to fp32, readRaw() gives the stored bytes. */
export function openGguf(file: string): CheckpointReader {
  const header = readGgufHeader(file);
  const map = new Map(header.tensors.map((t) => [t.name, t]));
  return new FileCheckpoint('gguf', [header.file], header.metadata, map, GgufError);
}
