import { describe, expect, it } from 'vitest';
import { heatColor } from './HeatMap';

describe('heatColor', () => {
  it('runs from viridis dark purple (0) to yellow (1), clamped, interpolated between stops', () => {
    expect(heatColor(0)).toBe('#440154');
    expect(heatColor(1)).toBe('#fde725');
    expect(heatColor(-3)).toBe('#440154');
    expect(heatColor(7)).toBe('#fde725');
    expect(heatColor(Number.NaN)).toBe('#440154');
    expect(heatColor(0.5)).toBe('#21918c');
    expect(heatColor(0.5 / 8)).toMatch(/^#[0-9a-f]{6}$/);
  });
});
