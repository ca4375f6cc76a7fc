// Test support: a protobuf wire-format reader (varint, fixed32/64, length-delimited) and a reader
// of the ONNX fields the builder writes, to check encoded models without onnxruntime.

export type Field = { wire: 0; value: bigint } | { wire: 1 | 5; value: Uint8Array } | { wire: 2; value: Uint8Array };

/** All fields of a message by field number, in order. */
export function fields(buf: Uint8Array): Map<number, Field[]> {
  const out = new Map<number, Field[]>();
  let pos = 0;
  const varint = (): bigint => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++];
      if (b === undefined) throw new Error('truncated varint');
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const tag = Number(varint());
    const field = tag >> 3;
    const wire = tag & 7;
    let f: Field;
    if (wire === 0) f = { wire, value: varint() };
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      f = { wire, value: buf.subarray(pos, pos + n) };
      pos += n;
    } else if (wire === 2) {
      const n = Number(varint());
      f = { wire, value: buf.subarray(pos, pos + n) };
      pos += n;
    } else throw new Error(`unsupported wire type ${wire}`);
    if (pos > buf.length) throw new Error('truncated message');
    out.set(field, [...(out.get(field) ?? []), f]);
  }
  return out;
}

const text = new TextDecoder();

export function bytesOf(m: Map<number, Field[]>, field: number): Uint8Array[] {
  return (m.get(field) ?? []).map((f) => {
    if (f.wire !== 2) throw new Error(`field ${field} is not length-delimited`);
    return f.value;
  });
}

export function stringsOf(m: Map<number, Field[]>, field: number): string[] {
  return bytesOf(m, field).map((b) => text.decode(b));
}

export function varintsOf(m: Map<number, Field[]>, field: number): bigint[] {
  return (m.get(field) ?? []).map((f) => {
    if (f.wire !== 0) throw new Error(`field ${field} is not a varint`);
    return f.value;
  });
}

export interface DecodedTensor {
  name: string;
  dims: number[];
  dataType: number;
  raw?: Uint8Array;
  external?: Record<string, string>;
  dataLocation: number;
}

export function decodeTensor(buf: Uint8Array): DecodedTensor {
  const m = fields(buf);
  const external: Record<string, string> = {};
  for (const e of bytesOf(m, 13)) {
    const kv = fields(e);
    external[stringsOf(kv, 1)[0] as string] = stringsOf(kv, 2)[0] as string;
  }
  const raw = bytesOf(m, 9)[0];
  return {
    name: stringsOf(m, 8)[0] ?? '',
    dims: varintsOf(m, 1).map(Number),
    dataType: Number(varintsOf(m, 2)[0] ?? 0n),
    ...(raw ? { raw } : {}),
    ...(Object.keys(external).length > 0 ? { external } : {}),
    dataLocation: Number(varintsOf(m, 14)[0] ?? 0n),
  };
}

export interface DecodedModel {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  nodes: { opType: string; inputs: string[]; outputs: string[] }[];
  initializers: DecodedTensor[];
  inputs: string[];
  outputs: string[];
}

export function decodeModel(buf: Uint8Array): DecodedModel {
  const m = fields(buf);
  const g = fields(bytesOf(m, 7)[0] as Uint8Array);
  const names = (field: number): string[] => bytesOf(g, field).map((b) => stringsOf(fields(b), 1)[0] as string);
  return {
    irVersion: Number(varintsOf(m, 1)[0]),
    opsets: bytesOf(m, 8).map((b) => {
      const o = fields(b);
      return { domain: stringsOf(o, 1)[0] ?? '', version: Number(varintsOf(o, 2)[0]) };
    }),
    nodes: bytesOf(g, 1).map((b) => {
      const n = fields(b);
      return { opType: stringsOf(n, 4)[0] as string, inputs: stringsOf(n, 1), outputs: stringsOf(n, 2) };
    }),
    initializers: bytesOf(g, 5).map(decodeTensor),
    inputs: names(11),
    outputs: names(12),
  };
}
