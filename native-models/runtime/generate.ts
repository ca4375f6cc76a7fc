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
  edit?: { scale: Float32Array; shift: Float32Array };
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}

export class Generator {
  private constructor(private readonly session: FfnSession) {}

  /** With `edits`, the graph takes a neuron edit (ablation) for every generation. */
  static async create(model: LoadedModel, options?: SessionOptions, edits = false): Promise<Generator> {
    return new Generator(await FfnSession.create(model, edits ? { logits: 'last', conditions: true } : { logits: 'last' }, options));
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
    const { maxPositions: limit, nLayers: L, dFf: F } = this.session.spec;
    const takesEdit = this.session.graph.conditions === true;
    if (takesEdit !== (options.edit !== undefined)) throw new Error(takesEdit ? 'generate: this generator needs an edit (scale, shift)' : 'generate: make the generator with edits to pass an edit');
    const edit: Record<string, HostTensor> = options.edit ? { scale: float32(options.edit.scale, [1, L, F]), shift: float32(options.edit.shift, [1, L, F]) } : {};
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
