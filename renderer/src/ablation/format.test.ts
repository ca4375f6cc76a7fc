import { describe, expect, it } from 'vitest';
import { formatInterval } from './format';
import { divergingColor } from './TokenLoss';

describe('ablation numbers and colours', () => {
  it('writes an estimate with its interval, or alone when there is none', () => {
    expect(formatInterval({ value: 0.07515, low: 0.04906, high: 0.09676 })).toBe('0.07515 [0.04906, 0.09676]');
    expect(formatInterval({ value: 3.5, low: null, high: null })).toBe('3.5');
  });

  it('colours a loss change white at 0, Okabe-Ito blue when lower and vermillion when higher, saturating at the scale', () => {
    expect(divergingColor(0, 1)).toBe('rgb(255, 255, 255)');
    expect(divergingColor(-1, 1)).toBe('rgb(0, 114, 178)');
    expect(divergingColor(5, 1)).toBe('rgb(213, 94, 0)');
    expect(divergingColor(0.5, 1)).toBe('rgb(234, 175, 128)');
  });
});
