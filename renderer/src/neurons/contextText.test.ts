import { describe, expect, it } from 'vitest';
import { contextsNote, oneLine, shadeOf, tokenShade } from './contextText';

describe('top context text', () => {
  it('puts a context with line breaks on one line', () => {
    expect(oneLine('end of line\nnext\r\nthird\rfourth\tx')).toBe('end of line⏎next⏎third⏎fourth x');
    expect(oneLine('plain')).toBe('plain');
  });

  it('shades by activation relative to the largest, keeping the weakest visible', () => {
    expect(shadeOf(4, 4)).toBe(1);
    expect(shadeOf(2, 4)).toBe(0.5);
    expect(shadeOf(0.01, 4)).toBe(0.15);
    expect(shadeOf(3, 0)).toBe(1);
  });

  it('shades each token of a whole context from 0 (unshaded) to the largest |activation|', () => {
    expect(tokenShade(0, 4)).toBe(0);
    expect(tokenShade(1, 4)).toBe(0.25);
    expect(tokenShade(-2, 4)).toBe(0.5);
    expect(tokenShade(4, 4)).toBe(1);
    expect(tokenShade(5, 4)).toBe(1);
    expect(tokenShade(3, 0)).toBe(0);
    expect(tokenShade(Number.NaN, 4)).toBe(0);
  });

  it('says "fired on k tokens" when fewer contexts than the capture keeps are listed', () => {
    expect(contextsNote(3, 16, 3)).toBe('Fired on 3 tokens: all are listed (the capture keeps up to 16).');
    expect(contextsNote(1, 16, 1)).toMatch(/^Fired on 1 token: all are listed/);
    expect(contextsNote(16, 16, 5000)).toBeNull();
    expect(contextsNote(0, 16, 0)).toMatch(/never fired/);
  });
});
