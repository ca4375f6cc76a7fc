import { describe, expect, it } from 'vitest';
import { changeClass, colourPosition, noiseFloor, scaleTop } from './noise';

describe('the noise floor of loss changes', () => {
  it('sits above float32 rounding of the loss and grows with it', () => {
    // one unit in the last place of 5.0 in float32 is 2^-21 ~ 4.8e-7: the floor is well above it
    expect(noiseFloor(5)).toBeGreaterThan(16 * 2 ** -21);
    expect(noiseFloor(5)).toBeLessThan(1e-4);
    expect(noiseFloor(10)).toBeCloseTo(2 * noiseFloor(5));
    expect(noiseFloor(0)).toBeGreaterThanOrEqual(1e-6);
  });

  it('colours nothing at or below the floor, and does not stretch noise to full colour', () => {
    const floor = noiseFloor(5);
    const changes = [1e-9, -3e-8, 2e-7];
    const top = scaleTop(changes, floor);
    expect(top).toBe(10 * floor);
    expect(changes.map((d) => colourPosition(d, floor, top))).toEqual([0, 0, 0]);
    expect(changes.map((d) => changeClass(d, floor))).toEqual(['delta-noise', 'delta-noise', 'delta-noise']);
  });

  it('colours real effects from the floor up to the largest', () => {
    const floor = noiseFloor(5);
    const top = scaleTop([0.02, -0.5, 1e-8], floor);
    expect(top).toBe(0.5);
    expect(colourPosition(-0.5, floor, top)).toBe(1);
    expect(colourPosition(0.02, floor, top)).toBeGreaterThan(0.03);
    expect(changeClass(0.02, floor)).toBe('delta-up');
    expect(changeClass(-0.5, floor)).toBe('delta-down');
  });
});
