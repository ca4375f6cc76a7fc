import { describe, expect, it } from 'vitest';
import { toCsv } from './export';
import { formatTick, niceTicks } from './scale';

describe('chart helpers', () => {
  it('nice ticks cover the range in 1/2/5 steps', () => {
    expect(niceTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0, 0.7)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(-3, 12)).toEqual([-5, 0, 5, 10, 15]);
    expect(niceTicks(0, 0)).toEqual([0, 1]);
  });
  it('formats ticks without float noise', () => {
    expect(formatTick(0.30000000000000004)).toBe('0.3');
    expect(formatTick(25000)).toBe('25k');
    expect(formatTick(-2)).toBe('−2');
  });
  it('writes CSV with quoting', () => {
    expect(toCsv(['a', 'b'], [[1, 'x,y'], [null, 'q"']])).toBe('a,b\r\n1,"x,y"\r\n,"q"""\r\n');
  });
});
