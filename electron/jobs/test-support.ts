// Helpers for tests that run real jobs in real worker processes (the built bundle).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Job } from '../api.js';
import { Backend } from '../backend.js';
import { fileURLToPath } from 'node:url';
import { nodeWorkerSpawner } from './spawn-node.js';

/** The built worker bundle (vitest's global setup builds it); tests run from the TypeScript sources. */
const workerScriptForTests = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'electron', 'job-worker.js');

export function tempDir(prefix = 'ffn-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function testBackend(dataDir = tempDir()): Backend {
  return new Backend({ dataDir, shell: 'cli', spawnWorker: nodeWorkerSpawner(workerScriptForTests) });
}

/** Imports a model folder through the API and waits for the job: the model's id. */
export async function importModel(b: Backend, dir: string): Promise<number> {
  const job = await b.jobs.waitFor(((await b.handle('model.import', { path: dir })) as { job: Job }).job.id);
  if (job.state !== 'done') throw new Error(`importing ${dir} ended ${job.state}: ${job.error}`);
  return (job.result as { model: { id: number } }).model.id;
}

/** Imports the Brown corpus through the API and waits for the job: the corpus's id. */
export async function importBrown(b: Backend): Promise<number> {
  const job = await b.jobs.waitFor(((await b.handle('corpus.import', { source: { kind: 'brown' } })) as { job: Job }).job.id);
  if (job.state !== 'done') throw new Error(`importing the Brown corpus ended ${job.state}: ${job.error}`);
  return (job.result as { corpus: { id: number } }).corpus.id;
}

/** A JSONL corpus big enough that importing it takes a few seconds (to cancel or kill midway). */
export function writeLargeJsonl(dir: string, documents = 40_000): string {
  const file = path.join(dir, 'large.jsonl');
  const words = 'the of and to in that is was he for it with as his on be at by had are but from or have an they which one you were her all'.split(' ');
  const lines: string[] = [];
  for (let i = 0; i < documents; i++) {
    const text = Array.from({ length: 180 }, (_, j) => words[(i * 7 + j * 13) % words.length]).join(' ');
    lines.push(JSON.stringify({ text: `Document ${i}. ${text}`, topic: `t${i % 5}`, index: i }));
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

export async function until<T>(probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Writes a character-level tokenizer.json into `dir` covering a 96-token vocabulary:
 * "<|endoftext|>" = 0, then the printable ASCII characters " ".."~" = 1..95 (character code =
 * id + 31). Test models (tiny fixtures, the bench checkpoint) get a tokenizer this way.
 */
export function writeCharTokenizer(dir: string): void {
  const vocab: Record<string, number> = { '<|endoftext|>': 0 };
  for (let id = 1; id < 96; id++) vocab[String.fromCharCode(id + 31)] = id;
  fs.writeFileSync(
    path.join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      added_tokens: [{ id: 0, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
      normalizer: null,
      pre_tokenizer: null,
      post_processor: null,
      // Fuse concatenates tokens (without a decoder, tokenizers join them with spaces)
      decoder: { type: 'Fuse' },
      model: { type: 'BPE', vocab, merges: [], dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false },
    }),
  );
}

/** A copy of a fixture model folder with writeCharTokenizer's tokenizer.json. Returns the folder. */
export function fixtureWithCharTokenizer(fixtureDir: string): string {
  const dir = tempDir('ffn-tok-model-');
  fs.cpSync(fixtureDir, dir, { recursive: true });
  writeCharTokenizer(dir);
  return dir;
}

/** Rewrites the float32 tensors of a safetensors file in place (plants neurons in a test checkpoint). */
export function editSafetensors(file: string, edit: (tensor: string, shape: number[], data: Float32Array) => void): void {
  const bytes = fs.readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString()) as Record<string, { shape: number[]; data_offsets: [number, number] }>;
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const start = 8 + n + t.data_offsets[0];
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + 8 + n + t.data_offsets[1]));
    edit(name, t.shape, data);
    Buffer.from(data.buffer).copy(bytes, start);
  }
  fs.writeFileSync(file, bytes);
}

const cliScriptForTests = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'electron', 'cli.js');

/** Runs the built CLI as a user would, on the database folder `dataDir`. */
export function runCli(args: string[], dataDir: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliScriptForTests, ...args], { env: { ...process.env, FFN_LAB_DATA: dataDir }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The CLI study most CLI tests start from, on `dataDir`: the GPT-2 fixture with a character
 * tokenizer imported as "tiny" (model 1), the Brown corpus (corpus 1), and a capture of 2,000
 * tokens of 3 documents named `name` with `samples` sampled states (capture 1).
 */
export function tinyCliCapture(dataDir: string, name: string, samples: number): void {
  const model = fixtureWithCharTokenizer(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'native-models', 'fixtures', 'gpt2'));
  for (const args of [
    ['import', model, '--name', 'tiny'],
    ['corpus', 'import', 'brown'],
    ['capture', '--model', 'tiny', '--corpus', '1', '--documents', '3', '--max-tokens', '2000', '--seq-len', '48', '--top-k', '0', '--samples', String(samples), '--name', name],
  ]) {
    const r = runCli(args, dataDir);
    if (r.code !== 0) throw new Error(`ffn-lab ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  }
}

/**
 * A copy of the OPT fixture (ReLU FFNs) with a character tokenizer and neurons planted to output a
 * constant: zero input weights and the given bias, so ReLU(bias) at every token (bias < 0: a
 * neuron that can never fire).
 */
export function optWithConstantNeurons(planted: ReadonlyArray<{ layer: number; neuron: number; bias: number }>): string {
  const dir = fixtureWithCharTokenizer(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'native-models', 'fixtures', 'opt'));
  editSafetensors(path.join(dir, 'model.safetensors'), (name, shape, data) => {
    const m = /^model\.decoder\.layers\.(\d+)\.fc1\.(weight|bias)$/.exec(name);
    if (!m) return;
    const D = shape[1] ?? 1;
    for (const p of planted) {
      if (p.layer !== Number(m[1])) continue;
      if (m[2] === 'weight') data.fill(0, p.neuron * D, (p.neuron + 1) * D);
      else data[p.neuron] = p.bias;
    }
  });
  return dir;
}

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A raw HTTP request to the browser-mode server on `port`: the path goes on the wire as given (no
 * URL normalisation); Host defaults to 127.0.0.1:port; `chunks` are written one by one (chunked).
 */
export function rawRequest(port: number, o: { path: string; method?: string; headers?: Record<string, string | number>; body?: string | Buffer; chunks?: Buffer[] }): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: o.path, method: o.method ?? 'GET', headers: { Host: `127.0.0.1:${port}`, ...o.headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    if (o.chunks) {
      for (const c of o.chunks) req.write(c);
      req.end();
    } else req.end(o.body);
  });
}
