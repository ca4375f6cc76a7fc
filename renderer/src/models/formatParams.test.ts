import { describe, expect, it } from 'vitest';
import { formatParams } from './formatParams';

describe('formatParams', () => {
  it('uses short decimal units', () => {
    expect(formatParams(124_439_808)).toBe('124.4M');
    expect(formatParams(6_738_415_616)).toBe('6.74B');
    expect(formatParams(260_000)).toBe('260K');
    expect(formatParams(1_100_048_384)).toBe('1.1B');
    expect(formatParams(15_200)).toBe('15.2K');
  });

  it('keeps small counts whole and carries into the next unit', () => {
    expect(formatParams(0)).toBe('0');
    expect(formatParams(999)).toBe('999');
    expect(formatParams(999_960)).toBe('1M');
    expect(formatParams(Number.NaN)).toBe('—');
  });
});
