// Host tensors: typed arrays with dims, the only form data takes in and out of a session, so
// callers never touch onnxruntime types.

/** Element types the instrumented graph uses. */
export type HostTensor =
  | { type: 'float32'; data: Float32Array; dims: readonly number[] }
  | { type: 'int64'; data: BigInt64Array; dims: readonly number[] };

export function float32(data: Float32Array | readonly number[], dims: readonly number[]): HostTensor {
  const arr = data instanceof Float32Array ? data : Float32Array.from(data);
  checkSize(arr.length, dims);
  return { type: 'float32', data: arr, dims };
}

/** int64 tensor from token ids or positions (numbers are exact below 2^53). */
export function int64(data: BigInt64Array | Int32Array | readonly number[], dims: readonly number[]): HostTensor {
  const arr = data instanceof BigInt64Array ? data : BigInt64Array.from(Array.from(data, (v) => BigInt(v)));
  checkSize(arr.length, dims);
  return { type: 'int64', data: arr, dims };
}

/** A float32 tensor's values (throws for other types: a wrong output name is a programming error). */
export function asFloat32(t: HostTensor | undefined, what: string): Float32Array {
  if (!t || t.type !== 'float32') throw new Error(`expected a float32 output ${what}, got ${t ? t.type : 'none'}`);
  return t.data;
}

export function asInt64(t: HostTensor | undefined, what: string): BigInt64Array {
  if (!t || t.type !== 'int64') throw new Error(`expected an int64 output ${what}, got ${t ? t.type : 'none'}`);
  return t.data;
}

function checkSize(n: number, dims: readonly number[]): void {
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== n) throw new Error(`tensor: ${n} values do not fill shape [${dims.join(', ')}] (${size})`);
}
