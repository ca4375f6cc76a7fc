import { describe, expect, it } from 'vitest';
import { formatStat } from '../format';
import { describeVerdict, formatPercent, kindSlug } from './evidence';

describe('verdict evidence in words', () => {
  it('says how many tokens a dead neuron never fired in, with the upper bound on its rate', () => {
    expect(describeVerdict('dead', { tokens: 8000, fire_count: 0, fire_threshold: 0, upper95: 3 / 8000, min_tokens: 1 })).toBe(
      'never fired (activation above 0) in 8,000 tokens (95% upper bound on fire rate 0.0375%)',
    );
  });

  it('gives the rate and the bound of a rare neuron', () => {
    expect(describeVerdict('rare', { tokens: 20000, fire_count: 3, fire_threshold: 0, rate: 3 / 20000, bound: 1e-3 })).toBe(
      'fired on 3 of 20,000 tokens, a rate of 0.015%, below the bound of 0.1%',
    );
  });

  it('compares a massive peak with the layer median', () => {
    const text = describeVerdict('massive', { peak: 250, layer_median_peak: 5, ratio: 50, min_ratio: 20, min_peak: 10 });
    expect(text).toContain('250 is 50×');
    expect(text).toContain('(5)');
    expect(text).toContain('at least 20×');
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
  });
});
