// The KV-cache generation graph against the uncached one, for every golden fixture family (GPT-2,
// Llama, Gemma 2/3 with sliding windows and soft-capping, Phi-3, Qwen3, GQA, the MoE families,
// learned positions with an offset, parallel residuals, F16/BF16 weights): at every step of a greedy
// continuation, each condition's cached last_logits equal the last_logits of the whole sequence so
// far through the uncached graph under the same edit, within the golden tests' fp32 tolerance; the
// Generator's continuations equal an uncached greedy loop's.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildGraph } from '../graph/builder.js';
import { maxAbsDiff } from '../graph/test-support/specs.js';
import { testSessions } from '../graph/test-support/sessions.js';
import { loadModel } from '../load.js';
import { type LoadedModel, W } from '../spec.js';
import { Generator, type GenerationEdit } from './generate.js';
import { KvBuffers } from './kv-buffers.js';
import { type FfnSession } from './session.js';
import { asFloat32, float32, type HostTensor, int64 } from './tensors.js';

/** max |got - want| allowed, float32 (as golden.test.ts) */
const ATOL = 1e-4;
const NEW = 12; // crosses the fixtures' sliding windows (3 and 4 positions)
const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

interface Golden {
  checkpoint: string;
  input_ids: { shape: number[]; data: number[] };
  ablation: { neurons: { layer: number; neuron: number }[] };
}

const names = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(FIXTURES, d.name, 'golden.json')))
  .map((d) => d.name)
  .sort();

const session = testSessions();

function fixture(name: string): { model: LoadedModel; prompt: number[]; ablated: GenerationEdit; intact: GenerationEdit } {
  const g = JSON.parse(readFileSync(join(FIXTURES, name, 'golden.json'), 'utf8')) as Golden;
  const model = loadModel(join(FIXTURES, name, g.checkpoint));
  const { nLayers: L, dFf: F } = model.spec;
  const T = g.input_ids.shape[1] as number;
  const intact = { scale: new Float32Array(L * F).fill(1), shift: new Float32Array(L * F) };
  const ablated = { scale: new Float32Array(L * F).fill(1), shift: new Float32Array(L * F) };
  for (const n of g.ablation.neurons) ablated.scale[n.layer * F + n.neuron] = 0;
  // and a shifted neuron, so the edit changes more than a zero can
  ablated.shift[(L - 1) * F + 1] = 0.5;
  return { model, prompt: g.input_ids.data.slice(0, T), intact, ablated };
}

function editTensors(model: LoadedModel, edits: readonly GenerationEdit[]): Record<string, HostTensor> {
  const { nLayers: L, dFf: F } = model.spec;
  const cat = (pick: (e: GenerationEdit) => Float32Array): Float32Array => {
    const out = new Float32Array(edits.length * L * F);
    edits.forEach((e, c) => out.set(pick(e), c * L * F));
    return out;
  };
  return { scale: float32(cat((e) => e.scale), [edits.length, L, F]), shift: float32(cat((e) => e.shift), [edits.length, L, F]) };
}

/** The tokens up to and including the first `stop` (all of them when it never comes). */
function upTo(seq: readonly number[], stop: number): number[] {
  const at = seq.indexOf(stop);
  return at < 0 ? [...seq] : seq.slice(0, at + 1);
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}

/** last_logits of `seq` through the uncached graph under one edit (or none). */
async function uncachedLast(s: FfnSession, model: LoadedModel, seq: readonly number[], edit?: GenerationEdit): Promise<Float32Array> {
  const res = await s.run({ input_ids: int64(seq, [1, seq.length]), ...(edit ? editTensors(model, [edit]) : {}) }, ['last_logits']);
  return asFloat32(res['last_logits'], 'last_logits');
}

describe('KV-cache generation graph', () => {
  test('exists for every golden fixture', () => {
    expect(names).toEqual(expect.arrayContaining(['gpt2', 'llama', 'gemma2', 'gemma3', 'phi3', 'qwen3', 'mixtral', 'qwen2-moe']));
  });

  /**
   * Runs a prompt and NEW greedy steps through the cached graph, intact and ablated rows side by
   * side, checking each step's logits against the uncached graph. The cache's buffers start empty
   * and grow as runs append to them (KvBuffers).
   */
  async function sideBySide(name: string): Promise<void> {
    const { model, prompt, intact, ablated } = fixture(name);
    const { nKvHeads: Hkv, headDim: hd, vocabSize: V } = model.spec;
    const cached = await session(model, { logits: 'last', conditions: true, kvCache: true });
    const plain = await session(model, { logits: 'last', conditions: true });
    const edits = [intact, ablated];
    const seqs = edits.map(() => [...prompt]);
    const cache = new KvBuffers(model.spec, 2);
    let input = int64([...prompt, ...prompt], [2, prompt.length]);
    let worst = 0;
    let differ = false;
    for (let step = 0; step <= NEW; step++) {
      const res = await cached.run({ input_ids: input, ...editTensors(model, edits), ...cache.feeds() });
      const logits = asFloat32(res['last_logits'], 'last_logits');
      expect(logits.length).toBe(2 * V);
      const next: number[] = [];
      for (let r = 0; r < 2; r++) {
        const got = logits.subarray(r * V, (r + 1) * V);
        const want = await uncachedLast(plain, model, seqs[r] as number[], edits[r]);
        worst = Math.max(worst, maxAbsDiff(got, Array.from(want)));
        next.push(argmax(got));
      }
      if (maxAbsDiff(logits.subarray(0, V), Array.from(logits.subarray(V))) > 1e-3) differ = true;
      // only this run's positions leave the graph
      expect(res['new_key.0']?.dims).toEqual([2, Hkv, input.dims[1], hd]);
      cache.append(res);
      expect(cache.length).toBe(prompt.length + step);
      next.forEach((t, r) => seqs[r]!.push(t));
      input = int64(next, [2, 1]);
    }
    expect(worst).toBeLessThan(ATOL);
    // the ablated row is really ablated (so its agreement with the uncached ablated run means something)
    expect(differ).toBe(true);
  }

  test.each(names)('%s: intact and ablated rows side by side match the uncached graph at every step', { timeout: 120_000 }, sideBySide);

  test.each(['gpt2', 'llama', 'gemma2', 'mixtral'])('%s: Generator continuations equal an uncached greedy loop, with and without edits', { timeout: 120_000 }, async (name) => {
    const { model, prompt, intact, ablated } = fixture(name);
    const greedy = async (s: FfnSession, edit?: GenerationEdit): Promise<number[]> => {
      const seq = [...prompt];
      for (let i = 0; i < NEW; i++) seq.push(argmax(await uncachedLast(s, model, seq, edit)));
      return seq.slice(prompt.length);
    };
    const plain = await session(model, { logits: 'last' });
    const plainEdit = await session(model, { logits: 'last', conditions: true });
    const gen = await Generator.create(model, { threads: 1 });
    const genEdit = await Generator.create(model, { threads: 1 }, true);
    try {
      const want = await greedy(plain);
      expect(await gen.generate(prompt, NEW)).toEqual(want);
      expect(await gen.generate(prompt, 3, { stopToken: want[1] as number })).toEqual(upTo(want.slice(0, 3), want[1] as number));
      const wantIntact = await greedy(plainEdit, intact);
      const wantAblated = await greedy(plainEdit, ablated);
      expect(wantIntact).toEqual(want);
      expect(await genEdit.generateEach(prompt, NEW, [intact, ablated])).toEqual([wantIntact, wantAblated]);
      expect(await genEdit.generate(prompt, NEW, { edit: ablated })).toEqual(wantAblated);
      // each row stops at the stop token on its own; the other goes on to maxNew
      const stop = wantIntact[2] as number;
      expect(await genEdit.generateEach(prompt, NEW, [ablated, intact], stop)).toEqual([upTo(wantAblated, stop), upTo(wantIntact, stop)]);
    } finally {
      await gen.release();
      await genEdit.release();
    }
  });

  test('gpt2: single-weight edits apply at every cached step', { timeout: 120_000 }, async () => {
    const { model, prompt, intact } = fixture('gpt2');
    const { nLayers: L, dModel: D, dFf: F } = model.spec;
    // W_out[f -> d] (stored [D, F]) of neuron 3 in the last layer set to 0 for every d: its output row removed
    const wout = model.weight(W.layer(L - 1).mlpOut).data;
    const neuron = new BigInt64Array(L).fill(3n);
    const delta = new Float32Array(L * D);
    for (let d = 0; d < D; d++) delta[(L - 1) * D + d] = -(wout[d * F + 3] as number);
    const weights = { slots: 1, neuron, delta };
    const zeroed = { scale: new Float32Array(L * F).fill(1), shift: new Float32Array(L * F) };
    zeroed.scale[(L - 1) * F + 3] = 0;
    const gen = await Generator.create(model, { threads: 1 }, 'weights');
    const genEdit = await Generator.create(model, { threads: 1 }, true);
    try {
      const [viaWeights, plain] = await gen.generateEach(prompt, NEW, [{ ...intact, weights }, intact]);
      // removing the neuron's whole output row is switching the neuron off
      expect(viaWeights).toEqual(await genEdit.generate(prompt, NEW, { edit: zeroed }));
      expect(plain).toEqual(await genEdit.generate(prompt, NEW, { edit: intact }));
    } finally {
      await gen.release();
      await genEdit.release();
    }
  });

  test.each(['gpt2', 'qwen2-moe'])("%s: the prompt's run with the loss head gives the uncached graph's per-token loss, then continues as generateEach", { timeout: 120_000 }, async (name) => {
    const { model, prompt, intact, ablated } = fixture(name);
    const T = prompt.length;
    const plain = await session(model, { logits: 'last', conditions: true, nll: true });
    const want = await plain.run({ input_ids: int64(prompt, [1, T]), targets: int64(prompt.map((_, t) => (t + 1 < T ? (prompt[t + 1] as number) : -1)), [1, T]), ...editTensors(model, [intact, ablated]) });
    const gen = await Generator.create(model, { threads: 1 }, true, { nll: true });
    try {
      const { results, state } = await gen.prefill(prompt, [intact, ablated]);
      expect(maxAbsDiff(asFloat32(results['nll'], 'nll'), Array.from(asFloat32(want['nll'], 'nll')))).toBeLessThan(ATOL);
      expect(maxAbsDiff(asFloat32(results['last_logits'], 'last_logits'), Array.from(asFloat32(want['last_logits'], 'last_logits')))).toBeLessThan(ATOL);
      expect(await gen.continue(state, NEW)).toEqual(await gen.generateEach(prompt, NEW, [intact, ablated]));
    } finally {
      await gen.release();
    }
  });

  test('refuses heads the cached graph does not give, and a run past the positions', async () => {
    const { model, prompt } = fixture('gpt2');
    expect(() => buildGraph(model, { logits: 'all', kvCache: true })).toThrow("kvCache is for generation; set logits: 'last'");
    expect(() => buildGraph(model, { logits: 'last', kvCache: true, kl: true, conditions: true, taps: [0] })).toThrow('kvCache graphs give last_logits (and nll) only; drop kl, taps');
    const s = await session(model, { logits: 'last', kvCache: true });
    const { nLayers: L, nKvHeads: Hkv, headDim: hd, maxPositions } = model.spec;
    const feeds: Record<string, HostTensor> = { input_ids: int64(prompt, [1, prompt.length]), past_length: int64([maxPositions], [1]) };
    for (let i = 0; i < L; i++) {
      for (const kind of ['key', 'value']) feeds[`past_${kind}.${i}`] = float32(new Float32Array(hd * Hkv * maxPositions), [1, Hkv, maxPositions, hd]);
    }
    await expect(s.run(feeds)).rejects.toThrow(`sequences of ${maxPositions + prompt.length} tokens exceed the graph's limit of ${maxPositions} positions`);
    // a past longer than its buffers
    await expect(s.run({ ...feeds, past_length: int64([maxPositions + 1], [1]) })).rejects.toThrow(`past_length ${maxPositions + 1} is more than the KV cache's buffers hold (${maxPositions})`);
  });
});
