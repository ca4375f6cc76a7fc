import { describe, expect, it } from 'vitest';
import { formatAmount, formatBytes, formatCount, formatEta, formatParams, formatProgress, formatRate, formatValue, percentDone } from './format.js';

describe('formatBytes', () => {
  it('keeps small sizes in bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1)).toBe('1 B');
    expect(formatBytes(1023)).toBe('1023 B');
  });
  it('uses binary units with three significant digits', () => {
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(10 * 1024 * 1024)).toBe('10 MiB');
    expect(formatBytes(123.456 * 1024 * 1024)).toBe('123 MiB');
    expect(formatBytes(6_300_000)).toBe('6.01 MiB');
    expect(formatBytes(5 * 1024 ** 4)).toBe('5 TiB');
  });
  it('carries instead of printing 1024 of a unit', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1 MiB');
  });
  it('shows a dash for nonsense', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('formatParams', () => {
  // short decimal units with four significant digits at most; small counts stay whole, 999.96K carries into 1M
  it.each([
    [124_439_808, '124.4M'],
    [6_738_415_616, '6.74B'],
    [260_000, '260K'],
    [1_100_048_384, '1.1B'],
    [15_200, '15.2K'],
    [0, '0'],
    [999, '999'],
    [999_960, '1M'],
    [Number.NaN, '—'],
  ])('formats %d as %s', (n, text) => {
    expect(formatParams(n)).toBe(text);
  });
});

describe('formatEta', () => {
  it('formats minutes and seconds', () => {
    expect(formatEta(0)).toBe('0:00');
    expect(formatEta(5)).toBe('0:05');
    expect(formatEta(59.2)).toBe('1:00');
    expect(formatEta(61)).toBe('1:01');
    expect(formatEta(754)).toBe('12:34');
  });
  it('adds hours from an hour on', () => {
    expect(formatEta(3600)).toBe('1:00:00');
    expect(formatEta(3 * 3600 + 7 * 60 + 9)).toBe('3:07:09');
  });
  it('shows a dash for nonsense', () => {
    expect(formatEta(-3)).toBe('—');
    expect(formatEta(Number.POSITIVE_INFINITY)).toBe('—');
  });
});

describe('formatRate', () => {
  it('rounds by magnitude', () => {
    expect(formatRate(1234.5, 'documents')).toBe('1,235 documents/s');
    expect(formatRate(312.2, 'documents')).toBe('312 documents/s');
    expect(formatRate(45.67, 'tokens')).toBe('45.7 tokens/s');
    expect(formatRate(20, 'tokens')).toBe('20 tokens/s');
    expect(formatRate(4.567, 'tokens')).toBe('4.6 tokens/s');
    expect(formatRate(0.25, 'documents')).toBe('0.25 documents/s');
    expect(formatRate(0, 'documents')).toBe('0 documents/s');
    expect(formatRate(0.001, 'documents')).toBe('< 0.01 documents/s');
  });
  it('shows byte rates in binary units', () => {
    expect(formatRate(1.5 * 1024 * 1024, 'bytes')).toBe('1.5 MiB/s');
  });
});

describe('progress text', () => {
  it('formats amounts with and without a total', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatAmount(120, 500, 'documents')).toBe('120 / 500 documents');
    expect(formatAmount(120, null, 'documents')).toBe('120 documents');
    expect(formatAmount(1024, 4096, 'bytes')).toBe('1 KiB / 4 KiB');
  });
  it('adds rate and ETA while the job is active', () => {
    const progress = { done: 120, total: 500, unit: 'documents', rate: 31.2, etaSeconds: 12.2, message: null };
    expect(formatProgress(progress, true)).toBe('120 / 500 documents · 31.2 documents/s · ETA 0:13');
    expect(formatProgress(progress, false)).toBe('120 / 500 documents');
    expect(formatProgress({ ...progress, rate: null, etaSeconds: null }, true)).toBe('120 / 500 documents');
  });
  it('computes a clamped percentage, null without a total', () => {
    expect(percentDone(1, 4)).toBe(25);
    expect(percentDone(5, 4)).toBe(100);
    expect(percentDone(1, null)).toBeNull();
    expect(percentDone(0, 0)).toBeNull();
  });
});

describe('formatValue', () => {
  it('shows strings as they are and the rest as JSON, cut short', () => {
    expect(formatValue('news')).toBe('news');
    expect(formatValue(3)).toBe('3');
    expect(formatValue(['a', 'b'])).toBe('["a","b"]');
    expect(formatValue('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
