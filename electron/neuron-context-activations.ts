// A neuron's whole top activating contexts shaded by activation, in the playground's worker
// process (onnxruntime blocks): the capture stored only the peak token's value and position, so
// each context's window is cut again exactly as the capture cut it (same tokenization, sequence
// length and stride) and run through a graph that taps the layer's neurons at every token.
import type { Db } from '../db/database.js';
import { getDataset } from '../db/datasets.js';
import { getModel } from '../db/models.js';
import { hook } from '../native-models/graph/builder.js';
import { loadModel } from '../native-models/load.js';
import { FfnSession } from '../native-models/runtime/session.js';
import { asFloat32, int64 } from '../native-models/runtime/tensors.js';
import type { ModelSpec } from '../native-models/spec.js';
import { loadTokenizer } from '../native-models/tokenizers/tokenizer.js';
import type { ContextActivations, ContextActivationsRequest } from './api.js';
import { ApiError } from './errors.js';
import { graphCacheDir } from './inference.js';
import { planWindows, type Window } from './jobs/capture/windows.js';
import { firingTopExamples } from './neurons.js';

/** The window of a capture that counted the token at `position` of a document of `length` tokens. */
export function windowOfPosition(length: number, seqLen: number, stride: number, position: number): Window {
  const w = planWindows([length], seqLen, stride).windows.find((x) => position >= x.start + x.skip && position < x.start + x.skip + x.counted);
  if (!w) throw new ApiError('conflict', `position ${position} is beyond the document's ${length} tokens: the corpus or tokenizer changed since the capture`);
  return w;
}

interface Warm {
  key: string;
  session: FfnSession;
}
let warm: Warm | undefined;

async function sessionFor(key: string, create: () => Promise<FfnSession>): Promise<FfnSession> {
  if (warm?.key === key) return warm.session;
  await releaseContextSession();
  warm = { key, session: await create() };
  return warm.session;
}

export async function releaseContextSession(): Promise<void> {
  const w = warm;
  warm = undefined;
  if (w) await w.session.release();
}

export async function contextActivations(db: Db, dataDir: string, req: ContextActivationsRequest): Promise<ContextActivations> {
  const d = getDataset(db, req.datasetId);
  if (!d || d.status !== 'ready') throw new ApiError('not-found', `dataset ${req.datasetId} does not exist; make one with ffn-lab capture`);
  const record = getModel(db, d.modelId)!;
  const spec = record.spec as ModelSpec;
  if (req.layer >= spec.nLayers) throw new ApiError('bad-request', `layer ${req.layer} is not in 0..${spec.nLayers - 1}`);
  if (req.neuron >= spec.dFf) throw new ApiError('bad-request', `neuron ${req.neuron} is not in 0..${spec.dFf - 1}`);
  let model;
  try {
    model = loadModel(record.path);
  } catch (e) {
    throw new ApiError('conflict', `model "${record.name}" cannot be loaded to re-run the contexts (${(e as Error).message}); import its files again if they moved`);
  }
  if (model.source.sha256 !== record.sha256) throw new ApiError('conflict', `the files of model "${record.name}" at ${record.path} changed since import (sha256 differs); import them again`);
  const tokenizer = loadTokenizer(record.path, record.tokenizerPath);
  if (!tokenizer) throw new ApiError('bad-request', `model "${record.name}" has no tokenizer, so the contexts' documents cannot be cut into the capture's windows; attach one on the Models page`);
  const params = d.params as { seqLen: number; stride?: number; filter?: { tokensPerDocument?: number } };
  const seqLen = params.seqLen;
  const stride = params.stride ?? seqLen;
  const perDocument = params.filter?.tokensPerDocument ?? Infinity;

  const examples = firingTopExamples(db, req.datasetId, req.layer, req.neuron).slice(0, req.contexts);
  // the capture's graph had rotary tables of seqLen rows: the same here
  const session = await sessionFor(`${record.id}:${record.sha256}:${req.layer}:${seqLen}`, () =>
    FfnSession.create(model, { taps: [req.layer], maxSeqLen: seqLen }, { cacheDir: graphCacheDir(dataDir), workload: { rows: 1, seqLen } }),
  );
  const F = spec.dFf;
  const tap = hook.post(req.layer);
  const docs = new Map<number, { name: string; ids: number[] }>();
  const contexts: ContextActivations['contexts'] = [];
  // one window per run: a tap is [T, F] floats, bounded by one window whatever k is
  for (const t of examples) {
    let doc = docs.get(t.documentId);
    if (!doc) {
      const row = db.prepare('SELECT name, text FROM documents WHERE id = ?').get(t.documentId) as { name: string; text: string };
      const all = tokenizer.encode(row.text);
      doc = { name: row.name, ids: all.length > perDocument ? all.slice(0, perDocument) : all };
      docs.set(t.documentId, doc);
    }
    const w = windowOfPosition(doc.ids.length, seqLen, stride, t.position);
    const ids = doc.ids.slice(w.start, w.start + w.length);
    const out = await session.run({ input_ids: int64(ids, [1, ids.length]) }, [tap]);
    const post = asFloat32(out[tap], tap);
    contexts.push({
      rank: t.rank,
      value: t.value,
      document: doc.name,
      position: t.position,
      windowStart: w.start,
      peak: t.position - w.start,
      tokens: ids.map((id) => tokenizer.decode([id], { skipSpecial: false })),
      activations: ids.map((_, i) => post[i * F + req.neuron] as number),
    });
  }
  let max = 0;
  for (const c of contexts) for (const a of c.activations) max = Math.max(max, Math.abs(a));
  return { contexts, max, seqLen, stride };
}
