// Medians of small sets (one value per neuron of a layer): the "typical" scale that outlier rules
// compare against. The median rather than the mean, because the outliers being looked for would
// drag a mean towards themselves.

/**
 * The median of the values that are not NaN (the mean of the two middle ones for an even count);
 * NaN when there are none. Copies, so the input is left as it is.
 */
export function median(values: ArrayLike<number>): number {
  const kept = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) kept[n++] = v;
  }
  if (n === 0) return NaN;
  // Float64Array#sort is numeric (no comparator needed) and handles +-Infinity.
  const sorted = kept.subarray(0, n).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
