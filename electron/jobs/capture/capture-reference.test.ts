// The capture job against a reference run of the same plan, done here the way the job ran before
// it was made cheaper (every sampled batch through a graph with the full nll head, each batch
// folded before the next runs, a commit after every batch): the stored statistics, top examples
// and sample losses are bit-identical. The job now commits on its own schedule (at most ~5% of
// its time), unembeds only the sampled tokens and writes rows many per statement.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectDocuments } from '../../../db/corpora.js';
import { loadStats, loadTopExamples, type TopExample } from '../../../db/datasets.js';
import { readSamples } from '../../../db/samples.js';
import { loadModel } from '../../../native-models/load.js';
import { FfnSession } from '../../../native-models/runtime/session.js';
import { asFloat32, float32, int64 } from '../../../native-models/runtime/tensors.js';
import { loadTokenizer } from '../../../native-models/tokenizers/tokenizer.js';
import type { Job } from '../../api.js';
import type { Backend } from '../../backend.js';
import { addBatch, emptyStats, statsBatchFromOutputs } from '../../analysis/neuron-stats.js';
import { addTopKBatch, emptyTopK, type TopK, topKBatchFromOutputs } from '../../analysis/top-k.js';
import { RESID_TOP_K } from '../../analysis/resid-top.js';
import { fixtureWithCharTokenizer, importBrown, importModel, testBackend } from '../test-support.js';
import { toStored } from './checkpoint.js';
import { planSamples } from './samples.js';
import { planWindows, type Window } from './windows.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'native-models', 'fixtures');
let modelDir: string;
let b: Backend;
let modelId: number;
let corpusId: number;

beforeAll(async () => {
  delete process.env.FFN_LAB_COMMIT_INTERVAL_MS; // the job's own commit schedule
  modelDir = fixtureWithCharTokenizer(path.join(fixtures, 'gpt2'));
  b = testBackend();
  modelId = await importModel(b, modelDir);
  corpusId = await importBrown(b);
}, 300_000);
afterAll(() => b.close());

describe('capture job against a reference run', () => {
  it('stores statistics, top examples and sample losses bit-identical to the batches run and folded one by one with the full nll head', { timeout: 300_000 }, async () => {
    const params = { modelId, corpusId, filter: { genre: 'lore', documents: 3, order: 'corpus' as const }, seqLen: 40, stride: 24, batch: 3, threshold: 0.05, topK: 5, maxTokens: 2500, samples: 37, seed: 5 };
    const { job } = (await b.handle('capture.start', params)) as { job: Job };
    const done = await b.jobs.waitFor(job.id);
    expect(done.state).toBe('done');
    const id = (done.result as { dataset: { id: number } }).dataset.id;

    // the reference: the same plan, batch by batch, in this process
    const model = loadModel(modelDir);
    const { nLayers: L, dFf: F } = model.spec;
    const tokenizer = loadTokenizer(modelDir)!;
    const docs = selectDocuments(b.db, corpusId, params.filter);
    const all = docs.map((d) => tokenizer.encode(d.text));
    const tokens: number[][] = [];
    for (let i = 0, n = 0; i < all.length && n < params.maxTokens; i++) n += (tokens[tokens.length] = all[i]!).length;
    const plan = planWindows(tokens.map((t) => t.length), params.seqLen, params.stride, params.maxTokens);
    const picks = planSamples(plan, params.samples, params.seed);
    const graph = { stats: true, moments: true, fireOnMagnitude: false, tokenMask: true, topK: params.topK, residTopK: RESID_TOP_K, maxSeqLen: params.seqLen } as const;
    const plain = await FfnSession.create(model, graph, { threads: 2 });
    const withNll = await FfnSession.create(model, { ...graph, hidden: true, nll: true }, { threads: 2 });
    const acc = emptyStats(L, F, { fireThreshold: params.threshold, fireMode: 'positive' });
    const top = emptyTopK(L, F, params.topK);
    const losses: Array<number | null> = [];
    try {
      for (let first = 0; first < plan.windows.length; first += params.batch) {
        const windows = plan.windows.slice(first, first + params.batch);
        const T = Math.max(...windows.map((w) => w.length));
        const ids = new Int32Array(windows.length * T);
        const mask = new Float32Array(windows.length * T);
        const targets = new BigInt64Array(windows.length * T).fill(-1n);
        windows.forEach((w, r) => {
          const doc = tokens[w.doc]!;
          ids.set(doc.slice(w.start, w.start + w.length), r * T);
          mask.fill(1, r * T + w.skip, r * T + w.skip + w.counted);
          for (let t = 0; t < w.length && w.start + t + 1 < doc.length; t++) targets[r * T + t] = BigInt(doc[w.start + t + 1]!);
        });
        const feeds = { input_ids: int64(ids, [windows.length, T]), token_mask: float32(mask, [windows.length, T]), threshold: float32([params.threshold], []) };
        const sampled = picks.filter((p) => p.window >= first && p.window < first + params.batch);
        let out;
        if (sampled.length > 0) {
          const positions = sampled.map((p) => (p.window - first) * T + (p.position - (plan.windows[p.window] as Window).start));
          out = await withNll.run({ ...feeds, targets: int64(targets, [windows.length, T]), positions: int64(positions, [positions.length]) });
          const nll = asFloat32(out['nll'], 'nll');
          sampled.forEach((p, i) => losses.push(p.position + 1 < tokens[p.doc]!.length ? nll[positions[i]!]! : null));
        } else {
          out = await plain.run(feeds);
        }
        addBatch(acc, statsBatchFromOutputs(out));
        addTopKBatch(top, topKBatchFromOutputs(out, { seqLen: T, docs: windows.map((w) => docs[w.doc]!.id), starts: windows.map((w) => w.start) }));
      }
    } finally {
      await plain.release();
      await withNll.release();
    }

    const stored = loadStats(b.db, id, L, F);
    const want = toStored(acc);
    for (const k of ['count', 'sum', 'sumsq', 'sumAbs', 'sum3', 'sum4', 'min', 'max', 'fire'] as const) expect(stored[k], k).toEqual(want[k]);
    expect(stored.activeHist).toEqual(want.activeHist);
    expect(loadTopExamples(b.db, id)).toEqual(topRows(top));
    const samples = readSamples(b.db, id, L, { blobs: false });
    expect(samples).toHaveLength(params.samples);
    expect(samples.map((s) => s.loss)).toEqual(losses);
    expect(losses.filter((x) => x !== null && x > 0).length).toBeGreaterThan(params.samples / 2);
  });
});

/** The accumulator's lists as rows, as loadTopExamples returns them (rank = place in the list). */
function topRows(top: TopK): TopExample[] {
  const rows: TopExample[] = [];
  for (let i = 0; i < top.layers * top.neurons; i++) {
    for (let rank = 0; rank < (top.size[i] as number); rank++) {
      const at = i * top.k + rank;
      rows.push({ layer: Math.floor(i / top.neurons), neuron: i % top.neurons, rank, value: top.values[at] as number, documentId: top.docs[at] as number, position: top.positions[at] as number });
    }
  }
  return rows;
}
