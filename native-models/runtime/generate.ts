// Greedy generation through a last_logits graph. There is no KV cache: every step runs the whole
// prefix again (O(T^2) attention per step), which is fine for the prompt playground's short
// continuations and keeps one graph for everything; a cached decoder would be a second graph.

import { type LoadedModel } from '../spec.js';
import { FfnSession, type SessionOptions } from './session.js';
import { asFloat32, float32, type HostTensor, int64 } from './tensors.js';

export interface GenerateOptions {
  /** stop after emitting this token (it is included in the result) */
  stopToken?: number;
  /** neuron edit [L * F] each (graph/builder.ts); needs a generator made with `edits` */
  edit?: {
    scale: Float32Array;
    shift: Float32Array;
    /** single-weight edits, neuron [L * E] and delta [L * E * D] (graph/builder.ts); needs a generator made with edits 'weights' */
    weights?: { slots: number; neuron: BigInt64Array; delta: Float32Array };
  };
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}

export class Generator {
  private constructor(private readonly session: FfnSession) {}

  /** With `edits`, the graph takes a neuron edit (ablation) for every generation; with 'weights', single-weight edits too. */
  static async create(model: LoadedModel, options?: SessionOptions, edits: boolean | 'weights' = false): Promise<Generator> {
    const graph = edits === 'weights' ? { logits: 'last', conditions: true, weightEdits: true } as const : edits ? { logits: 'last', conditions: true } as const : { logits: 'last' } as const;
    return new Generator(await FfnSession.create(model, graph, options));
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
    if (ids.length === 0) throw new Error('generate: the prompt is empty');
    const seq = [...ids];
    const out: number[] = [];
    const { maxPositions: limit, nLayers: L, dFf: F, dModel: D } = this.session.spec;
    const takesEdit = this.session.graph.conditions === true;
    if (takesEdit !== (options.edit !== undefined)) throw new Error(takesEdit ? 'generate: this generator needs an edit (scale, shift)' : 'generate: make the generator with edits to pass an edit');
    const edit: Record<string, HostTensor> = options.edit ? { scale: float32(options.edit.scale, [1, L, F]), shift: float32(options.edit.shift, [1, L, F]) } : {};
    if (options.edit?.weights && !this.session.graph.weightEdits) throw new Error("generate: make the generator with edits 'weights' to pass weight edits");
    if (this.session.graph.weightEdits) {
      // no weights: one slot with delta 0
      const w = options.edit?.weights ?? { slots: 1, neuron: new BigInt64Array(L), delta: new Float32Array(L * D) };
      edit.wedit_neuron = int64(w.neuron, [1, L, w.slots]);
      edit.wedit_delta = float32(w.delta, [1, L, w.slots, D]);
    }
    while (out.length < maxNew && seq.length < limit) {
      const res = await this.session.run({ input_ids: int64(seq, [1, seq.length]), ...edit }, ['last_logits']);
      const next = argmax(asFloat32(res['last_logits'], 'last_logits'));
      seq.push(next);
      out.push(next);
      if (next === options.stopToken) break;
    }
    return out;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
