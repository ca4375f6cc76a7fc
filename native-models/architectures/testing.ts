// Test helpers (used by *.test.ts only): the committed fixtures and their golden.json, readers
// with a changed config / a missing or misshapen tensor, and the comparisons with the goldens.
// The plain forward pass checked against them is graph/test-support/reference-forward.ts.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointReader, TensorInfo } from '../formats/checkpoint.js';
import { type ExpertAblation, referenceForward, type ReferenceResult, zeroAblation } from '../graph/test-support/reference-forward.js';
import type { LoadedModel } from '../spec.js';
import { thrown } from '../test-support/thrown.js';
import { ArchitectureError } from './common.js';

export const FIXTURES_DIR = join(import.meta.dirname, '..', 'fixtures');

export interface GoldenTensor {
  shape: number[];
  data: number[];
}

export interface Golden {
  schema: number;
  name: string;
  checkpoint: string;
  dtype: string;
  tolerance: { atol: number; rtol: number };
  expected_spec: Record<string, unknown>;
  input_ids: GoldenTensor;
  logits: GoldenTensor;
  nll: GoldenTensor;
  activations: Record<string, GoldenTensor>;
  preactivations: Record<string, GoldenTensor>;
  up?: Record<string, GoldenTensor>;
  ablation: { method: 'zero'; neurons: { layer: number; neuron: number }[]; logits: GoldenTensor; nll: GoldenTensor };
  /** mixture-of-experts fixtures (make_moe.py): per layer, router probabilities [B,T,E], chosen experts and weights [B,T,k] */
  router?: Record<string, { probs: GoldenTensor; experts: GoldenTensor; weights: GoldenTensor }>;
  /** mixture-of-experts fixtures: whole experts unrouted or zeroed */
  expert_ablation?: { experts: { layer: number; expert: number }[]; mode: 'unrouted' | 'zeroed'; logits: GoldenTensor; nll: GoldenTensor }[];
}

/** Fixture directory names (each holds a golden.json). */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(FIXTURES_DIR, d.name, 'golden.json')))
    .map((d) => d.name)
    .sort();
}

export function readGolden(name: string): Golden {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, name, 'golden.json'), 'utf8')) as Golden;
}

/** What to pass to loadModel/openCheckpoint for a fixture. */
export function fixturePath(name: string): string {
  return join(FIXTURES_DIR, name, readGolden(name).checkpoint);
}

export interface Mutation {
  /** fields to set (undefined: delete the field) */
  config?: Record<string, unknown>;
  dropTensor?: string;
  reshape?: { tensor: string; shape: number[] };
}

/** A reader that differs from `reader` as `m` says; reads still come from the file. */
export function mutated(reader: CheckpointReader, m: Mutation): CheckpointReader {
  let config = reader.config;
  if (m.config) {
    const c: Record<string, unknown> = { ...(reader.config ?? {}) };
    for (const [k, v] of Object.entries(m.config)) {
      if (v === undefined) delete c[k];
      else c[k] = v;
    }
    config = c;
  }
  const tensors = new Map<string, TensorInfo>(reader.tensors);
  if (m.dropTensor !== undefined) tensors.delete(m.dropTensor);
  if (m.reshape) {
    const t = tensors.get(m.reshape.tensor);
    if (t) tensors.set(m.reshape.tensor, { ...t, shape: m.reshape.shape });
  }
  return {
    format: reader.format,
    paths: reader.paths,
    config,
    tensors,
    read: (name: string) => reader.read(name),
    sha256: () => reader.sha256(),
  };
}

/** The ArchitectureError that `f` throws (any other outcome fails the test). */
export const architectureError = (f: () => unknown): ArchitectureError => thrown(ArchitectureError, f);

/** |got - want| <= atol + rtol * |want| everywhere; returns the first violation, or null. */
export function mismatch(got: ArrayLike<number>, want: GoldenTensor, tol: { atol: number; rtol: number }): string | null {
  if (got.length !== want.data.length) return `length ${got.length} vs ${want.data.length}`;
  for (let i = 0; i < got.length; i++) {
    const g = got[i] ?? NaN;
    const w = want.data[i] ?? NaN;
    if (!(Math.abs(g - w) <= tol.atol + tol.rtol * Math.abs(w))) return `element ${i}: got ${g}, want ${w}`;
  }
  return null;
}

/** nll[b, t] = -log_softmax(logits[b, t])[ids[b, t + 1]], [B, T-1]. */
export function nllOf(logits: Float64Array, ids: GoldenTensor, V: number): Float64Array {
  const [B = 0, T = 0] = ids.shape;
  const out = new Float64Array(B * (T - 1));
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T - 1; t++) {
      const row = logits.subarray((b * T + t) * V, (b * T + t + 1) * V);
      const mx = Math.max(...row);
      let z = 0;
      for (const v of row) z += Math.exp(v - mx);
      out[b * (T - 1) + t] = mx + Math.log(z) - (row[ids.data[b * T + t + 1] ?? 0] ?? 0);
    }
  }
  return out;
}

/** The reference forward over a golden's [B, T] ids, zeroing `ablate` (and taking out `experts`) when given. */
export function goldenForward(m: LoadedModel, ids: GoldenTensor, ablate?: { layer: number; neuron: number }[], experts?: ExpertAblation): ReferenceResult {
  const [B = 0, T = 0] = ids.shape;
  return referenceForward(m, ids.data, B, T, ablate && zeroAblation(m.spec, ablate), experts);
}

/**
 * Where the model's reference forward differs from its golden: logits, NLL, the golden's layers'
 * activations, layer 0's pre-activations, and the zero ablation's logits and NLL, which must also
 * differ visibly from the intact logits. Empty when everything matches.
 */
export function goldenMismatches(m: LoadedModel, g: Golden): string[] {
  const out: string[] = [];
  const note = (what: string, m: string | null) => m !== null && out.push(`${what}: ${m}`);
  const V = m.spec.vocabSize;
  const run = goldenForward(m, g.input_ids);
  note('logits', mismatch(run.logits, g.logits, g.tolerance));
  note('nll', mismatch(nllOf(run.logits, g.input_ids, V), g.nll, g.tolerance));
  for (const [layer, want] of Object.entries(g.activations)) note(`activations of layer ${layer}`, mismatch(run.post[Number(layer)] ?? [], want, g.tolerance));
  note('pre-activations of layer 0', mismatch(run.pre[0] ?? [], g.preactivations['0'] ?? { shape: [], data: [] }, g.tolerance));
  const ablated = goldenForward(m, g.input_ids, g.ablation.neurons);
  note('ablated logits', mismatch(ablated.logits, g.ablation.logits, g.tolerance));
  note('ablated nll', mismatch(nllOf(ablated.logits, g.input_ids, V), g.ablation.nll, g.tolerance));
  // the ablation is visible: it changes the logits well beyond the tolerance
  if (mismatch(ablated.logits, g.logits, { atol: 1e-2, rtol: 0 }) === null) out.push('the ablation did not change the logits');
  // mixture of experts: the routing of every layer, and whole-expert ablations
  for (const [layer, want] of Object.entries(g.router ?? {})) {
    const got = run.router?.[Number(layer)];
    note(`router probabilities of layer ${layer}`, mismatch(got?.probs ?? [], want.probs, g.tolerance));
    note(`chosen experts of layer ${layer}`, mismatch(got?.experts ?? [], want.experts, { atol: 0, rtol: 0 }));
    note(`routing weights of layer ${layer}`, mismatch(got?.weights ?? [], want.weights, g.tolerance));
  }
  for (const e of g.expert_ablation ?? []) {
    const what = `experts ${e.mode} (${e.experts.map((x) => `${x.layer}/${x.expert}`).join(', ')})`;
    const r = goldenForward(m, g.input_ids, undefined, { mode: e.mode, experts: e.experts });
    note(`${what} logits`, mismatch(r.logits, e.logits, g.tolerance));
    note(`${what} nll`, mismatch(nllOf(r.logits, g.input_ids, V), e.nll, g.tolerance));
  }
  return out;
}
