// A minimal protobuf wire-format writer: just the field kinds ONNX needs (varint, length-delimited,
// packed varints, fixed32 floats). Large byte payloads (weights) are kept as references to the
// caller's arrays and copied exactly once, when the whole message is joined, so a model of a
// gigabyte is not copied layer by layer while nested messages are assembled.

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** Payloads at least this large are referenced rather than copied into the scratch buffer. */
const BIG_PAYLOAD = 4096;

/** An encoded message as a list of byte runs; `byteLength` is their total. */
export interface Encoded {
  parts: Uint8Array[];
  byteLength: number;
}

const utf8 = new TextEncoder();

export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private flushedLength = 0;
  private scratch = new Uint8Array(256);
  private pos = 0;

  get byteLength(): number {
    return this.flushedLength + this.pos;
  }

  /** int32/int64/enum/bool field; negative numbers take the 10-byte two's complement form. */
  varint(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.rawVarint(value.byteLength);
    this.append(value);
    return this;
  }

  /** An embedded message. */
  message(field: number, value: Encoded): this {
    this.tag(field, WIRE_LEN);
    this.rawVarint(value.byteLength);
    this.flush();
    for (const p of value.parts) this.pushPart(p);
    return this;
  }

  /** A packed repeated int64 field (proto3 default for repeated scalars; proto2 readers accept it). */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.rawVarint(v);
    const enc = inner.finish();
    this.tag(field, WIRE_LEN);
    this.rawVarint(enc.byteLength);
    this.flush();
    for (const p of enc.parts) this.pushPart(p);
    return this;
  }

  float32(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    this.ensure(4);
    new DataView(this.scratch.buffer).setFloat32(this.pos, value, true);
    this.pos += 4;
    return this;
  }

  finish(): Encoded {
    this.flush();
    return { parts: this.parts.slice(), byteLength: this.flushedLength };
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  private rawVarint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    this.ensure(10);
    while (v >= 0x80n) {
      this.scratch[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.scratch[this.pos++] = Number(v);
  }

  private append(bytes: Uint8Array): void {
    if (bytes.byteLength >= BIG_PAYLOAD) {
      this.flush();
      this.pushPart(bytes);
      return;
    }
    this.ensure(bytes.byteLength);
    this.scratch.set(bytes, this.pos);
    this.pos += bytes.byteLength;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.scratch.byteLength) return;
    const grown = new Uint8Array(Math.max(this.scratch.byteLength * 2, this.pos + n));
    grown.set(this.scratch.subarray(0, this.pos));
    this.scratch = grown;
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.pushPart(this.scratch.slice(0, this.pos));
    this.pos = 0;
  }

  private pushPart(p: Uint8Array): void {
    if (p.byteLength === 0) return;
    this.parts.push(p);
    this.flushedLength += p.byteLength;
  }
}

/** Joins the byte runs into one array (the single copy of the payloads). */
export function join(enc: Encoded): Uint8Array {
  const out = new Uint8Array(enc.byteLength);
  let o = 0;
  for (const p of enc.parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}
