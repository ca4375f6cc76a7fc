// Greedy generation through a last_logits graph. There is no KV cache: every step runs the whole
// prefix again (O(T^2) attention per step), which is fine for the prompt playground's short
// continuations and keeps one graph for everything; a cached decoder would be a second graph.

import { type LoadedModel } from '../spec.js';
import { FfnSession, type SessionOptions } from './session.js';
import { asFloat32, int64 } from './tensors.js';

export interface GenerateOptions {
  /** stop after emitting this token (it is included in the result) */
  stopToken?: number;
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}

export class Generator {
  private constructor(private readonly session: FfnSession) {}

  static async create(model: LoadedModel, options?: SessionOptions): Promise<Generator> {
    return new Generator(await FfnSession.create(model, { logits: 'last' }, options));
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
    const limit = this.session.spec.maxPositions;
    while (out.length < maxNew && seq.length < limit) {
      const res = await this.session.run({ input_ids: int64(seq, [1, seq.length]) }, ['last_logits']);
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
