// Logits and greedy generation for the CLI (a headless process, so onnxruntime's blocking run()
// holds up nothing). Graphs are cached in the data folder by weights hash and options.
import path from 'node:path';
import { loadModel } from '../native-models/load.js';
import { Generator } from '../native-models/runtime/generate.js';
import { FfnSession } from '../native-models/runtime/session.js';
import { asFloat32, int64 } from '../native-models/runtime/tensors.js';
import type { Provider, ProviderAttempt } from '../native-models/runtime/providers.js';
import type { LoadedModel } from '../native-models/spec.js';
import { loadTokenizer, type Tokenizer } from '../native-models/tokenizers/tokenizer.js';
import { ApiError } from './errors.js';
import { identityEdit } from './analysis/ablation-edit.js';

export function graphCacheDir(dataDir: string): string {
  return path.join(dataDir, 'graphs');
}

/** Token ids must be integers inside the vocabulary and the sequence within the context. */
export function checkIds(model: LoadedModel, ids: readonly number[]): void {
  if (ids.length === 0) throw new ApiError('bad-request', 'no token ids given; expected e.g. --ids 1,2,3');
  const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= model.spec.vocabSize);
  if (bad !== undefined) throw new ApiError('bad-request', `token id ${bad} is outside the vocabulary; expected integers 0..${model.spec.vocabSize - 1}`);
  if (ids.length > model.spec.maxPositions) {
    throw new ApiError('bad-request', `${ids.length} tokens exceed the model's context of ${model.spec.maxPositions}`);
  }
}

export interface RunPlace {
  dataDir: string;
  /** preferred execution providers; default: the platform's (native-models/runtime/providers.ts) */
  providers?: readonly Provider[];
}

/** Which provider ran, and which preferred ones could not load (to tell the user why). */
export interface ProviderReport {
  provider: Provider;
  failedProviders: readonly ProviderAttempt[];
}

export function sessionOptions(place: RunPlace) {
  return { cacheDir: graphCacheDir(place.dataDir), ...(place.providers ? { providers: place.providers } : {}) };
}

/** Logits at every position, one row of vocabSize values per input token. */
export async function logitsFor(modelPath: string, ids: readonly number[], place: RunPlace): Promise<{ logits: number[][] } & ProviderReport> {
  const model = loadModel(modelPath);
  checkIds(model, ids);
  const session = await FfnSession.create(model, { logits: 'all' }, sessionOptions(place));
  try {
    const out = await session.run({ input_ids: int64(ids, [1, ids.length]) }, ['logits']);
    const flat = asFloat32(out['logits'], 'logits');
    const V = model.spec.vocabSize;
    return {
      logits: ids.map((_, t) => Array.from(flat.subarray(t * V, (t + 1) * V))),
      provider: session.provider,
      failedProviders: session.failedProviders,
    };
  } finally {
    await session.release();
  }
}

/**
 * Greedy continuation with the KV cache; with `ablated`, the intact and the ablated continuation
 * side by side (two rows of the same runs) and `ablatedIds` too.
 */
export async function generateGreedy(
  modelPath: string,
  ids: readonly number[],
  maxNew: number,
  place: RunPlace,
  stopToken?: number,
  ablated?: { scale: Float32Array; shift: Float32Array },
): Promise<{ ids: number[]; ablatedIds?: number[] } & ProviderReport> {
  const model = loadModel(modelPath);
  checkIds(model, ids);
  const generator = await Generator.create(model, sessionOptions(place), ablated !== undefined);
  try {
    const shape = { layers: model.spec.nLayers, neurons: model.spec.dFf };
    const [out, abl] = await generator.generateEach(ids, maxNew, ablated ? [identityEdit(shape), ablated] : [], stopToken);
    return { ids: out ?? [], ...(abl ? { ablatedIds: abl } : {}), provider: generator.provider, failedProviders: generator.failedProviders };
  } finally {
    await generator.release();
  }
}

/** The model's tokenizer, or an error saying where one was looked for. */
export function tokenizerFor(modelPath: string, attached?: string | null): Tokenizer {
  const tokenizer = loadTokenizer(modelPath, attached);
  if (!tokenizer) {
    throw new ApiError(
      'bad-request',
      `no tokenizer found for ${modelPath}: expected tokenizer.json in the model folder, or tokenizer.bin beside a llama2.c .bin; attach one (ffn-lab tokenizer attach --model M PATH) or give token ids instead (--prompt-ids)`,
    );
  }
  return tokenizer;
}
