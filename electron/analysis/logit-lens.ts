// The logit lens of a neuron's value vector: which tokens its output weights push up or down.
//
// A neuron f writes act_f * W_out[:, f] into the residual stream. Read through the unembedding, that
// write adds act_f * (U v)[t] to token t's logit, so the ranks of U v say which tokens the neuron
// promotes (when it fires positive) and suppresses. This ignores everything between the layer and
// the output (later layers, attention), as is common practice for value vectors (Geva et al. 2022,
// "Transformer Feed-Forward Layers Build Predictions by Promoting Concepts in the Vocabulary Space").
//
// The final norm is approximated, not ignored: it multiplies each residual dimension by its gain g,
// so v is read as g * v (option `gain`). Its division by the RMS / std is one positive number per
// token, the same for every vocabulary entry, so it changes no ranking and is dropped. LayerNorm also
// subtracts the mean over dimensions; option `center` removes v's mean first to model that. The
// norm's bias is the same for every neuron and is not part of the neuron's contribution.

import type { NeuronIndex } from './ids.js';
import type { Tensor } from './tensor-scan.js';

export interface LogitLensOptions {
  /** how many tokens each way; default 10 */
  n?: number;
  /** the final norm's weight [D]; absent: gain 1 */
  gain?: ArrayLike<number>;
  /** subtract the vector's mean over dimensions first (models LayerNorm's centering); default false */
  center?: boolean;
}

export interface TokenScore {
  token: number;
  score: number;
}

export interface LogitLens {
  /** highest scores first (ties: lower token id first) */
  promoted: TokenScore[];
  /** lowest scores first (ties: lower token id first) */
  suppressed: TokenScore[];
}

/** Column f of W_out [D, F]: neuron f's value vector, float64. */
export function valueVector(wOut: Tensor, neuron: NeuronIndex): Float64Array {
  if (wOut.shape.length !== 2) throw new Error(`logit lens: W_out should be a matrix, got shape [${wOut.shape.join(', ')}]`);
  const [D, F] = wOut.shape as [number, number];
  if (D * F !== wOut.data.length) throw new Error(`logit lens: W_out shape [${D}, ${F}] does not match its ${wOut.data.length} values`);
  if (!Number.isInteger(neuron) || neuron < 0 || neuron >= F) throw new Error(`logit lens: neuron ${neuron} is not in 0..${F - 1}`);
  const v = new Float64Array(D);
  for (let d = 0; d < D; d++) v[d] = wOut.data[d * F + neuron]!;
  return v;
}

/**
 * A bounded best-n list kept sorted; `better(a, b)` is a strict total order. Insertion with an early
 * reject: once full, almost every one of V ~ 50k candidates costs one comparison, so this is O(V)
 * in practice and O(V n) at worst, with no heap bookkeeping.
 */
class BestN {
  readonly items: TokenScore[] = [];
  constructor(
    private readonly n: number,
    private readonly better: (a: number, ta: number, b: number, tb: number) => boolean,
  ) {}

  offer(score: number, token: number): void {
    const { items, n } = this;
    if (n === 0) return;
    if (items.length === n) {
      const worst = items[n - 1]!;
      if (!this.better(score, token, worst.score, worst.token)) return;
      items.pop();
    }
    let j = items.length;
    while (j > 0 && this.better(score, token, items[j - 1]!.score, items[j - 1]!.token)) j--;
    items.splice(j, 0, { token, score });
  }
}

/**
 * The n tokens whose unembedding rows have the largest and the smallest dot product with
 * `vector` (after gain and centering): one pass over U [V, D] in memory order (a matvec, float64
 * accumulation) with a partial selection. Tokens whose score is NaN are left out.
 */
export function logitLens(vector: ArrayLike<number>, unembedding: Tensor, options: LogitLensOptions = {}): LogitLens {
  if (unembedding.shape.length !== 2) throw new Error(`logit lens: the unembedding should be a matrix [V, D], got shape [${unembedding.shape.join(', ')}]`);
  const [V, D] = unembedding.shape as [number, number];
  if (V * D !== unembedding.data.length) throw new Error(`logit lens: unembedding shape [${V}, ${D}] does not match its ${unembedding.data.length} values`);
  if (vector.length !== D) throw new Error(`logit lens: the vector has ${vector.length} dimensions, the unembedding ${D}`);
  const n = options.n ?? 10;
  if (!Number.isInteger(n) || n < 0) throw new Error(`logit lens: n must be a non-negative integer, got ${n}`);
  const gain = options.gain;
  if (gain !== undefined && gain.length !== D) throw new Error(`logit lens: the gain has ${gain.length} dimensions, expected ${D}`);

  const v = Float64Array.from(vector);
  if (options.center) {
    let mean = 0;
    for (let d = 0; d < D; d++) mean += v[d]!;
    mean /= D;
    for (let d = 0; d < D; d++) v[d]! -= mean;
  }
  if (gain) for (let d = 0; d < D; d++) v[d]! *= gain[d]!;

  const top = new BestN(n, (a, ta, b, tb) => a > b || (a === b && ta < tb));
  const bottom = new BestN(n, (a, ta, b, tb) => a < b || (a === b && ta < tb));
  const U = unembedding.data;
  for (let t = 0; t < V; t++) {
    let s = 0;
    for (let d = 0, base = t * D; d < D; d++) s += U[base + d]! * v[d]!;
    if (Number.isNaN(s)) continue;
    top.offer(s, t);
    bottom.offer(s, t);
  }
  return { promoted: top.items, suppressed: bottom.items };
}

/** The logit lens of neuron f of a layer: its value vector (column f of W_out [D, F]) through U [V, D]. */
export function neuronLogitLens(wOut: Tensor, neuron: NeuronIndex, unembedding: Tensor, options: LogitLensOptions = {}): LogitLens {
  return logitLens(valueVector(wOut, neuron), unembedding, options);
}
