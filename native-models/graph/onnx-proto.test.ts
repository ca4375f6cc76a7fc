// The protobuf writer and ONNX encoders, byte for byte on small messages (field numbers of
// onnx.proto), and a round trip of a whole graph through an independent wire-format reader.

import { describe, expect, test } from 'vitest';
import { attr, Graph, sideFileBytes } from './graph.js';
import { encodeTensor } from './onnx-proto.js';
import { join, ProtoWriter } from './protobuf.js';
import { decodeModel, decodeTensor, fields } from './test-support/decode.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('protobuf writer', () => {
  test('varints: small, multi-byte, and negative int64 as 10-byte two\'s complement', () => {
    expect(hex(join(new ProtoWriter().varint(1, 1).finish()))).toBe('0801');
    expect(hex(join(new ProtoWriter().varint(1, 300).finish()))).toBe('08ac02');
    expect(hex(join(new ProtoWriter().varint(3, -1).finish()))).toBe('18ffffffffffffffffff01');
    expect(hex(join(new ProtoWriter().varint(1, 2n ** 40n).finish()))).toBe('08808080808020');
  });

  test('strings, floats and nested messages', () => {
    expect(hex(join(new ProtoWriter().string(2, 'hi').finish()))).toBe('12026869');
    expect(hex(join(new ProtoWriter().float32(2, 1).finish()))).toBe('150000803f');
    const inner = new ProtoWriter().varint(1, 5).finish();
    expect(hex(join(new ProtoWriter().message(7, inner).finish()))).toBe('3a020805');
  });

  test('large payloads are referenced, not copied, until join', () => {
    const big = new Uint8Array(10_000).fill(7);
    const enc = new ProtoWriter().bytes(9, big).finish();
    expect(enc.parts).toContain(big);
    expect(enc.byteLength).toBe(1 + 2 + 10_000);
    expect(join(enc).subarray(3)).toEqual(big);
  });
});

describe('TensorProto', () => {
  test('inline raw data: dims=1, data_type=2, name=8, raw_data=9', () => {
    const raw = new Uint8Array(new Float32Array([1, -2]).buffer);
    const enc = join(encodeTensor({ name: 'w', elemType: 'float32', dims: [2], data: { kind: 'raw', bytes: raw } }));
    expect(hex(enc)).toBe(`080210014201774a08${hex(raw)}`);
  });

  test('external data: external_data=13 entries and data_location=14 EXTERNAL', () => {
    const enc = join(encodeTensor({ name: 'w', elemType: 'float32', dims: [3, 4], data: { kind: 'external', location: 'x.data', offset: 4096, length: 48 } }));
    const t = decodeTensor(enc);
    expect(t).toEqual({ name: 'w', dims: [3, 4], dataType: 1, external: { location: 'x.data', offset: '4096', length: '48' }, dataLocation: 1 });
    expect(fields(enc).has(9)).toBe(false);
  });
});

describe('Graph', () => {
  function tiny(): Graph {
    const g = new Graph('t');
    const x = g.input('x', 'float32', ['n', 4]);
    const w = g.initF32('w', new Float32Array(4 * 300).fill(0.5), [300, 4]);
    const y = g.op('Gemm', [x, w], { transB: attr.i(1) });
    g.output(g.op('ReduceSum', [y, g.i64([-1])], { keepdims: attr.i(0) }), 'y', 'float32', ['n']);
    return g;
  }

  test('round trip: IR 9, opset 20, nodes, initializers, inputs and outputs', () => {
    const m = decodeModel(join(tiny().encode({ mode: 'never', location: 'd' }).model));
    expect(m.irVersion).toBe(9);
    expect(m.opsets).toEqual([{ domain: '', version: 20 }]);
    expect(m.nodes.map((n) => n.opType)).toEqual(['Gemm', 'ReduceSum', 'Identity']);
    expect(m.inputs).toEqual(['x']);
    expect(m.outputs).toEqual(['y']);
    expect(m.initializers.map((t) => [t.name, t.dims, t.dataLocation])).toEqual([
      ['w', [300, 4], 0],
      [m.nodes[1]?.inputs[1], [1], 0],
    ]);
  });

  test('external data: large tensors go to the side file at 4096-aligned offsets, small ones stay inline', () => {
    const g = tiny();
    g.initF32('w2', new Float32Array(1000).fill(2), [1000]);
    const enc = g.encode({ mode: 'always', location: 'side.bin' });
    const m = decodeModel(join(enc.model));
    const ext = m.initializers.filter((t) => t.dataLocation === 1);
    expect(ext.map((t) => [t.name, t.external])).toEqual([
      ['w', { location: 'side.bin', offset: '0', length: '4800' }],
      ['w2', { location: 'side.bin', offset: '8192', length: '4000' }],
    ]);
    const data = sideFileBytes(enc.external?.data ?? { parts: [], byteLength: 0 });
    expect(data.byteLength).toBe(8192 + 4000);
    expect(new Float32Array(data.buffer, 8192, 1000)[999]).toBe(2);
    expect(m.initializers.filter((t) => t.dataLocation === 0).length).toBe(1);
  });

  test('16-bit initializers: FLOAT16 / BFLOAT16 data types, bytes read once at encoding (side file: when written), auto goes external past lazyThresholdBytes', () => {
    let reads = 0;
    const bytes = new Uint8Array(4096).map((_, i) => i & 255);
    const g = new Graph('h');
    g.input('x', 'int64', [1]);
    const w = g.init16('w', 'bfloat16', [32, 64], { byteLength: 4096, read: () => (reads++, bytes) });
    g.output(g.op('Gather', [w, 'x']), 'y', 'bfloat16');
    expect(() => g.init16('v', 'float16', [3, 3], { byteLength: 16, read: () => bytes })).toThrow(/16 bytes, shape \[3, 3\] of float16 needs 18/);
    expect(reads).toBe(0);
    const inline = g.encode({ mode: 'auto', location: 'side.bin' });
    expect(inline.external).toBeUndefined();
    expect(reads).toBe(1);
    const t = decodeModel(join(inline.model)).initializers.find((i) => i.name === 'w');
    expect([t?.dataType, t?.dims, t?.raw]).toEqual([16, [32, 64], bytes]);
    const ext = g.encode({ mode: 'auto', location: 'side.bin', lazyThresholdBytes: 4095 });
    expect(reads).toBe(1); // not read until the side file is written
    expect(sideFileBytes(ext.external?.data ?? { parts: [], byteLength: 0 })).toEqual(bytes);
    expect(reads).toBe(2);
    const bad = new Graph('b');
    bad.init16('w', 'float16', [2], { byteLength: 4, read: () => new Uint8Array(2) });
    expect(() => bad.encode({ mode: 'never', location: 'x' })).toThrow(/read 2 bytes, 4 expected/);
  });

  test("'auto' goes external only past the threshold", () => {
    expect(tiny().encode({ mode: 'auto', location: 'd' }).external).toBeUndefined();
    expect(tiny().encode({ mode: 'auto', location: 'd', thresholdBytes: 100 }).external).toBeDefined();
  });

  test('rejects a reused value name and a misshapen initializer', () => {
    const g = new Graph('t');
    g.input('x', 'float32', [1]);
    expect(() => g.input('x', 'float32', [1])).toThrow(/already used/);
    expect(() => g.initF32('w', new Float32Array(3), [2, 2])).toThrow(/3 values/);
  });
});
