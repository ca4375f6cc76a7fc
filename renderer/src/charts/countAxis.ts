// The count axis of a histogram, linear or log: on a log axis the tail of a heavy-tailed neuron's
// activations (bins of 1-10 tokens beside bins of thousands) stays visible. And tick values on a
// value axis at round numbers (1, 2 or 5 × 10^k), not at whatever the bin edges happen to be.
import { linear, niceTicks } from './scale';

export interface CountScale {
  y: (count: number) => number;
  ticks: number[];
  /** where a bar of this count starts (the axis' bottom) */
  base: number;
}

/**
 * A log10 count axis from 0.5 (so that a bin of 1 token still shows a bar) to the next power of ten
 * at or above the largest count; ticks at the powers of ten. A count of 0 sits on the bottom.
 */
export function logCountScale(bottom: number, top: number, max: number): CountScale {
  const hiExp = Math.max(1, Math.ceil(Math.log10(Math.max(1, max))));
  const lo = Math.log10(0.5);
  const map = linear(lo, hiExp, bottom, top);
  const ticks = Array.from({ length: hiExp + 1 }, (_, k) => 10 ** k);
  return { y: (count) => (count > 0 ? map(Math.log10(count)) : bottom), ticks, base: bottom };
}

/** Round tick values inside [min, max] (about `count` of them) with their x positions on a linear value axis from left to right. */
export function roundValueTicks(min: number, max: number, left: number, right: number, count = 6): { value: number; x: number }[] {
  if (!(max > min)) return [{ value: min, x: (left + right) / 2 }];
  const x = linear(min, max, left, right);
  const span = max - min;
  return niceTicks(min, max, count)
    .filter((v) => v >= min - span * 1e-9 && v <= max + span * 1e-9)
    .map((value) => ({ value, x: x(value) }));
}
