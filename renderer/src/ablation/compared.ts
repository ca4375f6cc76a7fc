// Two (or more) ablation runs on one chart: the union of their condition labels along x, one
// series per run, and the CSV behind it. Pure, so the pairing of conditions is tested alone.
import type { AblationResult } from '../api/contract';
import type { ChartData } from '../charts/export';
import type { IntervalPoint } from '../charts/GroupedIntervalChart';
import type { MetricKey } from './format';

export const COMPARED_METRICS: readonly MetricKey[] = ['delta_loss', 'kl', 'top1_agreement'];

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Series names short enough for a legend beside another: "#4 dead set", the name cut at 22 characters (the id tells re-runs apart). */
export function runNames(runs: readonly AblationResult[]): string[] {
  return runs.map((r) => `#${r.id} ${cut(r.name, 22)}`);
}

export function comparedSeries(runs: readonly AblationResult[], k: MetricKey): { groups: string[]; series: Array<{ name: string; points: Array<IntervalPoint | null> }> } {
  const groups = [...new Set(runs.flatMap((r) => r.results.map((c) => c.label)))];
  const names = runNames(runs);
  return {
    groups,
    series: runs.map((r, i) => ({
      name: names[i]!,
      points: groups.map((g) => {
        const c = r.results.find((x) => x.label === g);
        return c ? { value: c.metrics[k].value, low: c.metrics[k].low, high: c.metrics[k].high } : null;
      }),
    })),
  };
}

export function comparedCsv(runs: readonly AblationResult[], k: MetricKey): ChartData {
  const names = runNames(runs);
  return {
    header: ['run', 'run_id', 'condition', 'neurons', k, `${k}_low`, `${k}_high`],
    rows: runs.flatMap((r, i) => r.results.map((c) => [names[i]!, r.id, c.label, c.neurons, c.metrics[k].value, c.metrics[k].low, c.metrics[k].high])),
  };
}
