// The ablation job, in the worker process: the evaluation documents are cut into windows (no
// overlap, each document on its own) and every batch runs once per chunk of conditions through the
// graph's condition axis, condition 0 being the intact model. Per document and condition it sums
// NLL, KL(intact || ablated) and top-1 agreement (a condition may also set single W_out weights:
// the graph's weight edits, electron/analysis/weight-edits.ts); at the end the metrics get
// bootstrap intervals over documents and everything is stored in one transaction
// (db/ablations.ts). The running totals are checkpointed every few seconds, so an interrupted run
// resumes where it was.
import { loadAblationCheckpoint, saveAblation, saveAblationCheckpoint, type AblationMetricRow } from '../../../db/ablations.js';
import { selectDocuments } from '../../../db/corpora.js';
import { getDataset, loadMeans } from '../../../db/datasets.js';
import { documentDetails, readSamples } from '../../../db/samples.js';
import { FfnSession } from '../../../native-models/runtime/session.js';
import { asFloat32, asInt64, float32, int64 } from '../../../native-models/runtime/tensors.js';
import { prng } from '../../../common/prng.js';
import type { AblateParams, AblationResult, ExpertAblation } from '../../api.js';
import { ablationEdit, identityEdit, stackEdits, type NeuronEdit } from '../../analysis/ablation-edit.js';
import { conditionMetrics, type ConditionMetrics, type DocTotals } from '../../analysis/ablation-metrics.js';
import { perLayerCounts } from '../../analysis/neuron-sets.js';
import { stackWeightEdits, weightEdit, type WeightEdit } from '../../analysis/weight-edits.js';
import { W } from '../../../native-models/spec.js';
import { graphCacheDir } from '../../inference.js';
import { checkDataset } from '../../ablation-sets.js';
import { APP_VERSION } from '../../version.js';
import { JobInputError, type JobContext } from '../definition.js';
import { checkDocumentOrder, openJobCorpus, openJobModel, tokenizeDocuments } from '../job-model.js';
import { heldOutWarnings, tokenizerWarnings } from '../../analysis/coverage.js';
import { planWindows, type Window } from '../capture/windows.js';

/** Bytes of logit-sized tensors one run may hold; more conditions are split into chunks ($FFN_LAB_ABLATION_MEMORY overrides). */
const MEMORY_BUDGET = Number(process.env.FFN_LAB_ABLATION_MEMORY ?? 1.5e9);
/** tokens hurt most, kept per condition */
const HURT_KEPT = 25;
/** Checkpoint at most this often ($FFN_LAB_COMMIT_INTERVAL_MS overrides, as for captures). */
const COMMIT_INTERVAL_MS = Number(process.env.FFN_LAB_COMMIT_INTERVAL_MS ?? 3000);
/** resample ablation draws from at most this many stored samples */
const RESAMPLE_POOL = 4096;

export interface AblateResult {
  ablation: { id: number; name: string; tokens: number; documents: number; conditions: number; warnings: string[] };
}

/** What a checkpoint holds: the running totals after its batches. */
interface Checkpoint {
  base: DocTotals[];
  totals: DocTotals[][];
  hurt: Array<{ items: Hurt[]; floor: number | null }>;
  done: number;
}

interface Hurt {
  doc: number;
  /** position of the input token; the hurt prediction is of the token after it */
  pos: number;
  base: number;
  ablated: number;
}

/** Keeps the `keep` largest by delta, trimming in batches so a push is O(1) amortised. */
class HurtList {
  private items: Hurt[] = [];
  private floor = -Infinity;
  constructor(private readonly keep: number) {}
  /** for a checkpoint (JSON has no -Infinity) */
  state(): { items: Hurt[]; floor: number | null } {
    return { items: this.items, floor: Number.isFinite(this.floor) ? this.floor : null };
  }
  static from(keep: number, s: { items: Hurt[]; floor: number | null }): HurtList {
    const h = new HurtList(keep);
    h.items = s.items;
    h.floor = s.floor ?? -Infinity;
    return h;
  }
  push(h: Hurt): void {
    if (h.ablated - h.base <= this.floor) return;
    this.items.push(h);
    if (this.items.length >= this.keep * 8) this.trim();
  }
  top(): Hurt[] {
    this.trim();
    return this.items;
  }
  private trim(): void {
    this.items.sort((a, b) => b.ablated - b.base - (a.ablated - a.base));
    this.items.length = Math.min(this.items.length, this.keep);
    if (this.items.length === this.keep) this.floor = (this.items[this.keep - 1] as Hurt).ablated - (this.items[this.keep - 1] as Hurt).base;
  }
}

/** How many ablated conditions share one run besides the intact one. */
export function conditionsPerRun(batch: number, seqLen: number, vocab: number, budget = MEMORY_BUDGET): number {
  // logits, log-probabilities and the KL terms: about four float32 [rows, T, V] tensors at once
  const perCondition = batch * seqLen * vocab * 4 * 4;
  return Math.max(1, Math.floor(budget / perCondition) - 1);
}

export async function runAblate(ctx: JobContext<AblateParams>): Promise<AblateResult> {
  const { db, params } = ctx;
  ctx.progress(0, null, 'tokens', 'loading the model');
  const { record, model, tokenizer } = openJobModel(db, params.modelId, 'ablation');
  const corpus = openJobCorpus(db, params.corpusId);
  const { nLayers: L, dFf: F, dModel: D, vocabSize: V } = model.spec;
  const shape = { layers: L, neurons: F };
  if (params.datasetId !== undefined) checkDataset(db, record, params.datasetId);
  const dataset = params.datasetId === undefined ? undefined : getDataset(db, params.datasetId);

  // What ablated neurons are replaced by.
  let means: Float32Array | undefined;
  let pool: Float32Array[] = [];
  if (params.method === 'mean') {
    if (!dataset) throw new JobInputError('mean ablation replaces a neuron by its mean over a capture: give the capture (--dataset D)');
    means = loadMeans(db, dataset.id, L, F);
  } else if (params.method === 'resample') {
    if (!dataset) throw new JobInputError("resample ablation replaces a neuron by its value at another corpus token: give a capture with sampled tokens (--dataset D)");
    pool = readSamples(db, dataset.id, L, { limit: RESAMPLE_POOL, blobs: true }).map((s) => {
      const v = new Float32Array(L * F);
      s.ffn.forEach((layer, l) => v.set(layer, l * F));
      return v;
    });
    if (pool.length === 0) throw new JobInputError(`capture ${dataset.id} "${dataset.name}" has no sampled tokens; resample ablation draws from them: run a capture with --samples N`);
  }
  const edits = params.conditions.map((c) => ablationEdit(shape, c.neurons, params.method, means));
  const resample = params.method === 'resample';
  // single weights: W_out is stored [D, F], so W_out[f -> d] is element [d, f]
  const readWeight = (l: number, f: number, d: number): number => model.weight(W.layer(l).mlpOut).data[d * F + f] as number;
  const withWeights = params.conditions.some((c) => (c.weights?.length ?? 0) > 0);
  let weightEdits: WeightEdit[] = [];
  if (withWeights) {
    try {
      weightEdits = params.conditions.map((c) => weightEdit({ layers: L, neurons: F, dims: D }, c.weights ?? [], readWeight));
    } catch (e) {
      throw new JobInputError(`${(e as Error).message} (model "${record.name}")`);
    }
  }

  // mixture of experts: whole experts per condition, [L, E] each (expert_unrouted 1: removed from
  // routing; expert_scale 0: output zeroed), on the graph's condition axis like the neuron edits
  const moe = model.spec.moe;
  const withExperts = params.conditions.some((c) => c.experts !== undefined);
  const E = moe?.experts ?? 0;
  if (withExperts && !moe) throw new JobInputError(`model "${record.name}" (${model.spec.architecture}) is dense: it has no experts to ablate`);
  const expertArrays = (e: ExpertAblation | undefined): { unrouted: Float32Array; scale: Float32Array } => {
    const unrouted = new Float32Array(L * E);
    const scale = new Float32Array(L * E).fill(1);
    for (const x of e?.list ?? []) {
      if (x.layer >= L || x.expert >= E) throw new JobInputError(`expert ${x.layer}:${x.expert} is not in this model (${L} layers of ${E} experts)`);
      if (e?.mode === 'unrouted') unrouted[x.layer * E + x.expert] = 1;
      else scale[x.layer * E + x.expert] = 0;
    }
    return { unrouted, scale };
  };
  const expertEdits = params.conditions.map((c) => expertArrays(c.experts));

  ctx.progress(0, null, 'tokens', 'tokenizing the corpus');
  checkDocumentOrder(corpus, params.filter);
  const docs = selectDocuments(db, corpus.id, params.filter);
  if (docs.length === 0) throw new JobInputError(`no documents of corpus "${corpus.name}" match ${JSON.stringify(params.filter)}`);
  const seqLen = Math.min(params.seqLen ?? 256, model.spec.maxPositions);
  const tokens = tokenizeDocuments(tokenizer, docs, params.maxTokens, params.filter.tokensPerDocument);
  const plan = planWindows(tokens.map((t) => t.length), seqLen, seqLen, params.maxTokens);
  const batches: Window[][] = [];
  for (let i = 0; i < plan.windows.length; i += params.batch) batches.push(plan.windows.slice(i, i + params.batch));

  const C = params.conditions.length;
  const perRun = Math.min(C, conditionsPerRun(params.batch, seqLen, V));
  // without conditions one chunk runs the intact model alone
  const chunks: number[][] = C === 0 ? [[]] : [];
  for (let c = 0; c < C; c += perRun) chunks.push(Array.from({ length: Math.min(perRun, C - c) }, (_, i) => c + i));
  const zero = (): DocTotals[] => tokens.map(() => ({ tokens: 0, nll: 0, kl: 0, agree: 0 }));
  // a resumed run continues from the totals of its last committed batch
  const saved = ctx.resume ? (loadAblationCheckpoint(db, ctx.jobId) as { batchesDone: number; state: Checkpoint } | undefined) : undefined;
  const base = saved?.state.base ?? zero();
  const totals = saved?.state.totals ?? params.conditions.map(zero);
  const hurt = saved ? saved.state.hurt.map((h) => HurtList.from(HURT_KEPT, h)) : params.conditions.map(() => new HurtList(HURT_KEPT));

  // each chunk's edits, the intact model first, are the same for every batch
  const stackedChunks = chunks.map((chunk) => stackEdits([identityEdit(shape), ...chunk.map((c) => edits[c] as NeuronEdit)]));
  const intactWeights = weightEdit({ layers: L, neurons: F, dims: D }, [], readWeight);
  const weightChunks = withWeights ? chunks.map((chunk) => stackWeightEdits([intactWeights, ...chunk.map((c) => weightEdits[c] as WeightEdit)], L, D)) : [];
  const joinRows = (parts: Float32Array[]): Float32Array => {
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
    return out;
  };
  const expertChunks = withExperts
    ? chunks.map((chunk) => {
        const rows = [expertArrays(undefined), ...chunk.map((c) => expertEdits[c] as ReturnType<typeof expertArrays>)];
        return { unrouted: joinRows(rows.map((r) => r.unrouted)), scale: joinRows(rows.map((r) => r.scale)) };
      })
    : [];
  const session = await FfnSession.create(model, { conditions: true, resample, ...(withWeights ? { weightEdits: true } : {}), ...(withExperts ? { expertEdits: true } : {}), nll: true, kl: true, top1: true, maxSeqLen: seqLen }, { cacheDir: graphCacheDir(ctx.dataDir), workload: { rows: params.batch * (perRun + 1), seqLen } });
  const total = plan.tokens * chunks.length;
  let done = saved?.state.done ?? 0;
  let committedAt = Date.now();
  try {
    ctx.progress(done, total, 'tokens', null);
    for (let b = saved?.batchesDone ?? 0; b < batches.length; b++) {
      const windows = batches[b] as Window[];
      // one stream of draws per batch, so a resumed run draws what an uninterrupted one did
      const draw = prng(((params.seed ^ 0x5eed) + Math.imul(b + 1, 0x9e3779b1)) >>> 0);
      const T = Math.max(...windows.map((w) => w.length));
      const B = windows.length;
      const ids = new BigInt64Array(B * T);
      // the next token in the window, -1 where not scored (padding, the window's last token, outside `counted`)
      const targets = new BigInt64Array(B * T).fill(-1n);
      windows.forEach((w, r) => {
        const doc = tokens[w.doc] as number[];
        for (let t = 0; t < w.length; t++) {
          ids[r * T + t] = BigInt(doc[w.start + t] as number);
          // each window on its own: a window of n tokens gives n - 1 predictions (the usual protocol)
          const scored = t >= w.skip && t < w.skip + w.counted && t + 1 < w.length;
          if (scored) targets[r * T + t] = BigInt(doc[w.start + t + 1] as number);
        }
      });
      // resample: at every token the ablated neurons take their values at a randomly drawn sampled token
      const tokenShift = resample ? new Float32Array(B * T * L * F) : null;
      if (tokenShift) for (let i = 0; i < B * T; i++) tokenShift.set(pool[Math.floor(draw() * pool.length)] as Float32Array, i * L * F);
      for (const [ci, chunk] of chunks.entries()) {
        const stacked = stackedChunks[ci] as NeuronEdit;
        const rows = chunk.length + 1;
        const wStacked = weightChunks[ci];
        const xStacked = expertChunks[ci];
        const out = await session.run({
          ...(xStacked ? { expert_unrouted: float32(xStacked.unrouted, [rows, L, E]), expert_scale: float32(xStacked.scale, [rows, L, E]) } : {}),
          input_ids: int64(ids, [B, T]),
          targets: int64(targets, [B, T]),
          scale: float32(stacked.scale, [rows, L, F]),
          shift: float32(stacked.shift, [rows, L, F]),
          ...(wStacked ? { wedit_neuron: int64(wStacked.neuron, [rows, L, wStacked.slots]), wedit_delta: float32(wStacked.delta, [rows, L, wStacked.slots, D]) } : {}),
          ...(tokenShift ? { resample_mask: float32(stacked.mask ?? new Float32Array(rows * L * F), [rows, L, F]), token_shift: float32(tokenShift, [B * T, L, F]) } : {}),
        });
        const nll = asFloat32(out.nll, 'nll');
        const kl = asFloat32(out.kl, 'kl');
        const top1 = asInt64(out.top1, 'top1');
        windows.forEach((w, r) => {
          for (let t = 0; t < T; t++) {
            const i = r * T + t;
            if ((targets[i] as bigint) < 0n) continue;
            const b0 = nll[i] as number;
            if (chunk === chunks[0]) {
              const d = base[w.doc] as DocTotals;
              d.tokens++;
              d.nll += b0;
              d.agree++;
            }
            chunk.forEach((c, k) => {
              const j = (k + 1) * B * T + i;
              const d = (totals[c] as DocTotals[])[w.doc] as DocTotals;
              const v = nll[j] as number;
              d.tokens++;
              d.nll += v;
              // KL is >= 0; float32 rounding can leave -1e-9 where the distributions agree
              d.kl += Math.max(0, kl[j] as number);
              if (top1[j] === top1[i]) d.agree++;
              (hurt[c] as HurtList).push({ doc: w.doc, pos: w.start + t, base: b0, ablated: v });
            });
          }
        });
        done += windows.reduce((n, w) => n + w.counted, 0);
        ctx.progress(done, total, 'tokens', null);
      }
      if (b < batches.length - 1 && Date.now() - committedAt >= COMMIT_INTERVAL_MS) {
        const state: Checkpoint = { base, totals, hurt: hurt.map((h) => h.state()), done };
        saveAblationCheckpoint(db, ctx.jobId, b + 1, state);
        committedAt = Date.now();
      }
    }
  } finally {
    await session.release();
  }

  ctx.progress(total, total, 'tokens', 'bootstrapping the intervals');
  // documents without a scored token (a single token) carry no evidence
  const used = base.map((d, i) => (d.tokens > 0 ? i : -1)).filter((i) => i >= 0);
  const pick = (t: DocTotals[]): DocTotals[] => used.map((i) => t[i] as DocTotals);
  const baseMetrics = conditionMetrics(pick(base), pick(base), params.resamples, params.seed);
  const warnings = [...heldOutWarnings(used.length), ...tokenizerWarnings(baseMetrics.loss.value, V)];
  const metrics: ConditionMetrics[] = totals.map((t) => conditionMetrics(pick(base), pick(t), params.resamples, params.seed));
  const details = documentDetails(db, used.map((i) => (docs[i] as { id: number }).id));
  const scoredTokens = used.reduce((n, i) => n + (base[i] as DocTotals).tokens, 0);
  const text = (ids: readonly number[]): string => tokenizer.decode(ids, { skipSpecial: true });

  const results: AblationResult['results'] = params.conditions.map((c, k) => ({
    label: c.label,
    neurons: c.neurons.length,
    perLayer: perLayerCounts(c.neurons, L),
    series: c.series ?? null,
    fraction: c.fraction ?? null,
    ...(c.weights && c.weights.length > 0 ? { weights: c.weights.map((w) => ({ layer: w.layer, neuron: w.neuron, dim: w.dim, value: w.value ?? 0, original: readWeight(w.layer, w.neuron, w.dim) })) } : {}),
    ...(c.experts ? { experts: c.experts } : {}),
    metrics: metrics[k] as ConditionMetrics,
    hurt: (hurt[k] as HurtList).top().map((h) => {
      const doc = tokens[h.doc] as number[];
      return {
        document: (docs[h.doc] as { name: string }).name,
        position: h.pos + 1,
        before: text(doc.slice(Math.max(0, h.pos - 11), h.pos + 1)),
        token: text(doc.slice(h.pos, h.pos + 1)),
        target: text(doc.slice(h.pos + 1, h.pos + 2)),
        base: h.base,
        ablated: h.ablated,
        delta: h.ablated - h.base,
      };
    }),
  }));
  const perDocument = used.map((i) => {
    const d = base[i] as DocTotals;
    const genre = (details.get((docs[i] as { id: number }).id)?.metadata as { genre?: unknown } | undefined)?.genre;
    return {
      document: (docs[i] as { name: string }).name,
      genre: typeof genre === 'string' ? genre : null,
      tokens: d.tokens,
      loss: d.nll / d.tokens,
      delta: totals.map((t) => ((t[i] as DocTotals).nll - d.nll) / d.tokens),
    };
  });
  const rows: AblationMetricRow[] = [
    { condition: 'intact', metric: 'loss', value: baseMetrics.loss.value, low: baseMetrics.loss.low, high: baseMetrics.loss.high },
    { condition: 'intact', metric: 'ppl', value: baseMetrics.ppl.value, low: baseMetrics.ppl.low, high: baseMetrics.ppl.high },
    ...results.flatMap((r) => Object.entries(r.metrics).map(([metric, m]) => ({ condition: r.label, metric, value: m.value, low: m.low, high: m.high }))),
  ];
  const name = params.name ?? defaultName(params, record.name);
  const firstSet = params.conditions[0]?.origin as { kind?: string; id?: number } | undefined;
  const id = saveAblation(db, {
    name,
    kind: params.kind,
    modelId: record.id,
    datasetId: dataset?.id ?? null,
    corpusId: corpus.id,
    jobId: ctx.jobId,
    neuronSetId: firstSet?.kind === 'saved' && typeof firstSet.id === 'number' ? firstSet.id : null,
    method: params.method,
    params,
    modelSha256: record.sha256,
    appVersion: APP_VERSION,
    results: rows,
    // docTotals: the bootstrap's inputs, so runs over disjoint documents (cluster shards) merge exactly
    details: { tokens: scoredTokens, documents: used.length, warnings, baseline: { loss: baseMetrics.loss, ppl: baseMetrics.ppl }, results, perDocument, docTotals: { base: pick(base), conditions: totals.map(pick) } },
  });
  return { ablation: { id, name, tokens: scoredTokens, documents: used.length, conditions: C, warnings } };
}

function defaultName(p: AblateParams, model: string): string {
  if (p.conditions.length === 0) return `${model}: evaluation`;
  if (p.kind === 'sweep' && p.sweep) return `${model}: sweep by ${p.sweep.criterion} (${p.method})`;
  return `${model}: ${p.conditions.map((c) => c.label).join(' vs ')} (${p.method})`;
}
