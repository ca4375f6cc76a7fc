// Super-weight candidates informed by activations (Yu et al. 2024, "The Super Weight in Large
// Language Models"): one weight of an early down/out projection, W_out[f -> d], writes the massive
// activation of residual dim d; zeroing it destroys the model.
//
// For each massive dim d (massive-dims.ts) whose first massive layer is l0, the weights of layer
// l0's W_out into d are ranked by the most they can write there: |W_out[d, f]| x the peak
// |activation| of neuron f over the capture (StatsSummary.peakAbs; for gated FFNs the activation
// W_out reads, act(gate) * up). A weight is a candidate when that contribution is at least
// `minShare` (default 0.5) of the dim's largest |value| at l0: one weight that alone can write half
// of the massive value is what the paper describes; the other half is room for the attention,
// the bias and the neuron's activation at that token being lower than its peak. A massive dim with
// no candidate is made by many weights together, by attention, or already by the embeddings.
// This differs from the weight scan's superWeights (model-import/tensor-scan.ts), which rank
// weights by |w| alone, without activations.

export const SUPER_WEIGHT_DEFAULTS = { minShare: 0.5, top: 5 } as const;

export interface SuperWeightOptions {
  /** a candidate's contribution is at least this share of the dim's max |value| */
  minShare?: number;
  /** contributions listed per dim */
  top?: number;
}

export interface SuperWeightInput {
  /** the massive dims: their first massive layer and largest |value| there */
  dims: ReadonlyArray<{ dim: number; firstLayer: number; maxAbs: number }>;
  layers: number;
  /** F */
  neurons: number;
  /** D */
  dModel: number;
  /** layer l's W_out in canonical layout [D, F] (row d: the weights from every neuron into dim d) */
  wOut: (layer: number) => { shape: readonly number[]; data: Float32Array };
  /** [L*F] each neuron's peak |activation| over the capture (NaN: never seen) */
  peakAbs: ArrayLike<number>;
}

export interface WeightContribution {
  layer: number;
  neuron: number;
  dim: number;
  /** W_out[d, f] as stored (canonical [D, F]): neuron f's weight into dim d */
  weight: number;
  /** the neuron's peak |activation| */
  peakAbs: number;
  /** |weight| x peakAbs: the most this weight can write into the dim */
  contribution: number;
  /** contribution / the dim's max |value| at that layer */
  share: number;
  candidate: boolean;
}

export interface SuperWeightsOfDim {
  dim: number;
  layer: number;
  maxAbs: number;
  /** the largest contributions, largest first: `top` of them, or every candidate (up to 100) when more */
  contributions: WeightContribution[];
  /** how many of them are candidates */
  candidates: number;
}

export function superWeightCandidates(input: SuperWeightInput, options: SuperWeightOptions = {}): SuperWeightsOfDim[] {
  const minShare = options.minShare ?? SUPER_WEIGHT_DEFAULTS.minShare;
  const top = options.top ?? SUPER_WEIGHT_DEFAULTS.top;
  if (!(minShare >= 0)) throw new Error(`super weights: minShare must be a non-negative number, got ${minShare}`);
  if (!Number.isInteger(top) || top < 1) throw new Error(`super weights: top must be a positive integer, got ${top}`);
  const { neurons: F, dModel: D, layers: L } = input;
  if (input.peakAbs.length !== L * F) throw new Error(`super weights: ${input.peakAbs.length} peak activations for ${L} layers x ${F} neurons`);
  const weights = new Map<number, Float32Array>();
  const wOf = (l: number): Float32Array => {
    let w = weights.get(l);
    if (!w) {
      const t = input.wOut(l);
      if (t.shape.length !== 2 || t.shape[0] !== D || t.shape[1] !== F) throw new Error(`super weights: layer ${l}'s W_out is [${t.shape.join(', ')}], expected [${D}, ${F}] (d_model x d_ff)`);
      w = t.data;
      weights.set(l, w);
    }
    return w;
  };
  return input.dims.map(({ dim, firstLayer: l, maxAbs }) => {
    if (!Number.isInteger(l) || l < 0 || l >= L) throw new Error(`super weights: layer ${l} is not in 0..${L - 1}`);
    if (!Number.isInteger(dim) || dim < 0 || dim >= D) throw new Error(`super weights: dim ${dim} is not in 0..${D - 1}`);
    const w = wOf(l);
    const all: WeightContribution[] = [];
    for (let f = 0; f < F; f++) {
      const weight = w[dim * F + f]!;
      const peak = Number(input.peakAbs[l * F + f]);
      const contribution = Math.abs(weight) * peak;
      if (Number.isNaN(contribution)) continue; // a neuron never seen
      const share = maxAbs > 0 ? contribution / maxAbs : Infinity;
      all.push({ layer: l, neuron: f, dim, weight, peakAbs: peak, contribution, share, candidate: share >= minShare });
    }
    all.sort((a, b) => b.contribution - a.contribution || a.neuron - b.neuron);
    const candidates = all.filter((c) => c.candidate).length;
    return { dim, layer: l, maxAbs, contributions: all.slice(0, Math.min(Math.max(top, candidates), 100)), candidates };
  });
}
