// Rotary position tables computed on the host. Each step is rounded to float32 (Math.fround) in
// the order the Hugging Face / llama2.c references compute in float32 tensors, so the tables
// match theirs bit for bit or within an ulp; for long sequences the angle pos * inv_freq is what
// disagrees first when it is computed in a different precision.

import { type Positional } from '../spec.js';

export type Rotary = Extract<Positional, { kind: 'rotary' }>;

const f = Math.fround;

/**
 * inv_freq[i] = 1 / theta^(2i/r), i < r/2, then the optional Llama 3 rescaling, then the optional
 * per-frequency divisors (a GGUF's rope_freqs: llama.cpp divides each angle by freq_factors[i];
 * dividing the frequency first is the same up to float32 rounding, and what HF's llama3 does).
 */
export function inverseFrequencies(p: Rotary): Float32Array {
  const r = p.rotaryDim;
  if (r <= 0 || r % 2 !== 0) throw new Error(`rotary: rotaryDim must be a positive even number, got ${r}`);
  const inv = new Float32Array(r / 2);
  for (let i = 0; i < r / 2; i++) inv[i] = f(1 / f(Math.pow(p.theta, f((2 * i) / r))));
  const scaled = p.llama3Scaling ? llama3Scale(inv, p.llama3Scaling) : inv;
  const ff = p.freqFactors;
  if (ff === undefined) return scaled;
  if (ff.length !== r / 2 || !ff.every((x) => Number.isFinite(x) && x > 0)) {
    throw new Error(`rotary: freqFactors must be ${r / 2} positive finite numbers (rotaryDim / 2), got ${ff.length}`);
  }
  return scaled.map((freq, i) => f(freq / (ff[i] as number)));
}

/** HF `_compute_llama3_parameters` / Meta `apply_scaling`. */
function llama3Scale(inv: Float32Array, s: NonNullable<Rotary['llama3Scaling']>): Float32Array {
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositions / s.highFreqFactor;
  return inv.map((freq) => {
    const wavelen = f((2 * Math.PI) / freq);
    if (wavelen < highWavelen) return freq;
    if (wavelen > lowWavelen) return f(freq / s.factor);
    const smooth = f(f(f(s.originalMaxPositions / wavelen) - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor));
    return f(f(f(f(1 - smooth) * freq) / s.factor) + f(smooth * freq));
  });
}

/**
 * cos and sin tables [positions, rotaryDim], already laid out for the pairing: interleaved pairs
 * (2i, 2i+1) repeat each frequency twice in a row; rotate-half pairs (i, i + r/2) repeat the
 * list of frequencies twice.
 */
export function rotaryTables(p: Rotary, positions: number): { cos: Float32Array; sin: Float32Array } {
  const inv = inverseFrequencies(p);
  const r = p.rotaryDim;
  const half = r / 2;
  const cos = new Float32Array(positions * r);
  const sin = new Float32Array(positions * r);
  // LongRoPE: HF multiplies the float32 cos and sin by the attention factor
  const scale = p.attentionFactor ?? 1;
  for (let pos = 0; pos < positions; pos++) {
    for (let j = 0; j < r; j++) {
      const angle = f(pos * (inv[p.interleaved ? j >> 1 : j % half] as number));
      cos[pos * r + j] = scale === 1 ? Math.cos(angle) : f(Math.cos(angle)) * scale;
      sin[pos * r + j] = scale === 1 ? Math.sin(angle) : f(Math.sin(angle)) * scale;
    }
  }
  return { cos, sin };
}
