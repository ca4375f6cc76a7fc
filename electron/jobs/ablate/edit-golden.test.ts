// The app's ablation path (a neuron list -> ablationEdit -> the condition axis) against the
// independent PyTorch reference: zeroing a neuron after its nonlinearity, which is the same as
// zeroing its column of the FFN output matrix (native-models/fixtures/make_fixtures.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { maxAbsDiff } from '../../../native-models/graph/test-support/specs.js';
import { loadModel } from '../../../native-models/load.js';
import { FfnSession } from '../../../native-models/runtime/session.js';
import { asFloat32, float32, int64 } from '../../../native-models/runtime/tensors.js';
import { ablationEdit, identityEdit, stackEdits } from '../../analysis/ablation-edit.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'native-models', 'fixtures');

interface Golden {
  checkpoint: string;
  tolerance: { nll?: number };
  input_ids: { shape: number[]; data: number[] };
  ablation: { neurons: { layer: number; neuron: number }[]; nll: { data: number[] } };
}

describe('zero ablation against the reference', () => {
  test.each(['gpt2', 'llama', 'neox'])('%s: the ablated NLL equals the reference with those neurons zeroed', async (name) => {
    const g = JSON.parse(readFileSync(join(FIXTURES, name, 'golden.json'), 'utf8')) as Golden;
    const model = loadModel(join(FIXTURES, name, g.checkpoint));
    const shape = { layers: model.spec.nLayers, neurons: model.spec.dFf };
    const [B, T] = g.input_ids.shape as [number, number];
    const ids = g.input_ids.data;
    const targets = ids.map((_, i) => ((i + 1) % T === 0 ? -1 : (ids[i + 1] as number)));
    const edit = stackEdits([identityEdit(shape), ablationEdit(shape, g.ablation.neurons, 'zero')]);
    const s = await FfnSession.create(model, { conditions: true, nll: true }, { threads: 1 });
    try {
      const out = await s.run({
        input_ids: int64(ids, [B, T]),
        targets: int64(targets, [B, T]),
        scale: float32(edit.scale, [2, shape.layers, shape.neurons]),
        shift: float32(edit.shift, [2, shape.layers, shape.neurons]),
      });
      const nll = asFloat32(out.nll, 'nll').subarray(B * T);
      // the reference scores T-1 positions per row; the graph's last position of each row is 0
      const scored = Array.from(nll).filter((_, i) => (i + 1) % T !== 0);
      expect(maxAbsDiff(Float32Array.from(scored), g.ablation.nll.data)).toBeLessThan(1e-3);
    } finally {
      await s.release();
    }
  });
});
