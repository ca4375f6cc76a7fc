// A capture's running top-k examples per neuron, as the accumulator (electron/analysis/top-k.ts)
// keeps them and hands them to the database (db/top-examples.ts packs them, one row per neuron).

/** The running top-k of L x F neurons; neuron i = l*F + f owns slots [i*k, i*k + size[i]), best first. */
export interface TopK {
  readonly layers: number;
  readonly neurons: number;
  readonly k: number;
  /** [L*F] entries held (<= k) */
  size: Uint32Array;
  /** [L*F*k] activation values (float32, as the graph computes them) */
  values: Float32Array;
  /** [L*F*k] document ids */
  docs: Uint32Array;
  /** [L*F*k] token positions within the document */
  positions: Uint32Array;
}
