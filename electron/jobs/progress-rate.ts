// Rate and ETA from a window of recent (time, done) samples: a window, not the whole run,
// so the estimate follows a job whose speed changes (e.g. a slow first batch).

export interface RateSample {
  at: number; // ms
  done: number;
}

export const RATE_WINDOW_MS = 5000;

/** Keeps samples within the window (and at least the newest two) after adding one. */
export function addSample(samples: readonly RateSample[], sample: RateSample, windowMs = RATE_WINDOW_MS): RateSample[] {
  const all = [...samples, sample];
  const cutoff = sample.at - windowMs;
  const firstKept = all.findIndex((s) => s.at >= cutoff);
  return all.slice(Math.max(0, Math.min(firstKept === -1 ? all.length : firstKept, all.length - 2)));
}

/** Units per second over the samples; null until two samples 100 ms apart exist. */
export function rateOf(samples: readonly RateSample[]): number | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.at - first.at < 100) return null;
  return ((last.done - first.done) * 1000) / (last.at - first.at);
}

export function etaSeconds(done: number, total: number | null, rate: number | null): number | null {
  if (total === null || rate === null || rate <= 0) return null;
  return Math.max(0, (total - done) / rate);
}
