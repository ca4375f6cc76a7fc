// The capture job, in the worker process: tokenize the chosen documents, cut them into windows,
// run batches through the stats head, fold the small per-batch outputs into float64 sums, and
// commit them with the top examples every few seconds. A resumed capture reloads the last commit
// and continues with the next batch, so it ends identical to an uninterrupted run.
// With `samples`, the tokens to keep hidden states for are chosen up front from the window plan;
// the batches holding them run through a second graph that adds the hidden head and the loss at
// those tokens, and the samples are written in the transaction of the checkpoint that covers their
// batch. Commits are spaced so that they take at most about 2% of the time (see commitInterval).
import { fileURLToPath } from 'node:url';
import { metadataCoverage, selectDocuments } from '../../../db/corpora.js';
import { createDataset, datasetOfJob, setDatasetWarnings, loadResidTop, loadRouterState, loadStats, loadTopExamples, markDatasetReady, saveCheckpoint } from '../../../db/datasets.js';
import { graphCacheDir } from '../../inference.js';
import { FfnSession } from '../../../native-models/runtime/session.js';
import { asFloat32, asInt64, float32, int64 } from '../../../native-models/runtime/tensors.js';
import { checkDocumentOrder, openJobCorpus, openJobModel, tokenizeDocuments } from '../job-model.js';
import { coverageWarnings } from '../../analysis/coverage.js';
import type { CaptureParams } from '../../api.js';
import { JobInputError, type JobContext } from '../definition.js';
import { addBatch, statsBatchFromOutputs } from '../../analysis/neuron-stats.js';
import { addTopKBatch, topKBatchFromOutputs } from '../../analysis/top-k.js';
import { addRouterBatch, emptyRouterStats, routerStatsFromJson, routerStatsToJson } from '../../analysis/router-stats.js';
import { addResidTopBatch, RESID_TOP_K, residTopBatchFromOutputs, residTopFromRows, residTopRows } from '../../analysis/resid-top.js';
import { fireRuleOf, fromStored, toStored, topFromRows } from './checkpoint.js';
import { documentDetails, type NewSample } from '../../../db/samples.js';
import { defaultSampleCount, picksAt, planSamples, posOfToken, type SamplePick } from './samples.js';
import { planWindows, type Window } from './windows.js';
import { PhaseTimes } from './phase-times.js';
import { WalCheckpointer } from '../../../db/wal-checkpointer.js';

/** The log checkpointer's worker, bundled beside the job worker (scripts/build.mjs). */
const WAL_CHECKPOINTER = fileURLToPath(new URL('./wal-checkpointer.js', import.meta.url));

/** Commit at most this often: a commit rewrites every neuron's row ($FFN_LAB_COMMIT_INTERVAL_MS sets it exactly). */
const COMMIT_INTERVAL_MS = Number(process.env.FFN_LAB_COMMIT_INTERVAL_MS ?? 3000);
const FIXED_INTERVAL = process.env.FFN_LAB_COMMIT_INTERVAL_MS !== undefined;

/**
 * The time to wait after a commit that took `commitMs`: at least COMMIT_INTERVAL_MS, and 49x the
 * commit itself, so commits take at most 2% of the job (a commit rewrites a statistics row and a
 * packed top-example row per neuron, and the residual maxima: GPT-2 small, tenths of a second). A
 * resumed capture repeats at most that much work.
 */
function commitInterval(commitMs: number): number {
  return FIXED_INTERVAL ? COMMIT_INTERVAL_MS : Math.max(COMMIT_INTERVAL_MS, 49 * commitMs);
}

/**
 * A commit's expected time before one has been measured, per neuron and per top example kept
 * (saveCheckpoint of 12 x 3072 neurons on the 2-core machine under load: about 0.28 s with top-1,
 * 0.45 s with top-16, 0.87 s with top-64): without it the first commit came after
 * COMMIT_INTERVAL_MS whatever its size.
 */
const COMMIT_MS_PER_NEURON = 0.007;
const COMMIT_MS_PER_TOP_EXAMPLE = 0.0003;

export interface CaptureResult {
  dataset: { id: number; name: string; tokens: number; documents: number; windows: number; layers: number; neurons: number; warnings: string[] };
}

export async function runCapture(ctx: JobContext<CaptureParams>): Promise<CaptureResult> {
  const { db, params } = ctx;
  ctx.progress(0, null, 'tokens', 'loading the model');
  const { record, model, tokenizer } = openJobModel(db, params.modelId, 'capture');
  const corpus = openJobCorpus(db, params.corpusId);

  const { nLayers: L, dFf: F, dModel: D } = model.spec;
  const seqLen = Math.min(params.seqLen ?? 256, model.spec.maxPositions);
  const stride = params.stride ?? seqLen;
  if (stride > seqLen) throw new JobInputError(`stride ${stride} is longer than the sequence length ${seqLen}: tokens between windows would be skipped`);

  ctx.progress(0, null, 'tokens', 'tokenizing the corpus');
  checkDocumentOrder(corpus, params.filter);
  const docs = selectDocuments(db, corpus.id, params.filter);
  if (docs.length === 0) throw new JobInputError(`no documents of corpus "${corpus.name}" match ${JSON.stringify(params.filter)}`);
  const tokens = tokenizeDocuments(tokenizer, docs, params.maxTokens, params.filter.tokensPerDocument);
  // the documents the budget reached (tokens.length of them, from the front of the order)
  const read = docs.slice(0, tokens.length).map((d) => d.id);
  const warnings = coverageWarnings(metadataCoverage(db, corpus.id, corpus.metadataFields, read), corpus.documents, read.length);
  const plan = planWindows(tokens.map((t) => t.length), seqLen, stride, params.maxTokens);
  const batches: Window[][] = [];
  for (let i = 0; i < plan.windows.length; i += params.batch) batches.push(plan.windows.slice(i, i + params.batch));

  // the sampled tokens (chosen from the plan alone, so a resumed capture picks the same ones)
  const picks = params.samplePicks ? picksAt(plan, params.samplePicks) : planSamples(plan, params.samples ?? defaultSampleCount(L, D, F), params.seed ?? 0);
  const dataset =
    (ctx.resume ? datasetOfJob(db, ctx.jobId) : undefined) ??
    createDataset(db, {
      name: params.name ?? `${record.name} on ${corpus.name}`,
      modelId: record.id,
      corpusId: corpus.id,
      jobId: ctx.jobId,
      params: { ...params, seqLen, stride, samples: picks.length, residTopK: RESID_TOP_K },
      batchesTotal: batches.length,
    });
  setDatasetWarnings(db, dataset.id, warnings);
  const acc = fromStored(loadStats(db, dataset.id, L, F), fireRuleOf(params));
  const top = params.topK > 0 ? topFromRows(L, F, params.topK, loadTopExamples(db, dataset.id)) : null;
  // the largest |residual values| per (layer, dim); a capture begun before they existed resumes without them
  const residK = (dataset.params as { residTopK?: number }).residTopK ?? 0;
  const residTop = residK > 0 ? residTopFromRows(L, D, residK, loadResidTop(db, dataset.id)) : null;
  let done = dataset.tokens;

  // the sampled tokens, grouped by batch
  const picksOf = new Map<number, SamplePick[]>();
  for (const p of picks) {
    const b = Math.floor(p.window / params.batch);
    picksOf.set(b, [...(picksOf.get(b) ?? []), p]);
  }
  const details = picks.length > 0 ? documentDetails(db, [...new Set(picks.map((p) => (docs[p.doc] as { id: number }).id))]) : new Map();
  let pending: NewSample[] = [];

  // mixture of experts: the router's outputs too, folded into per-expert statistics
  const moe = model.spec.moe;
  const routerState = moe ? loadRouterState(db, dataset.id) : null;
  const router = moe ? (routerState ? routerStatsFromJson(routerState) : emptyRouterStats(L, moe.experts, moe.topK)) : null;
  // maxSeqLen: rotary tables for the windows' length, not the model's context (Gemma 3: 131,072 positions, ~512 MiB)
  const statsGraph = { stats: true, moments: true, fireOnMagnitude: params.fire === 'magnitude', tokenMask: true, topK: params.topK, residTopK: residK, maxSeqLen: seqLen, ...(moe ? { router: true } : {}) };
  // the memory check (runtime/memory.ts) sizes each session's working set for a full batch
  const workload = { rows: params.batch, seqLen };
  const session = await FfnSession.create(model, statsGraph, { cacheDir: graphCacheDir(ctx.dataDir), workload });
  const sampler = picks.some((p) => Math.floor(p.window / params.batch) >= dataset.batchesDone)
    ? // the loss at the sampled tokens only: their rows are unembedded, not every token's (bit-identical, runtime/position-nll.test.ts)
      await FfnSession.create(model, { ...statsGraph, hidden: true, positionNll: true }, { cacheDir: graphCacheDir(ctx.dataDir), workload })
    : null;
  // the log's copy into the database file beside the batches, not inside the commits
  const checkpointer = WalCheckpointer.start(WAL_CHECKPOINTER, db, db.name);
  try {
    const threshold = float32([params.threshold], []);
    const phases = new PhaseTimes();
    let committedAt = Date.now();
    let interval = commitInterval(L * F * (COMMIT_MS_PER_NEURON + params.topK * COMMIT_MS_PER_TOP_EXAMPLE));
    ctx.progress(done, plan.tokens, 'tokens', null);
    for (let b = dataset.batchesDone; b < batches.length; b++) {
      let t0 = performance.now();
      const windows = batches[b] as Window[];
      const T = Math.max(...windows.map((w) => w.length));
      const ids = new Int32Array(windows.length * T);
      const mask = new Float32Array(windows.length * T);
      windows.forEach((w, r) => {
        ids.set((tokens[w.doc] as number[]).slice(w.start, w.start + w.length), r * T);
        mask.fill(1, r * T + w.skip, r * T + w.skip + w.counted);
      });
      const feeds = { input_ids: int64(ids, [windows.length, T]), token_mask: float32(mask, [windows.length, T]), threshold };
      const sampled = picksOf.get(b);
      let out;
      if (sampled && sampler) {
        // targets: the document's next token (-1 = ignored past its end or in padding)
        const targets = new BigInt64Array(windows.length * T).fill(-1n);
        windows.forEach((w, r) => {
          const doc = tokens[w.doc] as number[];
          for (let t = 0; t < w.length && w.start + t + 1 < doc.length; t++) targets[r * T + t] = BigInt(doc[w.start + t + 1] as number);
        });
        const first = b * params.batch;
        const positions = sampled.map((p) => (p.window - first) * T + (p.position - (plan.windows[p.window] as Window).start));
        const sampleFeeds = { ...feeds, targets: int64(targets, [windows.length, T]), positions: int64(positions, [positions.length]) };
        phases.add('prepare', performance.now() - t0);
        out = await phases.timeAsync('run', () => sampler.run(sampleFeeds));
        t0 = performance.now();
        const resid = asFloat32(out.hidden_resid, 'hidden_resid');
        const post = asFloat32(out.hidden_post, 'hidden_post');
        const nllOut = asFloat32(out.position_nll, 'position_nll');
        const P = sampled.length;
        // mixture of experts: the routed experts of each sampled token (router_experts [L, rows, k], by descending weight)
        const chosen = moe ? asInt64(out.router_experts, 'router_experts') : null;
        const R = windows.length * T;
        sampled.forEach((p, i) => {
          const doc = tokens[p.doc] as number[];
          const record = docs[p.doc] as { id: number; text: string };
          const info = details.get(record.id) as { metadata: Record<string, unknown>; annotations: unknown } | undefined;
          // window_position: where the graph saw the token (the positional detector's x)
          const metadata: Record<string, unknown> = { ...(info?.metadata ?? {}), window_position: p.position - (plan.windows[p.window] as Window).start };
          const spans = (info?.annotations as { pos?: Array<[number, number, string]> } | null | undefined)?.pos;
          if (Array.isArray(spans)) {
            const tag = posOfToken(tokenizer, record.text, doc, p.position, spans);
            if (tag !== undefined) metadata.pos = tag;
          }
          const residual = new Float32Array(L * D);
          const ffn = new Float32Array(L * F);
          for (let l = 0; l < L; l++) {
            residual.set(resid.subarray((l * P + i) * D, (l * P + i + 1) * D), l * D);
            ffn.set(post.subarray((l * P + i) * F, (l * P + i + 1) * F), l * F);
          }
          pending.push({
            documentId: record.id,
            position: p.position,
            tokenId: doc[p.position] as number,
            token: tokenizer.tokenText(doc[p.position] as number),
            metadata,
            loss: p.position + 1 < doc.length ? (nllOut[i] as number) : null,
            residual,
            ffn,
            ...(chosen && moe
              ? {
                  experts: Uint16Array.from({ length: L * moe.topK }, (_, j) => {
                    const l = Math.floor(j / moe.topK);
                    return Number(chosen[(l * R + (positions[i] as number)) * moe.topK + (j % moe.topK)]);
                  }),
                }
              : {}),
          });
        });
        phases.add('samples', performance.now() - t0);
      } else {
        phases.add('prepare', performance.now() - t0);
        out = await phases.timeAsync('run', () => session.run(feeds));
      }
      t0 = performance.now();
      addBatch(acc, statsBatchFromOutputs(out));
      if (router) {
        const probs = asFloat32(out.router_probs, 'router_probs');
        addRouterBatch(router, { rows: mask.length, probs, experts: asInt64(out.router_experts, 'router_experts'), weights: asFloat32(out.router_weights, 'router_weights'), counted: mask });
      }
      if (top) {
        const rows = { seqLen: T, docs: windows.map((w) => (docs[w.doc] as { id: number }).id), starts: windows.map((w) => w.start) };
        addTopKBatch(top, topKBatchFromOutputs(out, rows));
      }
      if (residTop) {
        const rows = { seqLen: T, docs: windows.map((w) => (docs[w.doc] as { id: number }).id), starts: windows.map((w) => w.start), ids };
        addResidTopBatch(residTop, residTopBatchFromOutputs(out, rows));
      }
      done += windows.reduce((n, w) => n + w.counted, 0);
      phases.add('fold', performance.now() - t0);
      t0 = performance.now();
      const last = b === batches.length - 1;
      if (last || Date.now() - committedAt >= interval) {
        saveCheckpoint(db, dataset.id, { batchesDone: b + 1, tokens: done, stats: toStored(acc), top, samples: pending, ...(residTop ? { residTop: residTopRows(residTop) } : {}), ...(router ? { router: routerStatsToJson(router) } : {}) });
        pending = [];
        committedAt = Date.now();
        interval = commitInterval(performance.now() - t0);
        if (!last) checkpointer?.request();
        else if (checkpointer) {
          // the last commit's log is copied here, in the job's time, as SQLite's own checkpoint would be
          await checkpointer.close();
          db.pragma('wal_checkpoint(PASSIVE)');
        }
        phases.add('commit', performance.now() - t0);
      }
      ctx.progress(done, plan.tokens, 'tokens', null);
    }
    if (process.env.FFN_LAB_CAPTURE_PROFILE === '1') process.stderr.write(`${phases.report()}\n`);
  } finally {
    await checkpointer?.close();
    await session.release();
    await sampler?.release();
  }
  markDatasetReady(db, dataset.id);
  return { dataset: { id: dataset.id, name: dataset.name, tokens: done, documents: tokens.length, windows: plan.windows.length, layers: L, neurons: F, warnings } };
}
