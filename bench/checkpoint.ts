// A GPT-2-small-shaped random checkpoint as a real Hugging Face folder (config.json +
// model.safetensors, F32), written once into the bench cache and reused. Written from Node so the
// bench needs no PyTorch for it. Weights: normal * 0.02 (wpe * 0.01), layer norms 1 / 0, biases 0,
// from a seeded generator, so every machine benchmarks the same model.

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface Gpt2Shape {
  nLayer: number;
  nEmbd: number;
  nHead: number;
  nInner: number;
  vocab: number;
  nPositions: number;
}

/** GPT-2 small (124M parameters). */
export const GPT2_SMALL: Gpt2Shape = { nLayer: 12, nEmbd: 768, nHead: 12, nInner: 3072, vocab: 50257, nPositions: 1024 };

type Init = { kind: 'normal'; std: number } | { kind: 'const'; value: number };

interface TensorPlan {
  name: string;
  shape: number[];
  init: Init;
}

/** The tensors of GPT2Model as openai-community/gpt2 names them (no "transformer." prefix). */
function plan(s: Gpt2Shape): TensorPlan[] {
  const D = s.nEmbd;
  const F = s.nInner;
  const n = (std: number): Init => ({ kind: 'normal', std });
  const k = (value: number): Init => ({ kind: 'const', value });
  const t: TensorPlan[] = [
    { name: 'wte.weight', shape: [s.vocab, D], init: n(0.02) },
    { name: 'wpe.weight', shape: [s.nPositions, D], init: n(0.01) },
  ];
  for (let i = 0; i < s.nLayer; i++) {
    const p = `h.${i}.`;
    t.push(
      { name: `${p}ln_1.weight`, shape: [D], init: k(1) },
      { name: `${p}ln_1.bias`, shape: [D], init: k(0) },
      { name: `${p}attn.c_attn.weight`, shape: [D, 3 * D], init: n(0.02) },
      { name: `${p}attn.c_attn.bias`, shape: [3 * D], init: k(0) },
      { name: `${p}attn.c_proj.weight`, shape: [D, D], init: n(0.02) },
      { name: `${p}attn.c_proj.bias`, shape: [D], init: k(0) },
      { name: `${p}ln_2.weight`, shape: [D], init: k(1) },
      { name: `${p}ln_2.bias`, shape: [D], init: k(0) },
      { name: `${p}mlp.c_fc.weight`, shape: [D, F], init: n(0.02) },
      { name: `${p}mlp.c_fc.bias`, shape: [F], init: k(0) },
      { name: `${p}mlp.c_proj.weight`, shape: [F, D], init: n(0.02) },
      { name: `${p}mlp.c_proj.bias`, shape: [D], init: k(0) },
    );
  }
  t.push({ name: 'ln_f.weight', shape: [D], init: k(1) }, { name: 'ln_f.bias', shape: [D], init: k(0) });
  return t;
}

function config(s: Gpt2Shape): Record<string, unknown> {
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    activation_function: 'gelu_new',
    n_embd: s.nEmbd,
    n_layer: s.nLayer,
    n_head: s.nHead,
    n_positions: s.nPositions,
    n_ctx: s.nPositions,
    n_inner: s.nInner,
    vocab_size: s.vocab,
    layer_norm_epsilon: 1e-5,
    tie_word_embeddings: true,
    scale_attn_weights: true,
    bos_token_id: 50256,
    eos_token_id: 50256,
    torch_dtype: 'float32',
    ffn_lab_bench: 'random weights, normal * 0.02, seed 1 (bench/checkpoint.ts)',
  };
}

/** Seeded normal samples: mulberry32 uniforms + Box-Muller. */
class Normal {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  private u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  next(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const u = (this.u32() + 1) / 4294967297; // (0, 1)
    const v = this.u32() / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

function expectedSize(tensors: TensorPlan[], headerBytes: number): number {
  return 8 + headerBytes + tensors.reduce((a, t) => a + 4 * t.shape.reduce((x, y) => x * y, 1), 0);
}

function header(tensors: TensorPlan[]): Uint8Array {
  const h: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const t of tensors) {
    const bytes = 4 * t.shape.reduce((x, y) => x * y, 1);
    h[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(h);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  return new TextEncoder().encode(json);
}

export interface CheckpointInfo {
  dir: string;
  bytes: number;
  /** seconds spent writing it; 0 when reused */
  writeSeconds: number;
  reused: boolean;
}

/**
 * The checkpoint folder `dir`, written when absent or incomplete. The weights file is written under a
 * temporary name and renamed into place, after config.json, so a present model.safetensors is whole.
 */
export function ensureCheckpoint(dir: string, shape: Gpt2Shape = GPT2_SMALL, seed = 1): CheckpointInfo {
  const tensors = plan(shape);
  const head = header(tensors);
  const size = expectedSize(tensors, head.byteLength);
  const weights = join(dir, 'model.safetensors');
  const cfgPath = join(dir, 'config.json');
  const cfgText = `${JSON.stringify(config(shape), null, 2)}\n`;
  if (existsSync(weights) && existsSync(cfgPath) && statSync(weights).size === size && readFileSync(cfgPath, 'utf8') === cfgText) {
    return { dir, bytes: size, writeSeconds: 0, reused: true };
  }
  const t0 = performance.now();
  mkdirSync(dir, { recursive: true });
  rmSync(weights, { force: true });
  const tmp = `${weights}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(head.byteLength));
    writeSync(fd, len);
    writeSync(fd, head);
    const rng = new Normal(seed);
    const chunk = new Float32Array(1 << 20);
    const chunkBytes = new Uint8Array(chunk.buffer);
    for (const t of tensors) {
      let left = t.shape.reduce((x, y) => x * y, 1);
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        const init = t.init;
        if (init.kind === 'const') chunk.fill(init.value, 0, n);
        else for (let i = 0; i < n; i++) chunk[i] = rng.next() * init.std;
        let off = 0;
        while (off < 4 * n) off += writeSync(fd, chunkBytes, off, 4 * n - off);
        left -= n;
      }
    }
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  const cfgTmp = `${cfgPath}.tmp-${process.pid}`;
  const cfd = openSync(cfgTmp, 'w');
  writeSync(cfd, cfgText);
  closeSync(cfd);
  renameSync(cfgTmp, cfgPath);
  renameSync(tmp, weights);
  return { dir, bytes: size, writeSeconds: (performance.now() - t0) / 1000, reused: false };
}
