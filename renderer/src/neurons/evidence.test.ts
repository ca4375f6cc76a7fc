import { describe, expect, it } from 'vitest';
import { formatStat } from '../format';
import { describeVerdict, formatPercent, kindSlug } from './evidence';

describe('verdict evidence in words', () => {
  it('says a silent neuron stayed within eps, with the bound on the share of tokens above it and what zero ablation can change', () => {
    const evidence = { tokens: 8000, peak_abs: 0, eps: 0.0002, rel_eps: 0.001, layer_typical_abs: 0.2, upper95: 3 / 8000, min_tokens: 1, ablation: { method: 'zero', max_change: 0 }, residual_bound: 0 };
    expect(describeVerdict('dead', evidence)).toBe(
      "|output| never above 0 in 8,000 tokens, within ε = 2.00e-4 (0.001 × the layer's typical |activation| 0.2; 95% upper bound on the share of tokens above ε 0.0375%). " +
        'Zero ablation moves its output by at most 0 per token, the residual stream by at most 0 (L2)',
    );
  });

  it('says what a constant neuron carries and what mean ablation can change', () => {
    const text = describeVerdict('constant', { tokens: 500, mean: 0.8, std: 0, range: 0, eps: 0.001, ablation: { method: 'mean', max_change: 0 } });
    expect(text).toContain('within a range of 0 around its mean 0.8 over 500 tokens');
    expect(text).toContain('Mean ablation moves its output by at most 0 per token');
  });

  it('says a never-positive neuron is not dead', () => {
    expect(describeVerdict('never_positive', { tokens: 100, max: -0.01, min: -0.17, mean: -0.1, upper95: 0.03 })).toContain('not dead');
  });

  it('gives the rate, the firing rule and the bound of a rare neuron', () => {
    expect(describeVerdict('rare', { tokens: 20000, fire_count: 3, fire_threshold: 0, fire_mode: 'magnitude', rate: 3 / 20000, bound: 1e-3 })).toBe(
      'fired (|a| > 0) on 3 of 20,000 tokens, a rate of 0.015%, below the bound of 0.1%',
    );
  });

  it('lists the tokens of a token-specific neuron and where a positional one differs', () => {
    const tokens = [{ token_id: 7, token: 'e', firings: 40, share: 0.975, mass_share: 0.99, recall: 0.8 }, { token_id: 8, token: 'f', firings: 1, share: 0.025, mass_share: 0.01, recall: 0.1 }];
    const t = describeVerdict('token_specific', { sampled_tokens: 4000, firings: 41, types_for_coverage: 1, coverage: 0.95, fire_threshold: 0, fire_mode: 'positive', tokens });
    expect(t).toBe('1 token type(s) hold 95% of its 41 firings (a > 0) among 4,000 sampled tokens: "e" 97.5% of firings, 99% of |a| mass, fired on 80% of its occurrences');
    const p = describeVerdict('positional', { sampled_tokens: 4000, share: 0.9, bins: 32, bin_width: 4, peak_positions: [0, 3], peak_mean: 3, overall_mean: 0.2 });
    expect(p).toContain('explains 90% of its variance');
    expect(p).toContain('positions 0–3');
  });

  it('compares a massive peak with the layer median', () => {
    const text = describeVerdict('massive', { peak: 250, layer_median_peak: 5, ratio: 50, min_ratio: 20, min_peak: 10 });
    expect(text).toContain('250 is 50×');
    expect(text).toContain('(5)');
    expect(text).toContain('at least 20×');
  });

  it('says a heavy-tailed verdict rests on the active part, beside the kurtosis over all tokens', () => {
    const text = describeVerdict('heavy_tailed', { kurtosis: 480, active_kurtosis: 21, fire_rate: 0.05, firing: 1000, threshold: 10, tokens: 20000, min_tokens: 1000, min_firing: 100 });
    expect(text).toContain('1,000 firing tokens');
    expect(text).toContain('excess kurtosis 21');
    expect(text).toContain('threshold of 10');
    expect(text).toContain('it is 480, sparsity included');
    expect(text).toContain('100 firing tokens on');
  });

  it('survives missing evidence', () => {
    expect(describeVerdict('heavy_tailed', null)).toContain('—');
  });

  it('formats numbers and slugs', () => {
    expect(formatPercent(0.5)).toBe('50%');
    expect(formatStat(null)).toBe('—');
    expect(formatStat(1.23456)).toBe('1.235');
    expect(formatStat(123456)).toBe('1.23e+5');
    expect(kindSlug('heavy_tailed')).toBe('heavy-tailed');
    expect(kindSlug('never_positive')).toBe('never-positive');
  });
});
