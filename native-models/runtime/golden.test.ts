// The instrumented graph against the golden outputs of the independent PyTorch reference
// (native-models/fixtures/README.md): logits, NLL, the first and last layers' neurons, layer 0's
// pre-activation, and zero ablation — all in one run, the ablation as condition 1.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { hook } from '../graph/builder.js';
import { maxAbsDiff, rows } from '../graph/test-support/specs.js';
import { loadModel } from '../load.js';
import { FfnSession } from './session.js';
import { asFloat32, float32, int64 } from './tensors.js';

/** max |got - want| allowed, float32 */
const ATOL = 1e-4;

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

interface GoldenTensor {
  shape: number[];
  data: number[];
}

interface Golden {
  checkpoint: string;
  input_ids: GoldenTensor;
  logits: GoldenTensor;
  nll: GoldenTensor;
  activations: Record<string, GoldenTensor>;
  preactivations: Record<string, GoldenTensor>;
  ablation: { method: string; neurons: { layer: number; neuron: number }[]; logits: GoldenTensor; nll: GoldenTensor };
}

const names = existsSync(FIXTURES)
  ? readdirSync(FIXTURES, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(FIXTURES, d.name, 'golden.json')))
      .map((d) => d.name)
      .sort()
  : [];

const sessions: FfnSession[] = [];
afterAll(async () => {
  for (const s of sessions) await s.release();
});

describe('golden fixtures', () => {
  test('exist', () => {
    expect(names.length).toBeGreaterThan(0);
  });

  test.each(names)('%s: graph outputs match the PyTorch reference', async (name) => {
    const g = JSON.parse(readFileSync(join(FIXTURES, name, 'golden.json'), 'utf8')) as Golden;
    const model = loadModel(join(FIXTURES, name, g.checkpoint));
    const { nLayers: L, dFf: F, vocabSize: V } = model.spec;
    const [B, T] = g.input_ids.shape as [number, number];
    const ids = g.input_ids.data;
    expect(g.ablation.method).toBe('zero');

    const s = await FfnSession.create(model, { conditions: true, logits: 'all', nll: true, taps: [0, L - 1] }, { threads: 1 });
    sessions.push(s);
    const scale = new Float32Array(2 * L * F).fill(1);
    for (const n of g.ablation.neurons) scale[L * F + n.layer * F + n.neuron] = 0; // condition 1
    const targets = ids.map((_, i) => ((i + 1) % T === 0 ? -1 : (ids[i + 1] as number)));
    const out = await s.run({
      input_ids: int64(ids, [B, T]),
      targets: int64(targets, [B, T]),
      scale: float32(scale, [2, L, F]),
      shift: float32(new Float32Array(L * F), [1, L, F]),
    });

    const logits = asFloat32(out['logits'], 'logits');
    const nll = asFloat32(out['nll'], 'nll');
    /** our nll [N, T] has a 0 at each sequence's last position; the golden [B, T-1] has none */
    const nllOf = (c: number): number[] =>
      Array.from({ length: B }, (_, b) => Array.from(rows(nll, c * B + b, c * B + b + 1, T).subarray(0, T - 1))).flat();

    const errors: Record<string, number> = {
      logits: maxAbsDiff(rows(logits, 0, B * T, V), g.logits.data),
      nll: maxAbsDiff(nllOf(0), g.nll.data),
      'ablation.logits': maxAbsDiff(rows(logits, B * T, 2 * B * T, V), g.ablation.logits.data),
      'ablation.nll': maxAbsDiff(nllOf(1), g.ablation.nll.data),
    };
    for (const [layer, want] of Object.entries(g.activations)) {
      errors[`activations.${layer}`] = maxAbsDiff(rows(asFloat32(out[hook.post(Number(layer))], 'post'), 0, B * T, F), want.data);
    }
    for (const [layer, want] of Object.entries(g.preactivations)) {
      errors[`preactivations.${layer}`] = maxAbsDiff(rows(asFloat32(out[hook.pre(Number(layer))], 'pre'), 0, B * T, F), want.data);
    }
    expect(Object.keys(errors)).toHaveLength(4 + Object.keys(g.activations).length + Object.keys(g.preactivations).length);
    if (process.env.GOLDEN_VERBOSE) console.log(name, JSON.stringify(errors));
    const over = Object.entries(errors).filter(([, e]) => !(e <= ATOL));
    expect(over, `max abs errors: ${JSON.stringify(errors)}`).toEqual([]);
  });
});
