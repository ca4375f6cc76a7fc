import { describe, expect, it } from 'vitest';
import type { AblationResult } from '../api/contract';
import { explain } from './explain';

const iv = (value: number, low: number, high: number) => ({ value, low, high });
function result(dead: [number, number, number], control: [number, number, number]): AblationResult {
  const metrics = (d: [number, number, number]) => ({ loss: iv(5 + d[0], 5, 5.1), ppl: iv(150, 140, 160), delta_loss: iv(...d), kl: iv(0.001, 0, 0.002), top1_agreement: iv(0.99, 0.98, 1) });
  const cond = (label: string, d: [number, number, number]) => ({ label, neurons: 10, perLayer: [0, 10], series: null, fraction: null, metrics: metrics(d), hurt: [] });
  return {
    id: 1, name: 'x', kind: 'compare', modelId: 1, datasetId: 1, corpusId: 1, method: 'zero', conditions: 2, tokens: 20000, createdAt: '', modelSha256: '', appVersion: '', params: {}, documents: 10,
    baseline: { loss: iv(5, 4.9, 5.1), ppl: iv(148.4, 134, 164) },
    results: [cond('dead', dead), cond('random control (seed 0)', control)],
    perDocument: [],
    warnings: [],
  };
}
const facts = { model: 'm', activation: 'relu', tokens: 20000, neurons: 4096, deadPerLayer: [0, 10], constantPerLayer: [0, 0], neverPositivePerLayer: [0, 0] };

describe('explain', () => {
  it('says zeroing a silent set costs nothing, as its verdict predicts, and calls it unused capacity when the control costs', () => {
    const text = explain({ ...facts, ablation: result([0, -1e-5, 1e-5], [0.01, 0.008, 0.012]) }).join(' ');
    expect(text).toMatch(/10 of them \(0\.2%\) are silent/);
    expect(text).toMatch(/10 in layer 1/);
    expect(text).toMatch(/fewer than 1\.5e-4 of tokens, with 95% confidence/);
    expect(text).toMatch(/costs nothing measurable/);
    expect(text).toMatch(/unused capacity/);
  });

  it('says never-positive neurons are not dead, and when zeroing them costs more than the control (GELU)', () => {
    const r = result([0.005, 0.004, 0.006], [0.0002, -0.0001, 0.0004]);
    r.results[0]!.label = 'never-positive';
    const text = explain({ ...facts, activation: 'gelu_new', deadPerLayer: [0, 0], neverPositivePerLayer: [3, 7], ablation: r }).join(' ');
    expect(text).toMatch(/None of them is silent/);
    expect(text).toMatch(/10 never went above 0 \(3 in layer 0, 7 in layer 1\)/);
    expect(text).toMatch(/would call them dead, but with gelu_new/);
    expect(text).toMatch(/Zeroing the never-positive neurons cost more than zeroing random ones/);
    expect(text).not.toMatch(/unused capacity/);
  });

  it('names constant neurons, says when neither cost is distinguishable from zero, and when there is no set', () => {
    const text = explain({ ...facts, constantPerLayer: [2, 0], ablation: result([0, -0.001, 0.001], [0.0005, -0.0002, 0.0012]) }).join(' ');
    expect(text).toMatch(/2 are constant \(2 in layer 0\)/);
    const r = result([0.0001, -0.001, 0.001], [0.0005, -0.0002, 0.0012]);
    r.results[0]!.label = 'never-positive';
    expect(explain({ ...facts, ablation: r }).join(' ')).toMatch(/Neither change is distinguishable from zero/);
    const none = explain({ ...facts, deadPerLayer: [0, 0], ablation: { ...result([0, 0, 0], [0, 0, 0]), results: [] } }).join(' ');
    expect(none).toMatch(/no silent or never-positive neurons/);
  });
});
