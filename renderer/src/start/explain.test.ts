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
  };
}
const facts = { model: 'm', activation: 'relu', tokens: 20000, neurons: 4096, deadPerLayer: [0, 10] };

describe('explain', () => {
  it('calls dead neurons unused capacity when their interval holds 0 and the control\'s is above 0', () => {
    const text = explain({ ...facts, ablation: result([0, -1e-5, 1e-5], [0.01, 0.008, 0.012]) }).join(' ');
    expect(text).toMatch(/10 of them \(0\.2%\) never fired: 10 in layer 1/);
    expect(text).toMatch(/below 1\.5e-4 with 95% confidence/);
    expect(text).toMatch(/unused capacity/);
  });

  it('says when the dead set costs more than the control (e.g. GELU\'s negative outputs)', () => {
    const text = explain({ ...facts, activation: 'gelu_new', ablation: result([0.005, 0.004, 0.006], [0.0002, -0.0001, 0.0004]) }).join(' ');
    expect(text).toMatch(/cost more than zeroing random ones/);
    expect(text).not.toMatch(/unused capacity/);
  });

  it('says when neither is distinguishable from zero, and when there is no dead set', () => {
    expect(explain({ ...facts, ablation: result([0, -0.001, 0.001], [0.0005, -0.0002, 0.0012]) }).join(' ')).toMatch(/Neither change is distinguishable from zero/);
    const none = explain({ ...facts, deadPerLayer: [0, 0], ablation: { ...result([0, 0, 0], [0, 0, 0]), results: [] } }).join(' ');
    expect(none).toMatch(/Every neuron fired at least once/);
  });
});
