// Where a capture's time goes, by phase (preparing a batch, the graph run, folding its outputs,
// extracting samples, SQLite commits): summed wall time, printed to stderr at the end of the job
// when FFN_LAB_CAPTURE_PROFILE=1 (`npm run bench -- --capture-job` sets it). Timing only, no effect
// on the results.

export class PhaseTimes {
  private readonly ms = new Map<string, number>();
  private readonly started = performance.now();

  /** Runs f, adding its wall time to `phase`. */
  time<T>(phase: string, f: () => T): T {
    const t0 = performance.now();
    try {
      return f();
    } finally {
      this.add(phase, performance.now() - t0);
    }
  }

  async timeAsync<T>(phase: string, f: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      this.add(phase, performance.now() - t0);
    }
  }

  add(phase: string, ms: number): void {
    this.ms.set(phase, (this.ms.get(phase) ?? 0) + ms);
  }

  /** One line per phase with its share of the wall time since construction, then the rest. */
  report(): string {
    const total = performance.now() - this.started;
    const timed = [...this.ms.values()].reduce((a, b) => a + b, 0);
    const line = (name: string, ms: number) => `  ${name.padEnd(12)} ${(ms / 1000).toFixed(2).padStart(8)} s  ${((ms / total) * 100).toFixed(1).padStart(5)}%`;
    return [`capture phases over ${(total / 1000).toFixed(2)} s:`, ...[...this.ms].map(([k, v]) => line(k, v)), line('other', total - timed)].join('\n');
  }
}
