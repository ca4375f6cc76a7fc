// The logit lens of a prompt's residual stream (analysis/residual-lens.ts): one run of the prompt
// reads the residual stream after every layer (the graph's resid_post taps); the model's final
// norm and unembedding are applied to each layer's vector at each position here, in float64.
import { hook } from '../../native-models/graph/builder.js';
import { FfnSession } from '../../native-models/runtime/session.js';
import { asFloat32, int64 } from '../../native-models/runtime/tensors.js';
import { W, type LoadedModel } from '../../native-models/spec.js';
import { lensCell, type FinalNorm, type LensCell } from '../analysis/residual-lens.js';
import { PatchError } from './run.js';

export interface LensRun {
  ids: number[];
  target: number | null;
  /** [layer][position] */
  layers: LensCell[][];
}

export async function runResidualLens(model: LoadedModel, ids: readonly number[], o: { top: number; target?: number; cacheDir?: string }): Promise<LensRun> {
  const { nLayers: L, dModel: D, vocabSize: V, maxPositions } = model.spec;
  if (ids.length === 0) throw new PatchError('logit lens: the prompt has no tokens');
  if (ids.length > maxPositions) throw new PatchError(`logit lens: ${ids.length} tokens exceed the model's context of ${maxPositions}`);
  if (o.target !== undefined && (!Number.isInteger(o.target) || o.target < 0 || o.target >= V)) throw new PatchError(`logit lens: target token ${o.target} is outside the vocabulary 0..${V - 1}`);
  const names = model.weightNames();
  const norm: FinalNorm = {
    kind: model.spec.norm,
    eps: model.spec.normEps,
    weight: model.weight(W.finalNormWeight).data,
    ...(model.spec.norm === 'layernorm' && names.includes(W.finalNormBias) ? { bias: model.weight(W.finalNormBias).data } : {}),
  };
  const unembedding = model.weight(names.includes(W.lmHead) ? W.lmHead : W.tokenEmbedding);
  const T = ids.length;
  const session = await FfnSession.create(model, { taps: Array.from({ length: L }, (_, l) => l) }, { ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}), workload: { rows: 1, seqLen: T } });
  try {
    const out = await session.run({ input_ids: int64(ids, [1, T]) }, Array.from({ length: L }, (_, l) => hook.residPost(l)));
    const layers = Array.from({ length: L }, (_, l) => {
      const resid = asFloat32(out[hook.residPost(l)], hook.residPost(l));
      return Array.from({ length: T }, (_, t) => lensCell(resid.subarray(t * D, (t + 1) * D), norm, unembedding, o.top, o.target, model.spec.finalSoftcap));
    });
    return { ids: [...ids], target: o.target ?? null, layers };
  } finally {
    await session.release();
  }
}
