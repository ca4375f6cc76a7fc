import { describe, expect, it } from 'vitest';
import { THRESHOLD_FIELDS } from '../../../common/detector-defaults';
import { currentThresholds, withThreshold } from './thresholds';

const field = (detector: string, key: string) => THRESHOLD_FIELDS.find((f) => f.detector === detector && f.key === key)!;

describe('detector thresholds on the Neurons page', () => {
  it('lists every threshold with its default until one is set', () => {
    const rows = currentThresholds({});
    expect(rows.length).toBe(THRESHOLD_FIELDS.length);
    expect(rows.find((r) => r.field.key === 'minFiring')).toMatchObject({ value: 100, changed: false });
    expect(rows.find((r) => r.field.detector === 'heavyTailed' && r.field.key === 'threshold')).toMatchObject({ value: 10, changed: false });
    expect(rows.find((r) => r.field.key === 'bins')?.value).toBeNull();
  });

  it('sets, keeps the others of a detector, and restores the default on blank', () => {
    const a = withThreshold({}, field('heavyTailed', 'threshold'), '25');
    expect(a).toEqual({ detect: { heavyTailed: { threshold: 25 } } });
    const b = withThreshold((a as { detect: object }).detect, field('heavyTailed', 'minFiring'), '50');
    expect(b).toEqual({ detect: { heavyTailed: { threshold: 25, minFiring: 50 } } });
    expect(currentThresholds((b as { detect: object }).detect).find((r) => r.field.key === 'minFiring')).toMatchObject({ value: 50, changed: true });
    expect(withThreshold({ heavyTailed: { threshold: 25 } }, field('heavyTailed', 'threshold'), ' ')).toEqual({ detect: {} });
  });

  it('refuses what is not a valid value, saying why', () => {
    expect(withThreshold({}, field('heavyTailed', 'minFiring'), '2.5')).toEqual({ error: 'Heavy-tailed: minimum firing tokens must be a whole number, got 2.5' });
    expect(withThreshold({}, field('rare', 'bound'), 'x')).toEqual({ error: 'Rare: fire-rate bound must be a number, got "x"' });
    expect(withThreshold({}, field('tokenSpecific', 'coverage'), '1.5')).toMatchObject({ error: expect.stringMatching(/at most 1/) });
    expect(withThreshold({}, field('massive', 'minPeak'), '0')).toEqual({ detect: { massive: { minPeak: 0 } } });
  });
});
