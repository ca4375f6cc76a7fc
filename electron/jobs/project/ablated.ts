// The ablated hidden states of a projection: every sampled token's capture window runs again
// through the graph with two conditions, 0 intact and 1 with the chosen neurons replaced (zero,
// or their mean over the dataset), and the hidden head returns condition 1's states at the sampled
// positions. The window is the one that counted the token in the capture (same start, so the same
// positions and context), and the states are rounded to float16 as the stored samples are, so an
// empty neuron set gives back the stored states up to the batch's float rounding.
import { getDataset, loadMeans, type DatasetRecord } from '../../../db/datasets.js';
import type { Db } from '../../../db/database.js';
import type { ModelRecord } from '../../../db/models.js';
import { fromHalf, toHalf } from '../../../common/half.js';
import { readSamples } from '../../../db/samples.js';
import { FfnSession } from '../../../native-models/runtime/session.js';
import { asFloat32, float32, int64 } from '../../../native-models/runtime/tensors.js';
import type { ModelSpec } from '../../../native-models/spec.js';
import type { NeuronRef } from '../../api.js';
import { graphCacheDir } from '../../inference.js';
import { JobInputError } from '../definition.js';
import { openJobModel } from '../job-model.js';
import { ablationEdit, identityEdit, stackEdits, type NeuronEdit } from '../../analysis/ablation-edit.js';
import { planWindows } from '../capture/windows.js';

export interface AblationRequest {
  db: Db;
  dataDir: string;
  model: ModelRecord;
  dataset: DatasetRecord;
  /** samples, in coordinate order */
  ids: readonly number[];
  layers: readonly number[];
  space: 'residual' | 'ffn';
  neurons: readonly NeuronRef[];
  method: 'zero' | 'mean';
  /** fraction of the windows done */
  progress(fraction: number): void;
}

/**
 * Condition 0 intact, condition 1 with `neurons` replaced (zero, or `means` [L * F]): scale and
 * shift [2, L, F]. Neurons outside the model are the user's input here, so they get a message.
 */
export function projectionEdit(spec: ModelSpec, neurons: readonly NeuronRef[], method: 'zero' | 'mean', means?: Float32Array): NeuronEdit {
  const shape = { layers: spec.nLayers, neurons: spec.dFf };
  const outside = neurons.find((n) => n.layer >= shape.layers || n.neuron >= shape.neurons);
  if (outside) throw new JobInputError(`neuron ${outside.layer}:${outside.neuron} is outside the model (${shape.layers} layers of ${shape.neurons} neurons)`);
  return stackEdits([identityEdit(shape), ablationEdit(shape, neurons, method, means)]);
}

/** The window of a capture (seqLen, stride) that counted `position` of a document of `length` tokens. */
export function countingWindow(length: number, seqLen: number, stride: number, position: number): { start: number; length: number } {
  const w = planWindows([length], seqLen, stride).windows.find((x) => position >= x.start + x.skip && position < x.start + x.skip + x.counted);
  if (!w) throw new Error(`position ${position} is not in a document of ${length} tokens`);
  return { start: w.start, length: w.length };
}

/** Per layer, the ablated states of the samples: [ids.length * width] in the order of `ids`. */
export async function ablatedStates(r: AblationRequest): Promise<Map<number, Float32Array>> {
  const spec = r.model.spec as ModelSpec;
  const { nLayers: L, dFf: F, dModel: D } = spec;
  const width = r.space === 'ffn' ? F : D;
  const { model, tokenizer } = openJobModel(r.db, r.model.id, 'the ablated projection');
  const cp = (getDataset(r.db, r.dataset.id)?.params ?? {}) as { seqLen?: number; stride?: number; batch?: number };
  const seqLen = cp.seqLen ?? Math.min(256, spec.maxPositions);
  const stride = cp.stride ?? seqLen;
  const batchSize = cp.batch ?? 4;

  const edit = projectionEdit(spec, r.neurons, r.method, r.method === 'mean' ? loadMeans(r.db, r.dataset.id, L, F) : undefined);

  const index = new Map(r.ids.map((id, i) => [id, i]));
  const samples = readSamples(r.db, r.dataset.id, L, { blobs: false }).filter((s) => index.has(s.id));
  const docText = r.db.prepare('SELECT text FROM documents WHERE id = ?');
  const tokens = new Map<number, number[]>();
  // windows keyed by document and start, each with the samples it holds
  const windows = new Map<string, { doc: number; start: number; length: number; samples: Array<{ at: number; offset: number }> }>();
  for (const s of samples) {
    let ids = tokens.get(s.documentId);
    if (!ids) {
      const row = docText.get(s.documentId) as { text: string } | undefined;
      if (!row) throw new JobInputError(`document ${s.documentId} of sample ${s.id} is gone (its corpus was deleted?)`);
      ids = tokenizer.encode(row.text);
      tokens.set(s.documentId, ids);
    }
    const w = countingWindow(ids.length, seqLen, stride, s.position);
    const key = `${s.documentId}:${w.start}`;
    const entry = windows.get(key) ?? { doc: s.documentId, start: w.start, length: w.length, samples: [] };
    entry.samples.push({ at: index.get(s.id) as number, offset: s.position - w.start });
    windows.set(key, entry);
  }
  const out = new Map(r.layers.map((l) => [l, new Float32Array(r.ids.length * width)]));
  const all = [...windows.values()];
  const session = await FfnSession.create(model, { conditions: true, hidden: true }, { cacheDir: graphCacheDir(r.dataDir) });
  try {
    const scale = float32(edit.scale, [2, L, F]);
    const shift = float32(edit.shift, [2, L, F]);
    for (let b = 0; b < all.length; b += batchSize) {
      const batch = all.slice(b, b + batchSize);
      const B = batch.length;
      const T = Math.max(...batch.map((w) => w.length));
      const input = new Int32Array(B * T);
      batch.forEach((w, row) => input.set((tokens.get(w.doc) as number[]).slice(w.start, w.start + w.length), row * T));
      // condition 1's rows are B..2B-1
      const picks = batch.flatMap((w, row) => w.samples.map((s) => ({ at: s.at, flat: (B + row) * T + s.offset })));
      const res = await session.run({ input_ids: int64(input, [B, T]), scale, shift, positions: int64(picks.map((p) => p.flat), [picks.length]) });
      const hidden = r.space === 'ffn' ? asFloat32(res.hidden_post, 'hidden_post') : asFloat32(res.hidden_resid, 'hidden_resid');
      const P = picks.length;
      for (const [layer, dest] of out) {
        picks.forEach((p, i) => {
          const src = (layer * P + i) * width;
          for (let j = 0; j < width; j++) dest[p.at * width + j] = fromHalf(toHalf(hidden[src + j] as number));
        });
      }
      r.progress(Math.min(1, (b + B) / all.length));
    }
  } finally {
    await session.release();
  }
  return out;
}
