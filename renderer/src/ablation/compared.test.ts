import { describe, expect, it } from 'vitest';
import type { AblationResult } from '../api/contract';
import { comparedCsv, comparedSeries } from './compared';

const m = (v: number) => ({ value: v, low: v - 0.1, high: v + 0.1 });
const run = (id: number, name: string, conditions: Array<[string, number]>) =>
  ({
    id,
    name,
    results: conditions.map(([label, d]) => ({ label, neurons: 3, metrics: { delta_loss: m(d), kl: m(d / 2), top1_agreement: m(1 - d), loss: m(3 + d), ppl: m(20) } })),
  }) as unknown as AblationResult;

describe('compared runs on one chart', () => {
  it('puts the union of conditions along x and leaves a gap where a run lacks one', () => {
    const { groups, series } = comparedSeries([run(1, 'dead set', [['dead', 0.2], ['random', 0.01]]), run(2, 'rare set', [['rare', 0.5], ['random', 0.02]])], 'delta_loss');
    expect(groups).toEqual(['dead', 'random', 'rare']);
    expect(series.map((s) => s.name)).toEqual(['#1 dead set', '#2 rare set']);
    expect(series[0]!.points.map((p) => p?.value ?? null)).toEqual([0.2, 0.01, null]);
    expect(series[1]!.points.map((p) => p?.value ?? null)).toEqual([null, 0.02, 0.5]);
  });

  it('tells re-runs with one name apart by id, cuts long names, and writes every condition of every run to the CSV', () => {
    const runs = [run(4, 'same', [['dead', 0.2]]), run(5, 'same', [['dead', 0.2]])];
    expect(comparedSeries(runs, 'kl').series.map((s) => s.name)).toEqual(['#4 same', '#5 same']);
    expect(comparedSeries([run(6, 'wide: first-ten vs random control (seed 0) (zero)', [])], 'kl').series[0]!.name).toBe('#6 wide: first-ten vs ra…');
    const csv = comparedCsv(runs, 'kl');
    expect(csv.header).toEqual(['run', 'run_id', 'condition', 'neurons', 'kl', 'kl_low', 'kl_high']);
    expect(csv.rows).toEqual([
      ['#4 same', 4, 'dead', 3, 0.1, 0.1 - 0.1, 0.1 + 0.1],
      ['#5 same', 5, 'dead', 3, 0.1, 0.1 - 0.1, 0.1 + 0.1],
    ]);
  });
});
