// The capture job with real workers, a real model and the Brown corpus: its statistics equal host
// reductions over the full activations of the same windows; a capture killed midway and resumed
// ends identical to an uninterrupted one; a model with NaN weights is refused.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectDocuments } from '../../../db/corpora.js';
import { loadResidTop, loadStats, loadTopExamples } from '../../../db/datasets.js';
import { readSamples } from '../../../db/samples.js';
import { hook } from '../../../native-models/graph/builder.js';
import { loadModel } from '../../../native-models/load.js';
import { FfnSession } from '../../../native-models/runtime/session.js';
import { asFloat32, int64 } from '../../../native-models/runtime/tensors.js';
import { loadTokenizer } from '../../../native-models/tokenizers/tokenizer.js';
import type { Job } from '../../api.js';
import type { Backend } from '../../backend.js';
import { fixtureWithCharTokenizer, importBrown, importModel, testBackend, until } from '../test-support.js';
import { planWindows } from './windows.js';
import { neuronSampleValues } from '../../../db/samples.js';
import { neuronDetail } from '../../neurons.js';
import { merge } from '../../analysis/neuron-stats.js';
import { mergeTopK } from '../../analysis/top-k.js';
import { fromStored, topFromRows } from './checkpoint.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'native-models', 'fixtures');
let modelDir: string;
let b: Backend;
let modelId: number;
let corpusId: number;

async function finish(params: unknown): Promise<Job> {
  const { job } = (await b.handle('capture.start', params)) as { job: Job };
  return b.jobs.waitFor(job.id);
}

beforeAll(async () => {
  // every batch committed, so a kill always finds a checkpoint to resume from
  process.env.FFN_LAB_COMMIT_INTERVAL_MS = '0';
  modelDir = fixtureWithCharTokenizer(path.join(fixtures, 'gpt2'));
  b = testBackend();
  modelId = await importModel(b, modelDir);
  corpusId = await importBrown(b);
});
afterAll(() => {
  b.close();
  delete process.env.FFN_LAB_COMMIT_INTERVAL_MS;
});

describe('capture job', () => {
  it('stores statistics equal to host reductions over the full activations of the same windows', async () => {
    const params = { modelId, corpusId, filter: { genre: 'humor', documents: 2, order: 'corpus' as const }, seqLen: 48, stride: 32, batch: 3, threshold: 0.1, maxTokens: 3000, topK: 4 };
    const job = await finish(params);
    expect(job.state).toBe('done');
    const { dataset } = job.result as { dataset: { id: number; tokens: number } };
    expect(dataset.tokens).toBe(3000);

    // The reference: every window on its own through a taps graph, counted positions reduced on the host.
    const model = loadModel(modelDir);
    const { nLayers: L, dFf: F } = model.spec;
    const tokenizer = loadTokenizer(modelDir)!;
    const docs = selectDocuments(b.db, corpusId, params.filter);
    const tokens = docs.map((d) => tokenizer.encode(d.text));
    const plan = planWindows(tokens.map((t) => t.length), params.seqLen, params.stride, params.maxTokens);
    const taps = await FfnSession.create(model, { taps: Array.from({ length: L }, (_, l) => l) }, { threads: 1 });
    const n = new Float64Array(L * F);
    const sum = new Float64Array(L * F);
    const sumsq = new Float64Array(L * F);
    const min = new Float64Array(L * F).fill(Infinity);
    const max = new Float64Array(L * F).fill(-Infinity);
    const fire = new Float64Array(L * F);
    const best: Array<Array<{ value: number; doc: number; pos: number }>> = Array.from({ length: L * F }, () => []);
    const { dModel: D } = model.spec;
    // the residual stream at every counted token: value by "layer:dim:doc:position", and each (layer, dim)'s max |value|
    const resid = new Map<string, number>();
    const residMax = new Float64Array(L * D);
    for (const w of plan.windows) {
      const ids = (tokens[w.doc] as number[]).slice(w.start, w.start + w.length);
      const out = await taps.run({ input_ids: int64(ids, [1, ids.length]) });
      for (let l = 0; l < L; l++) {
        const r = asFloat32(out[hook.residPost(l)], 'resid');
        for (let t = w.skip; t < w.skip + w.counted; t++) {
          for (let d = 0; d < D; d++) {
            const v = r[t * D + d] as number;
            resid.set(`${l}:${d}:${docs[w.doc]!.id}:${w.start + t}`, v);
            residMax[l * D + d] = Math.max(residMax[l * D + d]!, Math.abs(v));
          }
        }
        const post = asFloat32(out[hook.post(l)], 'post');
        for (let t = w.skip; t < w.skip + w.counted; t++) {
          for (let f = 0; f < F; f++) {
            const v = post[t * F + f] as number;
            const i = l * F + f;
            n[i]! += 1;
            sum[i]! += v;
            sumsq[i]! += v * v;
            min[i] = Math.min(min[i]!, v);
            max[i] = Math.max(max[i]!, v);
            if (v > params.threshold) fire[i]! += 1;
            best[i]!.push({ value: v, doc: docs[w.doc]!.id, pos: w.start + t });
          }
        }
      }
    }
    await taps.release();
    const stored = loadStats(b.db, dataset.id, L, F);
    for (let i = 0; i < L * F; i++) {
      expect(stored.count[i]).toBe(n[i]);
      expect(stored.fire[i]).toBe(fire[i]);
      expect(stored.min[i]).toBeCloseTo(min[i]!, 5);
      expect(stored.max[i]).toBeCloseTo(max[i]!, 5);
      expect(Math.abs(stored.sum[i]! - sum[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(sum[i]!)));
      expect(Math.abs(stored.sumsq[i]! - sumsq[i]!)).toBeLessThan(1e-4 * (1 + sumsq[i]!));
    }
    // top examples: the host's 4 largest values per neuron, at positions holding those values
    const top = loadTopExamples(b.db, dataset.id);
    expect(top).toHaveLength(L * F * params.topK);
    for (const t of top) {
      const want = best[t.layer * F + t.neuron]!.map((c) => c.value).sort((x, y) => y - x)[t.rank]!;
      expect(t.value).toBeCloseTo(want, 5);
    }
    // residual maxima: per (layer, dim) the 4 largest |values|, each at a counted token that holds
    // that value, with its token id; rank 0 is the host's max |value|
    const residTop = loadResidTop(b.db, dataset.id);
    expect(residTop).toHaveLength(L * D * 4);
    const byDoc = new Map(docs.map((d, i) => [d.id, tokens[i]!]));
    for (const t of residTop) {
      const host = resid.get(`${t.layer}:${t.dim}:${t.documentId}:${t.position}`);
      expect(host).toBeDefined();
      expect(t.value).toBeCloseTo(host!, 4);
      expect(t.abs).toBe(Math.abs(t.value));
      expect(t.tokenId).toBe(byDoc.get(t.documentId)![t.position]);
      if (t.rank === 0) expect(t.abs).toBeCloseTo(residMax[t.layer * D + t.dim]!, 4);
    }
  });

  it('stores a stratified sample of hidden states equal to the graph\'s within float16 precision, with part of speech', async () => {
    const params = { modelId, corpusId, filter: { genre: 'news', documents: 5, order: 'corpus' as const }, seqLen: 48, stride: 32, batch: 4, topK: 0, samples: 23, seed: 3 };
    const job = await finish(params);
    expect(job.state).toBe('done');
    const { dataset } = job.result as { dataset: { id: number } };
    const model = loadModel(modelDir);
    const { nLayers: L, dFf: F, dModel: D } = model.spec;
    const samples = readSamples(b.db, dataset.id, L);
    expect(samples).toHaveLength(23);
    const docs = selectDocuments(b.db, corpusId, params.filter);
    // every document sampled, evenly
    const perDoc = docs.map((d) => samples.filter((s) => s.documentId === d.id).length);
    expect(Math.min(...perDoc)).toBeGreaterThanOrEqual(4);
    expect(Math.max(...perDoc)).toBeLessThanOrEqual(5);
    expect(samples.every((s) => s.metadata.genre === 'news')).toBe(true);
    // Brown's part-of-speech tags: most tokens fall in a word (the rest are spaces)
    expect(samples.filter((s) => typeof s.metadata.pos === 'string').length).toBeGreaterThan(23 / 2);
    expect(samples.filter((s) => s.loss !== null && s.loss > 0).length).toBeGreaterThan(20);

    // the reference: each sample's window through a taps graph
    const tokenizer = loadTokenizer(modelDir)!;
    const tokens = docs.map((d) => tokenizer.encode(d.text));
    const plan = planWindows(tokens.map((t) => t.length), params.seqLen, params.stride);
    const taps = await FfnSession.create(model, { taps: Array.from({ length: L }, (_, l) => l), nll: true }, { threads: 1 });
    for (const s of samples) {
      const d = docs.findIndex((x) => x.id === s.documentId);
      const w = plan.windows.find((x) => x.doc === d && s.position >= x.start + x.skip && s.position < x.start + x.skip + x.counted)!;
      const ids = tokens[d]!.slice(w.start, w.start + w.length);
      expect(s.tokenId).toBe(tokens[d]![s.position]);
      expect(s.token).toBe(tokenizer.tokenText(s.tokenId));
      const targets = tokens[d]!.slice(w.start + 1, w.start + w.length + 1);
      while (targets.length < ids.length) targets.push(-1);
      const out = await taps.run({ input_ids: int64(ids, [1, ids.length]), targets: int64(targets, [1, ids.length]) });
      const t = s.position - w.start;
      const close = (got: Float32Array, want: Float32Array) => {
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(2 ** -11 * Math.abs(want[i]!) + 1e-4);
      };
      for (let l = 0; l < L; l++) {
        close(s.residual[l]!, asFloat32(out[hook.residPost(l)], 'resid').subarray(t * D, (t + 1) * D));
        close(s.ffn[l]!, asFloat32(out[hook.post(l)], 'post').subarray(t * F, (t + 1) * F));
      }
      if (s.loss !== null) expect(s.loss).toBeCloseTo(asFloat32(out.nll, 'nll')[t]!, 4);
    }
    await taps.release();
  });

  it('resumes a capture killed midway to statistics identical to an uninterrupted run', async () => {
    const params = { modelId, corpusId, filter: { documents: 20 }, seqLen: 64, batch: 2, maxTokens: 40_000, topK: 8, samples: 40, seed: 11 };
    const whole = await finish({ ...params, name: 'whole' });
    expect(whole.state).toBe('done');
    const wholeId = (whole.result as { dataset: { id: number } }).dataset.id;

    const { job } = (await b.handle('capture.start', { ...params, name: 'resumed' })) as { job: Job };
    const row = () => b.db.prepare('SELECT d.batches_done AS done, d.batches_total AS total, j.worker_pid AS pid FROM datasets d JOIN jobs j ON j.id = d.job_id WHERE d.job_id = ?').get(job.id) as
      | { done: number; total: number; pid: number | null }
      | undefined;
    const at = await until(() => {
      const r = row();
      return r && r.done >= 2 && r.pid ? r : undefined;
    });
    expect(at.done).toBeLessThan(at.total);
    process.kill(at.pid!, 'SIGKILL');
    expect((await b.jobs.waitFor(job.id)).state).toBe('interrupted');
    const before = (b.db.prepare('SELECT COUNT(*) n FROM samples s JOIN datasets d ON d.id = s.dataset_id WHERE d.job_id = ?').get(job.id) as { n: number }).n;
    expect(before).toBeLessThan(40); // killed with samples still to take
    await b.handle('jobs.resume', { id: job.id });
    const resumed = await b.jobs.waitFor(job.id);
    expect(resumed.state).toBe('done');
    const resumedId = (resumed.result as { dataset: { id: number } }).dataset.id;

    const statsOf = (id: number) => b.db.prepare('SELECT layer, neuron, count, sum, sumsq, sum_abs, sum3, sum4, min, max, fire_count FROM neuron_stats WHERE dataset_id = ? ORDER BY layer, neuron').all(id);
    const topOf = (id: number) => b.db.prepare('SELECT layer, neuron, examples FROM top_examples WHERE dataset_id = ? ORDER BY layer, neuron').all(id);
    expect(statsOf(resumedId)).toEqual(statsOf(wholeId));
    const hist = (id: number) => (b.db.prepare('SELECT active_hist FROM datasets WHERE id = ?').get(id) as { active_hist: Buffer }).active_hist;
    expect(hist(resumedId).length).toBeGreaterThan(0);
    expect(hist(resumedId).equals(hist(wholeId))).toBe(true);
    expect(topOf(resumedId)).toEqual(topOf(wholeId));
    const residOf = (id: number) => b.db.prepare('SELECT layer, dim, rank, abs, value, document_id, position, token_id FROM resid_top WHERE dataset_id = ? ORDER BY layer, dim, rank').all(id);
    expect(residOf(wholeId).length).toBeGreaterThan(0);
    expect(residOf(resumedId)).toEqual(residOf(wholeId));
    const samplesOf = (id: number) => b.db.prepare('SELECT document_id, position, token_id, token, metadata, loss, residual, ffn FROM samples WHERE dataset_id = ? ORDER BY id').all(id);
    expect(samplesOf(wholeId)).toHaveLength(40);
    expect(samplesOf(resumedId)).toEqual(samplesOf(wholeId));
    expect((resumed.result as { dataset: { tokens: number } }).dataset.tokens).toBe((whole.result as { dataset: { tokens: number } }).dataset.tokens);
  });

  it('refuses a model with NaN weights and points at the weight scan', async () => {
    const dir = fixtureWithCharTokenizer(path.join(fixtures, 'gpt2'));
    const file = path.join(dir, 'model.safetensors');
    const bytes = fs.readFileSync(file);
    const headerLen = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLen).toString()) as Record<string, { data_offsets: [number, number] }>;
    const fc = header['transformer.h.0.mlp.c_fc.weight']!;
    bytes.writeFloatLE(NaN, 8 + headerLen + fc.data_offsets[0] + 4 * 7);
    fs.writeFileSync(file, bytes);
    const m = await b.jobs.waitFor(((await b.handle('model.import', { path: dir, name: 'nan-model' })) as { job: Job }).job.id);
    const id = (m.result as { model: { id: number } }).model.id;
    const job = await finish({ modelId: id, corpusId, maxTokens: 100 });
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/has invalid weights \(transformer\.h\.0\.mlp\.c_fc\.weight\[0, 7\] = nan\)/);
    expect(job.error).toMatch(/ffn-lab scan/);
    expect(b.db.prepare('SELECT COUNT(*) n FROM datasets WHERE job_id = ?').get(job.id)).toEqual({ n: 0 });
  });

  it('says when no document matches the filter', async () => {
    const job = await finish({ modelId, corpusId, filter: { genre: 'no-such-genre' } });
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/no documents of corpus "brown" match/);
  });
});


describe('neuron activation histogram from the samples', () => {
  it('reads each sample\'s value of one neuron and bins all of them', async () => {
    const job = await finish({ modelId, corpusId, filter: { documents: 4 }, seqLen: 64, maxTokens: 2000, samples: 60 });
    expect(job.state).toBe('done');
    const id = (job.result as { dataset: { id: number } }).dataset.id;
    const { nLayers: L, dFf: F } = loadModel(modelDir).spec;
    const values = neuronSampleValues(b.db, id, 1, F, 5);
    expect(Array.from(values)).toEqual(readSamples(b.db, id, L).map((s) => s.ffn[1]![5]));
    const h = neuronDetail(b.db, id, 1, 5).histogram!;
    expect(h.samples).toBe(60);
    expect(h.counts.reduce((a, c) => a + c, 0)).toBe(60);
    expect(h.edges[0]).toBe(Math.min(...values));
    expect(h.edges.at(-1)).toBeCloseTo(Math.max(...values), 5);
  });
});

describe('mergeable captures', () => {
  it('captures of two disjoint halves of a corpus merge into the capture of the whole', async () => {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'ffn-merge-'));
    const docs = selectDocuments(b.db, corpusId, { documents: 12 }).map((d) => JSON.stringify({ text: d.text.slice(0, 1500) }));
    const write = (name: string, lines: string[]) => {
      fs.writeFileSync(path.join(dir, name), lines.join('\n'));
      return path.join(dir, name);
    };
    const importJsonl = async (file: string) =>
      ((await b.jobs.waitFor(((await b.handle('corpus.import', { source: { kind: 'path', path: file } })) as { job: Job }).job.id)).result as { corpus: { id: number } }).corpus.id;
    const [first, second, whole] = [await importJsonl(write('a.jsonl', docs.slice(0, 6))), await importJsonl(write('b.jsonl', docs.slice(6))), await importJsonl(write('all.jsonl', docs))];
    const captureOf = async (corpus: number) => {
      const job = await finish({ modelId, corpusId: corpus, seqLen: 64, batch: 4, topK: 4, threshold: 0.2 });
      expect(job.state).toBe('done');
      return (job.result as { dataset: { id: number } }).dataset.id;
    };
    const [a, c, w] = [await captureOf(first), await captureOf(second), await captureOf(whole)];
    const { nLayers: L, dFf: F } = loadModel(modelDir).spec;
    const stats = (id: number) => fromStored(loadStats(b.db, id, L, F), { fireThreshold: 0.2, fireMode: 'positive' });
    const merged = merge(stats(a), stats(c));
    const all = stats(w);
    expect(Array.from(merged.count)).toEqual(Array.from(all.count));
    expect(Array.from(merged.fire)).toEqual(Array.from(all.fire));
    expect(Array.from(merged.min)).toEqual(Array.from(all.min));
    expect(Array.from(merged.max)).toEqual(Array.from(all.max));
    for (const key of ['sum', 'sumsq'] as const) {
      merged[key].forEach((v, i) => expect(Math.abs(v - all[key][i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(all[key][i]!))));
    }
    // top examples: the same values per neuron, in order (document ids differ between the corpora)
    const mergedTop = mergeTopK(topFromRows(L, F, 4, loadTopExamples(b.db, a)), topFromRows(L, F, 4, loadTopExamples(b.db, c)));
    const wholeTop = topFromRows(L, F, 4, loadTopExamples(b.db, w));
    expect(Array.from(mergedTop.size)).toEqual(Array.from(wholeTop.size));
    expect(Array.from(mergedTop.values)).toEqual(Array.from(wholeTop.values));
  });
});
