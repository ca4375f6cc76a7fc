// The rotary tables: a GGUF's per-frequency divisors (rope_freqs, as convert_hf_to_gguf.py writes
// them from a Llama 3.1 rope_scaling) give the same tables as the Hugging Face llama3 rescaling of
// the same parameters, up to float32 rounding; and they are validated.

import { describe, expect, it } from 'vitest';
import { type Rotary, inverseFrequencies, rotaryTables } from './rotary.js';

type Scaling = NonNullable<Rotary['llama3Scaling']>;

/** convert_hf_to_gguf.py LlamaModel (llama3 rope_scaling -> rope_freqs): 1 / the scale of each frequency, float32. */
function ggufFactors(theta: number, dim: number, s: Scaling): number[] {
  const out: number[] = [];
  for (let i = 0; i < dim; i += 2) {
    const freq = Math.fround(1 / Math.fround(Math.pow(theta, Math.fround(i / dim))));
    const wavelen = (2 * Math.PI) / freq;
    const low = s.originalMaxPositions / s.lowFreqFactor;
    const high = s.originalMaxPositions / s.highFreqFactor;
    if (wavelen < high) out.push(1);
    else if (wavelen > low) out.push(s.factor);
    else {
      const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
      out.push(Math.fround(1 / ((1 - smooth) / s.factor + smooth)));
    }
  }
  return out;
}

describe('rotary frequency factors (GGUF rope_freqs)', () => {
  const cases: [string, number, number, Scaling][] = [
    ['Llama 3.1 8B (theta 500000, head_dim 128, original context 8192)', 500000, 128, { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 }],
    ['Llama 3.2 1B (factor 32)', 500000, 64, { factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 }],
    ['the llama31-f32 fixture (original context 64)', 10000, 8, { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 }],
  ];
  for (const [what, theta, dim, s] of cases) {
    it(`${what}: freqFactors and llama3Scaling give the same tables`, () => {
      const base: Rotary = { kind: 'rotary', theta, rotaryDim: dim, interleaved: true };
      const hf = inverseFrequencies({ ...base, llama3Scaling: s });
      const factors = ggufFactors(theta, dim, s);
      const gguf = inverseFrequencies({ ...base, freqFactors: factors });
      // all three regimes occur: kept (factor 1), smoothed (between), divided by the factor
      expect(factors[0]).toBe(1);
      expect(factors.at(-1)).toBe(s.factor);
      expect(factors.some((f) => f > 1 && f < s.factor)).toBe(true);
      for (let i = 0; i < hf.length; i++) expect(Math.abs((gguf[i] as number) - (hf[i] as number))).toBeLessThanOrEqual(4e-7 * (hf[i] as number));
      const positions = 512;
      const a = rotaryTables({ ...base, llama3Scaling: s }, positions);
      const b = rotaryTables({ ...base, freqFactors: factors }, positions);
      let worst = 0;
      for (let j = 0; j < a.cos.length; j++) worst = Math.max(worst, Math.abs((a.cos[j] as number) - (b.cos[j] as number)), Math.abs((a.sin[j] as number) - (b.sin[j] as number)));
      expect(worst).toBeLessThan(2e-4); // angles up to 511 rad, float32: a few ulps of the angle
      // and the factors are not a no-op
      const plain = rotaryTables(base, positions);
      let diff = 0;
      for (let j = 0; j < a.cos.length; j++) diff = Math.max(diff, Math.abs((plain.cos[j] as number) - (b.cos[j] as number)));
      expect(diff).toBeGreaterThan(0.1);
    });
  }

  it('divides each inverse frequency by its factor; refuses a wrong length or a non-positive factor', () => {
    const base: Rotary = { kind: 'rotary', theta: 10000, rotaryDim: 4, interleaved: false };
    const inv = inverseFrequencies(base);
    expect(Array.from(inverseFrequencies({ ...base, freqFactors: [2, 4] }))).toEqual([Math.fround((inv[0] as number) / 2), Math.fround((inv[1] as number) / 4)]);
    expect(() => inverseFrequencies({ ...base, freqFactors: [1] })).toThrow(/2 positive finite numbers/);
    expect(() => inverseFrequencies({ ...base, freqFactors: [1, 0] })).toThrow(/positive finite/);
  });
});
