import { describe, expect, it } from 'vitest';
import { visibleRange } from './window';

describe('visibleRange', () => {
  it('covers the viewport plus overscan', () => {
    expect(visibleRange(0, 320, 32, 2000, 5)).toEqual({ start: 0, end: 15 });
    expect(visibleRange(3200, 320, 32, 2000, 5)).toEqual({ start: 95, end: 115 });
  });
  it('stays inside the list', () => {
    expect(visibleRange(64000, 320, 32, 2000, 5)).toEqual({ start: 1995, end: 2000 });
    expect(visibleRange(-50, 320, 32, 3, 5)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(0, 320, 32, 0)).toEqual({ start: 0, end: 0 });
  });
});
