// Greedy generation with a KV cache (graph/builder.ts kvCache): one run over the prompt (the
// prefill) returns every layer's keys and values, then each new token is one run of a single
// position that attends to the cached ones. Several conditions (the intact model and an ablated
// one) continue side by side as rows of the same runs, each under its own edit at every step.

import { type LoadedModel, type ModelSpec } from '../spec.js';
import { availableMemory, weightForms } from './memory.js';
import { FfnSession, type Results, type SessionOptions, sessionMemory } from './session.js';
import { KvBuffers } from './kv-buffers.js';
import { asFloat32, float32, type HostTensor, int64 } from './tensors.js';

/** A neuron edit [L * F] each (graph/builder.ts), with optional single-weight edits. */
export interface GenerationEdit {
  scale: Float32Array;
  shift: Float32Array;
  /** single-weight edits, neuron [L * E] and delta [L * E * D] (graph/builder.ts); needs a generator made with edits 'weights' */
  weights?: { slots: number; neuron: BigInt64Array; delta: Float32Array };
}

export interface GenerateOptions {
  /** stop after emitting this token (it is included in the result) */
  stopToken?: number;
  /** needs a generator made with `edits` */
  edit?: GenerationEdit;
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}

/** The edits of every row stacked along the condition axis, weight edits padded to the most slots (delta 0). */
function editFeeds(spec: ModelSpec, edits: readonly GenerationEdit[], weightEdits: boolean): Record<string, HostTensor> {
  const { nLayers: L, dFf: F, dModel: D } = spec;
  const C = edits.length;
  const scale = new Float32Array(C * L * F);
  const shift = new Float32Array(C * L * F);
  edits.forEach((e, c) => {
    if (e.scale.length !== L * F || e.shift.length !== L * F) throw new Error(`generate: an edit's scale and shift must hold ${L} x ${F} values (layers x neurons), got ${e.scale.length} and ${e.shift.length}`);
    scale.set(e.scale, c * L * F);
    shift.set(e.shift, c * L * F);
  });
  const feeds: Record<string, HostTensor> = { scale: float32(scale, [C, L, F]), shift: float32(shift, [C, L, F]) };
  if (!weightEdits) return feeds;
  const slots = Math.max(1, ...edits.map((e) => e.weights?.slots ?? 0));
  const neuron = new BigInt64Array(C * L * slots);
  const delta = new Float32Array(C * L * slots * D);
  edits.forEach((e, c) => {
    const w = e.weights;
    if (!w) return; // no weights: slots of delta 0
    for (let l = 0; l < L; l++) {
      neuron.set(w.neuron.subarray(l * w.slots, (l + 1) * w.slots), (c * L + l) * slots);
      delta.set(w.delta.subarray(l * w.slots * D, (l + 1) * w.slots * D), (c * L + l) * slots * D);
    }
  });
  feeds.wedit_neuron = int64(neuron, [C, L, slots]);
  feeds.wedit_delta = float32(delta, [C, L, slots, D]);
  return feeds;
}

/** Where a side-by-side generation stands after a run: each row's next token and the cache so far. */
export interface GenerationState {
  /** each row's greedy token from the last run, not yet fed */
  next: number[];
  /** the edit inputs fed at every step */
  edit: Record<string, HostTensor>;
  /** the keys and values so far, one row per condition (a state is continued once: continue() appends to them) */
  cache: KvBuffers;
}

export interface GeneratorGraph {
  /** neuron edits (ablation) for every generation; 'weights': single-weight edits too */
  edits?: boolean | 'weights';
  /** the prompt's run also gives the per-token loss (nll [rows, T], input targets [1, T]) */
  nll?: boolean;
}

export class Generator {
  private constructor(private readonly session: FfnSession) {}

  /**
   * With `edits`, the graph takes a neuron edit (ablation) for every generation; with 'weights',
   * single-weight edits too. F16 / BF16 weights are held as fp32 when that fits in half the
   * memory available: a run of one position is otherwise dominated by casting every weight.
   */
  static async create(model: LoadedModel, options: SessionOptions = {}, edits: GeneratorGraph['edits'] = false, extra: Omit<GeneratorGraph, 'edits'> = {}): Promise<Generator> {
    const base = { logits: 'last', kvCache: true, ...(edits ? { conditions: true } : {}), ...(edits === 'weights' ? { weightEdits: true } : {}), ...(extra.nll ? { nll: true } : {}) } as const;
    const wide = { ...base, fp32Weights: true };
    const fits = (weightForms(model).halfParams ?? 0) > 0 && sessionMemory(model, wide, options.workload).total <= availableMemory().bytes / 2;
    return new Generator(await FfnSession.create(model, fits ? wide : base, options));
  }

  /** The execution provider in use. */
  get provider(): FfnSession['provider'] {
    return this.session.provider;
  }

  /** Preferred providers that could not load, and why. */
  get failedProviders(): FfnSession['failedProviders'] {
    return this.session.failedProviders;
  }

  /** Up to maxNew greedy tokens after `ids`; stops early at stopToken or at the model's maxPositions. */
  async generate(ids: readonly number[], maxNew: number, options: GenerateOptions = {}): Promise<number[]> {
    const takesEdit = this.session.graph.conditions === true;
    if (takesEdit !== (options.edit !== undefined)) throw new Error(takesEdit ? 'generate: this generator needs an edit (scale, shift)' : 'generate: make the generator with edits to pass an edit');
    const [out] = await this.generateEach(ids, maxNew, options.edit ? [options.edit] : [], options.stopToken);
    return out as number[];
  }

  /**
   * One greedy continuation of `ids` per edit, side by side in the same runs (row c under edits[c]
   * at every step); a generator made without edits takes an empty list and gives one continuation.
   * Each row stops at stopToken (included) on its own; all stop at maxNew or the model's maxPositions.
   */
  async generateEach(ids: readonly number[], maxNew: number, edits: readonly GenerationEdit[], stopToken?: number): Promise<number[][]> {
    if (maxNew <= 0 || ids.length >= this.session.spec.maxPositions) return Array.from({ length: Math.max(1, edits.length) }, () => []);
    const { state } = await this.prefill(ids, edits);
    return this.continue(state, maxNew, stopToken);
  }

  /**
   * The prompt's run: every row (one per edit) reads `ids` with an empty cache. Returns the run's
   * outputs (last_logits [rows, V]; with `nll`, nll [rows, T] of the prompt's next tokens, the last 0)
   * and the state continue() goes on from.
   */
  async prefill(ids: readonly number[], edits: readonly GenerationEdit[]): Promise<{ results: Results; state: GenerationState }> {
    if (ids.length === 0) throw new Error('generate: the prompt is empty');
    const { spec, graph } = this.session;
    if (ids.length >= spec.maxPositions) throw new Error(`generate: the prompt has ${ids.length} tokens; the model's context is ${spec.maxPositions}`);
    const takesEdit = graph.conditions === true;
    if (takesEdit && edits.length === 0) throw new Error('generate: this generator needs at least one edit (scale, shift)');
    if (!takesEdit && edits.length > 0) throw new Error('generate: make the generator with edits to pass an edit');
    if (edits.some((e) => e.weights) && !graph.weightEdits) throw new Error("generate: make the generator with edits 'weights' to pass weight edits");
    const N = Math.max(1, edits.length);
    const edit = takesEdit ? editFeeds(spec, edits, graph.weightEdits === true) : {};
    const T = ids.length;
    const cache = new KvBuffers(spec, N);
    const targets: Record<string, HostTensor> = graph.nll ? { targets: int64(ids.map((_, t) => (t + 1 < T ? (ids[t + 1] as number) : -1)), [1, T]) } : {};
    const results = await this.session.run({ input_ids: int64(Array.from({ length: N }, () => ids).flat(), [N, T]), ...targets, ...edit, ...cache.feeds() });
    return { results, state: this.advance(results, { next: [], edit, cache }) };
  }

  /**
   * Up to maxNew greedy tokens per row from a prefill's state: the state's next tokens first, then
   * one run of one position per token. Each row stops at stopToken (included) on its own.
   * onLogits gets each of those runs' last_logits [rows * V] (the distributions the tokens after the first are picked from).
   */
  async continue(state: GenerationState, maxNew: number, stopToken?: number, onLogits?: (logits: Float32Array) => void): Promise<number[][]> {
    const out: number[][] = Array.from({ length: state.cache.rows }, () => []);
    const done = new Array<boolean>(state.cache.rows).fill(false);
    let s = state;
    for (let step = 0; step < maxNew; step++) {
      s.next.forEach((t, r) => {
        if (done[r]) return;
        out[r]!.push(t);
        if (t === stopToken) done[r] = true;
      });
      // the next run's position, s.cache.length, must stay inside the model's positions (as without a cache)
      if (done.every(Boolean) || step + 1 === maxNew || s.cache.length + 1 >= this.session.spec.maxPositions) break;
      const targets: Record<string, HostTensor> = this.session.graph.nll ? { targets: int64([-1], [1, 1]) } : {};
      // only what a step uses: onnxruntime then skips the rest of the graph (the loss head)
      const res = await this.session.run({ input_ids: int64(s.next, [s.cache.rows, 1]), ...targets, ...s.edit, ...s.cache.feeds() }, this.stepOutputs);
      onLogits?.(asFloat32(res['last_logits'], 'last_logits'));
      s = this.advance(res, s);
    }
    return out;
  }

  /** A step's outputs: the last position's logits and every layer's new keys and values. */
  private get stepOutputs(): string[] {
    return ['last_logits', ...Array.from({ length: this.session.spec.nLayers }, (_, i) => [`new_key.${i}`, `new_value.${i}`]).flat()];
  }

  /** The state after a run: each row's argmax, the run's keys and values appended to the cache. */
  private advance(res: Results, s: GenerationState): GenerationState {
    const logits = asFloat32(res['last_logits'], 'last_logits');
    const V = logits.length / s.cache.rows;
    s.cache.append(res);
    return { ...s, next: Array.from({ length: s.cache.rows }, (_, r) => argmax(logits.subarray(r * V, (r + 1) * V))) };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
