// The app's ablation path (a neuron list -> ablationEdit -> the condition axis) against the
// independent PyTorch reference: zeroing a neuron after its nonlinearity, which is the same as
// zeroing its column of the FFN output matrix (native-models/fixtures/make_fixtures.py).
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { maxAbsDiff } from '../../../native-models/graph/test-support/specs.js';
import { loadModel } from '../../../native-models/load.js';
import { FfnSession } from '../../../native-models/runtime/session.js';
import { asFloat32, float32, int64 } from '../../../native-models/runtime/tensors.js';
import { ablationEdit, identityEdit, stackEdits } from '../../analysis/ablation-edit.js';
import { editSafetensors } from '../test-support.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'native-models', 'fixtures');

interface Golden {
  checkpoint: string;
  tolerance: { nll?: number };
  input_ids: { shape: number[]; data: number[] };
  ablation: { neurons: { layer: number; neuron: number }[]; nll: { data: number[] } };
}

async function nllOf(modelDir: string, checkpoint: string, g: Golden, edit: ReturnType<typeof stackEdits>, rows: number): Promise<Float32Array> {
  const model = loadModel(join(modelDir, checkpoint));
  const [B, T] = g.input_ids.shape as [number, number];
  const ids = g.input_ids.data;
  const targets = ids.map((_, i) => ((i + 1) % T === 0 ? -1 : (ids[i + 1] as number)));
  const s = await FfnSession.create(model, { conditions: true, nll: true }, { threads: 1 });
  try {
    const out = await s.run({
      input_ids: int64(ids, [B, T]),
      targets: int64(targets, [B, T]),
      scale: float32(edit.scale, [rows, model.spec.nLayers, model.spec.dFf]),
      shift: float32(edit.shift, [rows, model.spec.nLayers, model.spec.dFf]),
    });
    // the reference scores T-1 positions per row; the graph's last position of each row is 0
    return Float32Array.from(Array.from(asFloat32(out.nll, 'nll').subarray((rows - 1) * B * T)).filter((_, i) => (i + 1) % T !== 0));
  } finally {
    await s.release();
  }
}

describe('zero ablation against the reference', () => {
  test.each(['gpt2', 'llama', 'neox'])('%s: the ablated NLL equals the reference with those neurons zeroed', async (name) => {
    const g = JSON.parse(readFileSync(join(FIXTURES, name, 'golden.json'), 'utf8')) as Golden;
    const { spec } = loadModel(join(FIXTURES, name, g.checkpoint));
    const shape = { layers: spec.nLayers, neurons: spec.dFf };
    const nll = await nllOf(join(FIXTURES, name), g.checkpoint, g, stackEdits([identityEdit(shape), ablationEdit(shape, g.ablation.neurons, 'zero')]), 2);
    expect(maxAbsDiff(nll, g.ablation.nll.data)).toBeLessThan(1e-3);
  });

  test("gpt2: the same as the intact model with those neurons' output weights (W_out rows) zeroed in the checkpoint", async () => {
    const g = JSON.parse(readFileSync(join(FIXTURES, 'gpt2', 'golden.json'), 'utf8')) as Golden;
    const dir = mkdtempSync(join(tmpdir(), 'ffn-wout-'));
    cpSync(join(FIXTURES, 'gpt2'), dir, { recursive: true });
    // GPT-2's Conv1D c_proj.weight is [F, D]: row f is neuron f's value vector
    editSafetensors(join(dir, 'model.safetensors'), (name, shape, data) => {
      const m = /^transformer\.h\.(\d+)\.mlp\.c_proj\.weight$/.exec(name);
      if (!m) return;
      const D = shape[1] as number;
      for (const n of g.ablation.neurons) if (n.layer === Number(m[1])) data.fill(0, n.neuron * D, (n.neuron + 1) * D);
    });
    const shape = { layers: 2, neurons: 128 };
    const zeroedWeights = await nllOf(dir, g.checkpoint, g, stackEdits([identityEdit(shape)]), 1);
    const viaEdit = await nllOf(join(FIXTURES, 'gpt2'), g.checkpoint, g, stackEdits([identityEdit(shape), ablationEdit(shape, g.ablation.neurons, 'zero')]), 2);
    expect(maxAbsDiff(zeroedWeights, viaEdit)).toBeLessThan(1e-5);
    expect(maxAbsDiff(zeroedWeights, g.ablation.nll.data)).toBeLessThan(1e-3);
  });
});
