// Pure formatting helpers for the UI. No locale surprises: numbers use en-US grouping so the
// output is the same everywhere (and in tests).
import type { Progress } from '../electron/api.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 -> "1,234,567" */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '—';
  return integer.format(n);
}

const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** Binary units with three significant digits: 0 -> "0 B", 1536 -> "1.5 KiB", 10485760 -> "10 MiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < byteUnits.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // 1023.9 KiB would print as "1024 KiB": carry into the next unit instead
  if (value >= 1023.5 && unit < byteUnits.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${trimNumber(value)} ${byteUnits[unit]}`;
}

/** Three significant digits, no trailing zeros, no exponent: 1.50 -> "1.5", 123.4 -> "123". */
function trimNumber(value: number): string {
  if (value >= 100) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}

const paramUnits = [
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
  for (const unit of paramUnits) {
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

/** Seconds left as "m:ss", or "h:mm:ss" from an hour; "—" when not a usable number. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const total = Math.ceil(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A rate as "312 documents/s", "4.5 tokens/s", "0.25 documents/s", or "1.2 MiB/s" for bytes. */
export function formatRate(rate: number, unit: string): string {
  if (!Number.isFinite(rate) || rate < 0) return '—';
  if (unit === 'bytes') return `${formatBytes(rate)}/s`;
  let text: string;
  if (rate >= 100) text = formatCount(rate);
  else if (rate >= 10) text = rate.toFixed(1);
  else if (rate >= 0.01 || rate === 0) text = String(Number(rate.toPrecision(2)));
  else text = '< 0.01';
  return `${text.replace(/\.0$/, '')} ${unit}/s`;
}

/** "done / total unit", the amounts as bytes when the unit is bytes. */
export function formatAmount(done: number, total: number | null, unit: string): string {
  const show = unit === 'bytes' ? formatBytes : formatCount;
  if (unit === 'bytes') return total === null ? show(done) : `${show(done)} / ${show(total)}`;
  return total === null ? `${show(done)} ${unit}` : `${show(done)} / ${show(total)} ${unit}`;
}

/** The progress line of a job: "120 / 500 documents · 31 documents/s · ETA 0:13". */
export function formatProgress(progress: Progress, active: boolean): string {
  const parts = [formatAmount(progress.done, progress.total, progress.unit)];
  if (active && progress.rate !== null) parts.push(formatRate(progress.rate, progress.unit));
  if (active && progress.etaSeconds !== null) parts.push(`ETA ${formatEta(progress.etaSeconds)}`);
  return parts.join(' · ');
}

/** Percentage complete, or null when the total is unknown. */
export function percentDone(done: number, total: number | null): number | null {
  if (total === null || total <= 0) return null;
  return Math.max(0, Math.min(100, (done / total) * 100));
}

/** An ISO timestamp as local "YYYY-MM-DD HH:MM"; the input unchanged when it is not a date. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A metadata value as short text: strings as they are, the rest as JSON, cut at `max` chars. */
export function formatValue(value: unknown, max = 80): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === undefined) text = '';
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A statistic with 3-4 significant digits; "—" for null or non-finite. */
export function formatStat(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}
