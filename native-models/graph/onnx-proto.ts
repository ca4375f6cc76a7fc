// Encoders for the subset of onnx.proto (onnx/onnx.proto, IR version 8) that the graph builder
// emits: ModelProto, OperatorSetIdProto, GraphProto, NodeProto, AttributeProto, TensorProto
// (raw little-endian data, inline or external), ValueInfoProto with TypeProto.Tensor shapes, and
// StringStringEntryProto. Field numbers are written next to each field as in onnx.proto.

import { type Encoded, ProtoWriter } from './protobuf.js';

/** TensorProto.DataType values for the element types the graph uses. */
export const DataType = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float16: 10, bfloat16: 16 } as const;
export type ElemType = keyof typeof DataType;

/** A dimension: a fixed size, or a symbolic name (dim_param) for a size known only at run time. */
export type Dim = number | string;

export type TensorData =
  | { kind: 'raw'; bytes: Uint8Array }
  /** data_location = EXTERNAL: bytes [offset, offset+length) of `location`, a path relative to the model file */
  | { kind: 'external'; location: string; offset: number; length: number };

export interface OnnxTensor {
  name: string;
  elemType: ElemType;
  dims: readonly number[];
  data: TensorData;
}

export interface OnnxValueInfo {
  name: string;
  elemType: ElemType;
  /** absent: rank and sizes unknown (allowed for graph outputs) */
  dims?: readonly Dim[];
}

export type AttributeValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'tensor'; value: OnnxTensor };

export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  docString?: string;
}

export interface OnnxModel {
  irVersion: number;
  opsets: readonly { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  graph: OnnxGraph;
  metadata?: Readonly<Record<string, string>>;
}

/** AttributeProto.AttributeType */
const AttrType = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function stringEntry(key: string, value: string): Encoded {
  // StringStringEntryProto: key = 1, value = 2
  return new ProtoWriter().string(1, key).string(2, value).finish();
}

export function encodeTensor(t: OnnxTensor): Encoded {
  // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9, external_data = 13, data_location = 14
  const w = new ProtoWriter();
  for (const d of t.dims) w.varint(1, d);
  w.varint(2, DataType[t.elemType]);
  w.string(8, t.name);
  if (t.data.kind === 'raw') {
    w.bytes(9, t.data.bytes);
  } else {
    w.message(13, stringEntry('location', t.data.location));
    w.message(13, stringEntry('offset', String(t.data.offset)));
    w.message(13, stringEntry('length', String(t.data.length)));
    w.varint(14, 1); // DataLocation.EXTERNAL
  }
  return w.finish();
}

function encodeAttribute(name: string, a: AttributeValue): Encoded {
  // AttributeProto: name = 1, f = 2, i = 3, s = 4, t = 5, floats = 7, ints = 8, type = 20
  const w = new ProtoWriter().string(1, name).varint(20, AttrType[a.kind]);
  switch (a.kind) {
    case 'float':
      w.float32(2, a.value);
      break;
    case 'int':
      w.varint(3, a.value);
      break;
    case 'string':
      w.string(4, a.value);
      break;
    case 'tensor':
      w.message(5, encodeTensor(a.value));
      break;
    case 'floats':
      for (const f of a.value) w.float32(7, f);
      break;
    case 'ints':
      for (const i of a.value) w.varint(8, i);
      break;
  }
  return w.finish();
}

function encodeNode(n: OnnxNode): Encoded {
  // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5, domain = 7
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name !== undefined) w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, encodeAttribute(k, v));
  if (n.domain !== undefined && n.domain !== '') w.string(7, n.domain);
  return w.finish();
}

function encodeValueInfo(v: OnnxValueInfo): Encoded {
  // TensorShapeProto.Dimension: dim_value = 1, dim_param = 2
  // TensorShapeProto: dim = 1; TypeProto.Tensor: elem_type = 1, shape = 2; TypeProto: tensor_type = 1
  const tensorType = new ProtoWriter().varint(1, DataType[v.elemType]);
  if (v.dims !== undefined) {
    const shape = new ProtoWriter();
    for (const d of v.dims) {
      const dim = new ProtoWriter();
      if (typeof d === 'number') dim.varint(1, d);
      else dim.string(2, d);
      shape.message(1, dim.finish());
    }
    tensorType.message(2, shape.finish());
  }
  const type = new ProtoWriter().message(1, tensorType.finish());
  // ValueInfoProto: name = 1, type = 2
  return new ProtoWriter().string(1, v.name).message(2, type.finish()).finish();
}

function encodeGraph(g: OnnxGraph): Encoded {
  // GraphProto: node = 1, name = 2, initializer = 5, doc_string = 10, input = 11, output = 12
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  if (g.docString !== undefined) w.string(10, g.docString);
  for (const i of g.inputs) w.message(11, encodeValueInfo(i));
  for (const o of g.outputs) w.message(12, encodeValueInfo(o));
  return w.finish();
}

export function encodeModel(m: OnnxModel): Encoded {
  // ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, graph = 7,
  // opset_import = 8, metadata_props = 14. OperatorSetIdProto: domain = 1, version = 2
  const w = new ProtoWriter().varint(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  w.message(7, encodeGraph(m.graph));
  for (const o of m.opsets) w.message(8, new ProtoWriter().string(1, o.domain).varint(2, o.version).finish());
  for (const [k, v] of Object.entries(m.metadata ?? {})) w.message(14, stringEntry(k, v));
  return w.finish();
}
