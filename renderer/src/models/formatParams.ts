const units = [
  { size: 1e12, suffix: 'T' },
  { size: 1e9, suffix: 'B' },
  { size: 1e6, suffix: 'M' },
  { size: 1e3, suffix: 'K' },
] as const;

/**
 * A parameter count in short decimal units: 124439808 -> "124.4M", 6738415616 -> "6.74B",
 * 260000 -> "260K", 999 -> "999". Four significant digits at most, no trailing zeros.
 */
export function formatParams(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  let larger: number | null = null;
  for (const unit of units) {
    if (n < unit.size) {
      larger = unit.size;
      continue;
    }
    const value = n / unit.size;
    const rounded = Number(value.toFixed(value >= 100 ? 1 : 2));
    // 999.96K rounds to 1000K: say 1M instead
    if (rounded >= 1000 && larger !== null) return formatParams(larger);
    return `${String(rounded)}${unit.suffix}`;
  }
  return String(Math.round(n));
}
