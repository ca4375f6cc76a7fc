// The comparison on the real width-vs-depth demo pair (2 wide layers vs 8 narrow ones, the same
// parameter count): it refuses a capture of other text with the reason, aligns the 2 and 8 layers
// by relative depth, counts FFN parameters as the checkpoint's own tensors add up, reads the layer
// sensitivity of one ablation run, and its tables parse as CSV and LaTeX. A copy of the deep model
// with one layer's W_out zeroed has sensitivity exactly 0 at that layer.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AblationResult, Job } from './api.js';
import type { Backend } from './backend.js';
import type { CompareResult } from './analysis/compare.js';
import { layerTable, modelTable, tableCsv, tableLatex } from '../common/compare-table.js';
import { runCli, tempDir, testBackend } from './jobs/test-support.js';
import { loadModel } from '../native-models/load.js';
import { W } from '../native-models/spec.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const demo = path.join(root, 'native-models', 'demo');
const split = JSON.parse(fs.readFileSync(path.join(demo, 'recipe', 'split.json'), 'utf8')) as { train: string[]; validation: string[] };

/** Zeroes a tensor's bytes in a safetensors file (0 bits are 0.0 in F32, F16 and BF16 alike). */
function zeroTensor(file: string, tensor: string): void {
  const bytes = fs.readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString()) as Record<string, { data_offsets: [number, number] }>;
  const t = header[tensor];
  if (!t) throw new Error(`no tensor ${tensor} in ${file}`);
  bytes.fill(0, 8 + n + t.data_offsets[0], 8 + n + t.data_offsets[1]);
  fs.writeFileSync(file, bytes);
}

let b: Backend;
let dataDir: string;
let corpusId: number;
const ids = { wide: 0, deep: 0, planted: 0 };
const captures = { wide: 0, deep: 0, other: 0, budget: 0 };
/** a few training documents, read whole */
const captureDocs = { names: split.train.slice(0, 3) };
/** held-out documents for loss and sensitivity */
const evalDocs = { names: split.validation.slice(0, 3) };
const PLANTED_LAYER = 3;

async function finish(method: string, params: unknown): Promise<Job> {
  const { job } = (await b.handle(method, params)) as { job: Job };
  const done = await b.jobs.waitFor(job.id);
  expect(done.error).toBeNull();
  return done;
}
const modelOf = async (dir: string, name: string) => ((await finish('model.import', { path: dir, name })).result as { model: { id: number } }).model.id;
const capture = async (modelId: number, filter: object, extra: object = {}) =>
  ((await finish('capture.start', { modelId, corpusId, filter, seqLen: 128, batch: 8, samples: 300, topK: 4, ...extra })).result as { dataset: { id: number } }).dataset.id;
const sensitivity = async (modelId: number, extra: object = {}) =>
  (await b.handle('ablation.get', { id: ((await finish('ablation.sensitivity', { modelId, corpusId, filter: evalDocs, seqLen: 128, batch: 4, maxTokens: 6000, resamples: 200, ...extra })).result as { ablation: { id: number } }).ablation.id })) as AblationResult;

beforeAll(async () => {
  dataDir = tempDir();
  b = testBackend(dataDir);
  const planted = tempDir('ffn-planted-');
  fs.cpSync(path.join(demo, 'brown-gpt2-deep'), planted, { recursive: true });
  zeroTensor(path.join(planted, 'model.safetensors'), `transformer.h.${PLANTED_LAYER}.mlp.c_proj.weight`);
  ids.wide = await modelOf(path.join(demo, 'brown-gpt2-wide'), 'wide');
  ids.deep = await modelOf(path.join(demo, 'brown-gpt2-deep'), 'deep');
  ids.planted = await modelOf(planted, 'deep, layer 3 W_out zeroed');
  corpusId = ((await finish('corpus.import', { source: { kind: 'brown' } })).result as { corpus: { id: number } }).corpus.id;
  captures.wide = await capture(ids.wide, captureDocs);
  captures.deep = await capture(ids.deep, captureDocs);
  captures.other = await capture(ids.deep, { names: split.train.slice(3, 6) });
  captures.budget = await capture(ids.wide, captureDocs, { maxTokens: 2000 });
}, 600_000);
afterAll(() => b.close());

describe('compare on the width-vs-depth demo pair', () => {
  it('refuses captures of other text with the reason, and compares the rest with layers aligned by relative depth', async () => {
    const r = (await b.handle('compare.run', { datasets: [captures.wide, captures.deep, captures.other, captures.budget] })) as CompareResult;
    expect(r.models.map((m) => m.dataset.id)).toEqual([captures.wide, captures.deep]);
    expect(r.refused.map((x) => x.dataset)).toEqual([captures.other, captures.budget]);
    expect(r.refused[0]!.reason).toMatch(/covers other documents than capture \d+ "[^"]+" \(3 and 3 documents; e\.g\. "[^"]+" is only in capture/);
    expect(r.refused[1]!.reason).toMatch(/stops after 2,000 tokens but .* reads every selected document whole/);
    expect(r.text).toMatchObject({ corpus: { id: corpusId }, documents: 3, cut_after_tokens: null });

    const [wide, deep] = r.models as [CompareResult['models'][number], CompareResult['models'][number]];
    expect(wide.layers.map((l) => l.rel_depth)).toEqual([0, 1]);
    expect(deep.layers.map((l) => l.rel_depth)).toEqual(Array.from({ length: 8 }, (_, l) => l / 7));
    // the aligned view: 8 depths; the wide model is exact at the first and last only
    expect(r.aligned).toHaveLength(8);
    expect(r.aligned.map((a) => a.layers[0]!.exact)).toEqual([0, null, null, null, null, null, null, 1]);
    expect(r.aligned.map((a) => a.layers[0]!.nearest)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(r.aligned.map((a) => a.layers[1]!.exact)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

    // same parameter count (the pair was made so), within 0.1%
    expect(Math.abs(wide.params.total - deep.params.total) / deep.params.total).toBeLessThan(1e-3);
    // FFN parameters as the checkpoint's own tensors add up (W_in, W_out and their biases)
    for (const m of [wide, deep]) {
      const loaded = loadModel(path.join(demo, m.model.id === ids.wide ? 'brown-gpt2-wide' : 'brown-gpt2-deep'));
      const size = (name: string) => loaded.weight(name).data.length;
      let ffn = 0;
      for (let l = 0; l < m.model.layers; l++) {
        const w = W.layer(l);
        ffn += size(w.mlpIn) + size(w.mlpOut) + size(w.mlpInBias) + size(w.mlpOutBias);
      }
      expect(m.params.ffn).toBe(ffn);
      expect(m.params.total).toBe(loaded.spec.params);
      expect(m.flops_per_token.total).toBeGreaterThan(2 * m.params.ffn);
      for (const l of m.layers) {
        expect(l.tokens).toBe(m.dataset.tokens);
        expect(l.fire_rate!.q05).toBeLessThanOrEqual(l.fire_rate!.q50);
        expect(l.fire_rate!.q50).toBeLessThanOrEqual(l.fire_rate!.q95);
        // the mean fire rate over neurons is the mean fraction active per token
        expect(l.active_fraction!.mean).toBeCloseTo(l.fire_rate!.mean, 9);
        expect(l.twonn).toBeGreaterThan(0);
        expect(l.pca90).toBeGreaterThan(0);
        expect(l.intrinsic_points).toBe(300);
        expect(l.sensitivity).toBeNull();
      }
      expect(m.heldout).toBeNull();
    }
  });

  it('refuses to compare when fewer than two captures share the text', async () => {
    await expect(b.handle('compare.run', { datasets: [captures.wide, captures.other] })).rejects.toThrow(/nothing to compare: .*covers other documents than/);
  });

  it('a layer whose W_out is zeroed has sensitivity exactly 0; the layer before it does not', async () => {
    const r = await sensitivity(ids.planted, { layers: [PLANTED_LAYER - 1, PLANTED_LAYER], fraction: 0.25, seed: 3 });
    expect(r.results.map((c) => c.label)).toEqual(['layer 2: whole FFN', 'layer 2: random 25%', 'layer 3: whole FFN', 'layer 3: random 25%']);
    const [before, , planted, plantedRandom] = r.results;
    expect(planted!.neurons).toBe(128);
    expect(plantedRandom!.neurons).toBe(32);
    for (const c of [planted!, plantedRandom!]) {
      expect(c.metrics.delta_loss.value).toBe(0);
      expect(c.metrics.kl.value).toBe(0);
      expect(c.metrics.top1_agreement.value).toBe(1);
    }
    expect(before!.metrics.delta_loss.value).toBeGreaterThan(0);
    expect(before!.metrics.delta_loss.low).toBeGreaterThan(0);
  }, 300_000);

  it('reads held-out loss and per-layer sensitivity from each model\'s sensitivity run; the tables parse as CSV and LaTeX', async () => {
    await sensitivity(ids.wide);
    await sensitivity(ids.deep);
    const r = (await b.handle('compare.run', { datasets: [captures.wide, captures.deep] })) as CompareResult;
    for (const m of r.models) {
      expect(m.heldout!.loss.low).toBeLessThanOrEqual(m.heldout!.loss.value);
      expect(m.heldout!.ppl.value).toBeCloseTo(Math.exp(m.heldout!.loss.value), 6);
      for (const l of m.layers) {
        expect(l.sensitivity!.whole.low).not.toBeNull();
        expect(l.sensitivity!.random.neurons).toBe(Math.round(0.25 * m.model.ffn_width));
      }
    }
    const layers = layerTable(r);
    const csv = tableCsv(layers).trimEnd().split('\n').map((line) => line.split(','));
    expect(csv[0]).toEqual(layers.header);
    expect(csv).toHaveLength(1 + 2 + 8);
    expect(csv.every((row) => row.length === layers.header.length)).toBe(true);
    expect(Number(csv[1]![layers.header.indexOf('delta_loss_layer')])).toBe(r.models[0]!.layers[0]!.sensitivity!.whole.value);
    const tex = tableLatex(modelTable(r)).trimEnd().split('\n');
    expect(tex[0]).toMatch(/^\\begin\{tabular\}\{l(r)+\}$/);
    expect(tex.at(-1)).toBe('\\end{tabular}');
    const body = tex.filter((line) => line.endsWith('\\\\'));
    expect(body).toHaveLength(1 + 2);
    expect(body.every((line) => line.split(' & ').length === modelTable(r).header.length)).toBe(true);
  }, 300_000);

  it('ffn-lab compare --json prints the same comparison, and --out writes the tables', () => {
    const out = tempDir('ffn-compare-out-');
    const cli = runCli(['compare', '--datasets', `${captures.wide},${captures.deep},${captures.other}`, '--out', out, '--json'], dataDir);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const r = JSON.parse(cli.stdout) as CompareResult & { files: string[] };
    expect(r.models.map((m) => m.model.layers)).toEqual([2, 8]);
    expect(r.refused).toHaveLength(1);
    expect(r.files.map((f) => path.basename(f))).toEqual(['models.csv', 'models.tex', 'layers.csv', 'layers.tex']);
    expect(fs.readFileSync(path.join(out, 'layers.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(11);
    const bad = runCli(['compare', '--datasets', 'x,2'], dataDir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--datasets: "x" is not a capture id/);
  });
});
