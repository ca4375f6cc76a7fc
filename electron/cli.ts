// Headless commands for offline studies: the same jobs and database as the app. With --json,
// stdout carries exactly one JSON document (the result); progress and messages go to stderr.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { findModel, findModelByPath, getModel } from '../db/models.js';
import { findCorpus } from '../db/corpora.js';
import { loadWeightScan } from '../db/weights.js';
import { layerSummary, listNeurons, neuronDetail } from './neurons.js';
import { expertsSummary } from './experts.js';
import type { DetectOptions } from './analysis/detectors.js';
import { THRESHOLD_FIELDS } from '../common/detector-defaults.js';
import type { Corpus, Job, MassiveDims, Model, ModelMetadata, WeightScanResult } from './api.js';
import { Backend } from './backend.js';
import { resolveDataDir } from './data-dir.js';
import { nodeWorkerSpawner } from './jobs/spawn-node.js';
import { workerScript } from './paths.js';
import { finished, runToEnd } from './run-to-end.js';
import { formatStat } from '../common/format.js';
import { generateGreedy, logitsFor, tokenizerFor, type ProviderReport, type RunPlace } from './inference.js';
import { decodeModelIds, loadTokenizer } from '../native-models/tokenizers/tokenizer.js';
import { parseProviders } from '../native-models/runtime/providers.js';
import { modelSummary } from './models.js';
import fs from 'node:fs';
import { z } from 'zod';
import { AblationMethod, NeuronRef, RankScore, type AblationResult, type AblationSummary, type SetSource, type VerdictKind } from './api.js';
import type { CorpusRecord } from '../db/corpora.js';
import { ablationEditFor } from './ablation-sets.js';
import { generateSteeredAt, steeringEditFor } from './steering.js';
import { parseWeightRef } from '../common/weight-refs.js';
import type { ExpertAblation, WeightRef } from './api.js';
import { mergeCaptures } from './datasets-merge.js';
import { openDatabaseReadOnly, type Db } from '../db/database.js';
import { projectionData } from './manifold.js';
import { measureIntrinsicAll, projectionInput } from './jobs/project/run.js';
import { JobInputError } from './jobs/definition.js';
import { compareDatasets } from './compare.js';
import { compareText, sensitivityJson, sensitivityText, writeCompareFiles } from './cli-compare.js';
import { clusterCommand } from './cli-cluster.js';
import { datasetsCommand } from './cli-datasets.js';
import { lensCommand, patchCommand } from './cli-patching.js';
import { writeNotebook } from './cli-notebook.js';
import { compareParams, sweepParams } from './ablations.js';
import { CaptureParams as CaptureParamsSchema, type AblateParams, type CaptureParams } from './api.js';

const USAGE = `usage: ffn-lab <command> [options]      (or: npm run cli -- <command> [options])

commands:
  import <path> [--name N]                import a model: a Hugging Face folder, a .safetensors file, a llama2.c .bin or a .gguf
  models list                             list imported models
  tokenizer attach --model M PATH         attach a tokenizer to a model imported without one: a tokenizer.json, a
                                          llama2.c tokenizer.bin, or a folder holding one; loaded first (a malformed one
                                          or a larger vocabulary than the model's is refused); preferred from then on
  tokenizer detach --model M              forget the attached tokenizer (the one beside the checkpoint, if any, is used)
  models show <model>                     one model: its checkpoint metadata (GGUF key/values, config.json, llama2.c
                                          header; long arrays summarized) and its tensor types (e.g. Q4_K: 7 tensors, F32: 3)
  scan <model> [--rescan]                 the weight scan made at import: per tensor NaN/Inf/subnormal counts, min,
                                          max, mean, std, kurtosis, largest |w|; invalid entries; super-weight candidates;
                                          for quantized (GGUF) tensors the per-block scales d: |d| range, largest block
                                          --rescan reads the files again first (a job) and replaces the stored scan
  logits --model M --ids 1,2,3            logits at every position (M: a model id, name, or a path to import)
  generate --model M (--prompt TEXT | --prompt-ids 1,2) [--max-new N] [--greedy]
                                          greedy continuation with a KV cache (one run per new token)
    [--provider cuda,cpu]                 execution providers to try in order (cuda, dml, coreml, webgpu, cpu);
                                          default: the platform's accelerator when present, then cpu
  capture --model M --corpus C [--max-tokens N] [--seq-len T] [--stride S] [--batch B] [--threshold X]
          [--fire positive|magnitude] [--top-k K] [--genre G] [--where FIELD=VALUE] [--names-file F]
          [--skip-documents N] [--documents N] [--samples N] [--seed S] [--name N]
                                          per-neuron statistics of a model over a corpus (a resumable job); a neuron
                                          fires when a > X (positive, default) or |a| > X (magnitude); --samples: tokens
                                          whose hidden states are kept (default: up to 4096; 0: none)
    [--order shuffled|stratified|corpus] [--order-seed S] [--stratify-by FIELD]
    [--split train|validation [--split-fraction F] [--split-seed S]] [--tokens-per-document N]
                                          (capture, ablate, sweep, evaluate, sensitivity) the order documents are read
                                          in: shuffled by S (default 0), round-robin over FIELD's values (default genre),
                                          or corpus order; a budget takes them from the front. --split: only one part of
                                          a split by seed (a document is in validation when its name hashes below F,
                                          default 0.1); --tokens-per-document: the first N tokens of each document
  neurons --dataset D [--dead] [--constant] [--never-positive] [--rare X] [--massive] [--heavy] [--ngram]
          [--positional] [--layer L] [--expert E|shared] [--sort FIELD] [--asc] [--limit K] [--eps E] [--massive-ratio R]
          [--massive-min-peak P] [--kurtosis K] [--kurtosis-min-tokens N] [--kurtosis-min-firing N]
          [--dead-eps E] [--dead-min-tokens N] [--constant-eps E] [--token-coverage C] [--token-max-types N]
          [--token-min-firings N] [--token-min-recall R] [--positional-share S] [--positional-bins B]
          [--positional-min-samples N]
                                          per-neuron statistics with the detectors' verdicts (filters combine with OR);
                                          --eps: dead/constant tolerance relative to the layer's typical |activation|;
                                          --expert (mixture of experts): only that expert's units
  layers --dataset D                      per layer: tokens, dead neurons, mean fraction of the layer active per token, its distribution
  experts --dataset D [--layer L] [--rare X] [--limit K]
                                          mixture-of-experts captures: per layer the router's mean entropy, the load-balance
                                          CV, and per expert its load, top-k and top-1 rates, mean weight and probability,
                                          dead (never routed; rate < 3/tokens at 95%) or rare (rate < X, default 0.001);
                                          the K expert pairs chosen together most often (default 10)
  massive-dims D [--min-ratio R] [--min-abs A] [--min-share S]
                                          massive activations in the residual stream of capture D: per layer the dims
                                          whose max |value| >= R x the layer's median |value| (default 100) and >= A
                                          (default 20), where they occur, their first layer, and the W_out weights of
                                          that layer that can write >= S (default 0.5) of the value (super-weight candidates)
  neuron --dataset D --layer L --neuron N one neuron: statistics, verdicts, top contexts, promoted/suppressed tokens, weight norms
  ablate --model M --corpus C [--dataset D] --set SET [--control random] [--seed S] [--method zero|mean|resample]
         [--max-tokens N] [--seq-len T] [--batch B] [--genre G] [--documents N] [--skip-documents N] [--resamples R]
                                          loss, perplexity, KL and top-1 agreement with and without SET, with bootstrap
                                          95% intervals over documents. SET: dead | constant | never-positive | rare |
                                          massive | heavy | ngram | positional (verdicts of capture D; a constant set
                                          defaults to --method mean), set:ID (a saved set), or FILE.json ([{"layer":0,"neuron":5}, ...]).
                                          --control random: a random set matched in size and per-layer counts
    [--experts L:E,... [--expert-mode unrouted|zeroed]]
                                          mixture of experts: also (or, without --set, only) take out whole experts:
                                          unrouted (default; router logit -inf before the family's rule, the others are
                                          chosen and weighted among themselves) or zeroed (routing kept, output 0); with
                                          --control random, as many random other experts of each layer, the same way
    [--weight L:F:D[=V] ...]              also (or, without --set, only) set single weights W_out[F→D] of layer L to 0
                                          (or V); repeatable. With --control random, each gets a random weight of its
                                          layer with a similar |value| rank as control
  sweep --model M --corpus C --dataset D --criterion fire_rate|mean_abs|value_norm|wanda [--desc]
        [--fractions 0.1,0.2,...] [--method ...] [--max-tokens N] ...
                                          ablate growing fractions of all neurons in ranking order (lowest score first;
                                          --desc: highest first) and matched random sets; curves with intervals
  merge --name N SOURCE SOURCE...          one capture from captures of one model over disjoint documents of one corpus
                                          (e.g. split across machines); SOURCE: a capture id here, or FILE.sqlite:ID in
                                          another machine's database (its model and corpus must be imported here too)
  evaluate --model M --corpus C [--names-file F] [--genre G] [--documents N] [--skip-documents N] [--max-tokens N]
           [--seq-len T]                  loss and perplexity of the intact model (windows of T, each on its own), with a
                                          bootstrap 95% interval over documents; F: a JSON list of document names
  ablations list                          stored ablation runs
  patch --model M (--clean T --corrupt T --target " Paris" [--foil " Rome"] | --pairs F.jsonl)
        [--metric logit-diff|loss] [--top N] [--search-layers K] [--name N]
                                          exact activation patching of FFN neurons (same token count in both prompts):
                                          each layer's whole FFN at each position and at all, both directions, then
                                          every neuron of the K most effective layers (default 2); the N best (default 20)
  patch --rerun ID | patch list [--model M]   repeat a stored patching run exactly; list them
  lens --model M --prompt TEXT [--target TOKEN] [--top K]
                                          logit lens of the residual stream: final norm + unembedding after every layer
  notebook --model M --out FILE          the model's study notebook: imports, weight scans, captures, ablations and
                                          projections in order, with their settings and how to run each again;
                                          FILE.md (Markdown) or FILE.html (one self-contained page, figures inline)
  generate ... --ablate SET [--dataset D] [--method zero|mean]
                                          the continuation with SET ablated, beside the intact one
  generate ... --steer SET --capture D --strength X [--steer-layers 0,2] [--steer-by mean|value]
                                          the continuation with SET steered (each neuron's activation + X x its mean over
                                          capture D, at every step; --steer-by value: + X, i.e. X x its value vector added
                                          to the FFN output, no capture needed), beside the intact one, with the KL per step
                                          and its mean
  project --dataset D [--layer L] [--method pca|umap] [--dims 3] [--seed S] [--max-points N] [--space residual|ffn]
          [--shared-basis] [--ablate L:N,L:N --ablate-method zero|mean] [--layout-threads T]
                                          project the capture's sampled hidden states (a job; stored for the manifold view)
  intrinsic-dim --dataset D [--space residual|ffn]
                                          per layer: TwoNN intrinsic dimension and PCA-90 (components for 90% of variance)
  sensitivity --model M --corpus C [--names-file F] [--layers 0,1,...] [--fraction 0.25] [--seed S] [--max-tokens N] ...
                                          layer sensitivity (one ablation run): per layer, Δ loss when its whole FFN is
                                          zeroed and when a seeded random --fraction of its neurons is, with 95% intervals
  compare --datasets A,B[,C...] [--ablations X,Y] [--out DIR]
                                          models side by side on the same text (captures that read other text are
                                          refused with the reason): parameters, FLOPs/token, held-out loss, and per layer
                                          (aligned by relative depth) fire rates, active fraction, verdict shares, massive
                                          dims, intrinsic dimension, sensitivity; --out: models/layers as CSV and LaTeX
  cluster plan capture|ablate|sweep --shards N --out DIR [the command's own options] [--sbatch OPT ...] [--submit]
          [--name N] [--ffn-lab CMD] [--engine slurm|k8s --image IMG --pvc CLAIM [--mount-path P] [--gpus G]]
                                          a study folder for a Slurm job array (one shard of the documents per task, a
                                          merge job after it with --dependency=afterok); --sbatch: #SBATCH options passed
                                          through (--sbatch=--partition=gpu --sbatch=--gres=gpu:1 --sbatch=--time=2:00:00);
                                          --submit: sbatch it now; --engine k8s: a Kubernetes Indexed Job manifest instead
  cluster submit DIR [--only 1,3]         submit the shards not done (or the ones given) and a merge job after them
  cluster status DIR                      per shard: done / running / queued / interrupted / failed / not started
                                          (shard databases, and sacct or squeue), and what to resubmit
  cluster merge DIR [--partial]           merge the shards into DIR/merged/ffn-lab.sqlite (--partial: those done so far)
  cluster import DIR [--partial]          merge the study's shards into this database (--data-dir)
  shard run DIR --index I                 run shard I of a study (what each array task runs; resumes, never redoes)
  corpus import <path|brown> [--name N]   import a .txt file, a folder of .txt files, a .jsonl file, or the Brown corpus
  corpus list                             list corpora
  datasets list                           list captures: id, name, model, corpus, tokens
  datasets rename <id> --name N           rename a capture
  datasets delete <id>                    delete a capture with its statistics, samples and projections (ablation runs
                                          that used it keep their results)
  export --dataset D [--format safetensors|csv] --out DIR
                                          per-neuron statistics, top examples and sampled hidden states for notebooks:
                                          DIR/capture.safetensors (default) or CSV files, with DIR/capture.json describing
                                          them (README: Export for notebooks)
  jobs list                               list jobs (newest first)
  jobs resume <id>                        resume an interrupted job and wait for it
  jobs discard <id>                       discard an interrupted or failed job and its partial output

options:
  --json            print one machine-readable JSON result on stdout
  --data-dir DIR    database folder (default: $FFN_LAB_DATA or the per-user app data folder)
  --precision fp16|fp32
                    what the weight matrix products compute in (default fp32); fp16 needs a GPU
                    provider (cuda, dml, coreml, webgpu) and is refused on CPU; statistics stay fp32.
                    The same as FFN_LAB_PRECISION for every session this command and its jobs make
  -h, --help        this help`;

class UsageError extends Error {}

function massiveDimsText(r: MassiveDims): string {
  const t = r.thresholds;
  if (!r.available) return `massive dims unavailable: ${r.reason}`;
  const num = (x: number | null, digits = 4) => (x === null ? 'inf' : x.toPrecision(digits));
  const at = (w: MassiveDims['dims'][number]['where']) => w.slice(0, 3).map((o) => `${o.document}:${o.position} ${JSON.stringify(o.token ?? o.token_id)} (${num(o.value)})`).join('; ');
  const lines = [`massive residual dims: max |value| >= ${t.min_ratio} x the layer's median |value| and >= ${t.min_abs} (medians over ${r.samples} sampled tokens)`];
  lines.push(
    table([
      ['layer', 'median', 'dim', 'max |value|', 'ratio', 'first layer', 'where (document:position token (value))'],
      ...r.layers.flatMap((l) =>
        l.dims.length === 0 ? [[String(l.layer), num(l.median, 3), '-', '', '', '', '']] : l.dims.map((d) => [String(l.layer), num(l.median, 3), String(d.dim), num(d.max_abs), d.ratio === null ? 'inf' : `${d.ratio >= 100 ? d.ratio.toFixed(0) : d.ratio.toPrecision(3)}x`, String(d.first_layer), at(d.where)]),
      ),
    ]),
  );
  if (r.dims.length === 0) return [...lines, 'no massive dims'].join('\n');
  lines.push('', `super-weight candidates (${r.super_weight_rule}):`);
  for (const d of r.dims) {
    lines.push(`  dim ${d.dim} (first massive in layer ${d.first_layer}, max |value| ${num(d.max_abs)}): ${d.candidates === 0 ? 'no single weight writes it (many weights, attention or the embeddings)' : `${d.candidates} candidate${d.candidates === 1 ? '' : 's'}`}`);
    lines.push(
      ...table([
        ['layer', 'neuron', 'dim', 'weight', 'peak |act|', 'contribution', 'share', ''],
        ...d.super_weights.map((c) => [String(c.layer), String(c.neuron), String(c.dim), c.weight.toPrecision(4), num(c.peak_abs), num(c.contribution), num(c.share, 3), c.candidate ? 'candidate' : '']),
      ])
        .split('\n')
        .map((x) => `    ${x}`),
    );
  }
  return lines.join('\n');
}

interface Io {
  json: boolean;
  out(value: unknown, text: () => string): void;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

function corpusSummary(c: Pick<Corpus, 'id' | 'name' | 'documents' | 'bytes'>) {
  return { id: c.id, name: c.name, documents: c.documents, bytes: c.bytes };
}

/** Resolves --model: an imported model's id or name, else a path imported now. */
async function resolveModel(b: Backend, arg: string | undefined): Promise<Model> {
  if (!arg) throw new UsageError('--model is required: a model id, a name, or a checkpoint path');
  // an id, a name, or a path imported before (not imported again)
  const known = findModel(b.db, arg) ?? findModelByPath(b.db, path.resolve(arg));
  if (known) return modelSummary(known);
  const { job } = (await b.handle('model.import', { path: arg })) as { job: Job };
  return (finished(await runToEnd(b, job)).result as { model: Model }).model;
}

/** "1,2,3" -> ids; a usage error naming the flag otherwise. */
function idList(text: string | undefined, flag: string, what: string): number[] {
  if (!text) throw new UsageError(`${flag} is required, e.g. ${flag} 1,2`);
  const items = text.split(',').map((t) => t.trim());
  const bad = items.find((t) => !/^\d+$/.test(t));
  if (bad !== undefined) throw new UsageError(`${flag}: "${bad}" is not a ${what}; expected comma-separated non-negative integers`);
  return items.map(Number);
}

function parseIds(text: string | undefined, flag: string): number[] {
  if (!text) throw new UsageError(`${flag} is required, e.g. ${flag} 1,2,3`);
  const ids = text.split(',').map((t) => t.trim());
  const bad = ids.find((t) => !/^\d+$/.test(t));
  if (bad !== undefined) throw new UsageError(`${flag}: "${bad}" is not a token id; expected comma-separated non-negative integers`);
  return ids.map(Number);
}

/** "Q4_K: 7 tensors, F32: 3, Q8_0: 1" (most tensors first). */
function tensorTypesText(types: ModelMetadata['tensorTypes']): string {
  return types.map((t, i) => `${t.dtype}: ${t.tensors}${i === 0 ? (t.tensors === 1 ? ' tensor' : ' tensors') : ''}`).join(', ') || 'none scanned';
}

/** "64 blocks of 32, |d| 0.001..0.003 (median 0.002); largest block 17 at [5, 0]..[5, 31], d = 0.003 (1.5x median)" */
function blockScalesText(b: NonNullable<WeightScanResult['tensors'][number]['blockScales']>): string {
  const g = (v: number | null) => (v === null ? '?' : Number(v.toPrecision(4)).toString());
  const range = b.min === null ? 'no finite |d|' : `|d| ${g(b.min)}..${g(b.max)} (median ${g(b.median)})`;
  const nf = b.nonFinite ? `, ${b.nonFinite} NaN/Inf` : '';
  const m = b.maxBlock;
  const top = m ? `; largest block ${m.index} at [${m.start.join(', ')}]..[${m.end.join(', ')}], d = ${g(m.d)}${m.ratio === null ? '' : ` (${m.ratio.toFixed(1)}x median)`}` : '';
  return `${b.blocks} blocks of ${b.blockSize}, ${range}${nf}${top}`;
}

function modelLine(m: Model): string {
  return `model ${m.id} "${m.name}": ${m.architecture} (${m.family}), ${m.layers} layers, d_model ${m.dModel}, d_ff ${m.dFf}, ${m.params} params, ${m.activation}`;
}

const OPTIONS = {
  name: { type: 'string' },
  model: { type: 'string' },
  ids: { type: 'string' },
  prompt: { type: 'string' },
  'prompt-ids': { type: 'string' },
  'max-new': { type: 'string' },
  greedy: { type: 'boolean' },
  provider: { type: 'string' },
  precision: { type: 'string' },
  corpus: { type: 'string' },
  'max-tokens': { type: 'string' },
  'seq-len': { type: 'string' },
  stride: { type: 'string' },
  batch: { type: 'string' },
  threshold: { type: 'string' },
  'top-k': { type: 'string' },
  genre: { type: 'string' },
  documents: { type: 'string' },
  samples: { type: 'string' },
  seed: { type: 'string' },
  dataset: { type: 'string' },
  dead: { type: 'boolean' },
  constant: { type: 'boolean' },
  'never-positive': { type: 'boolean' },
  ngram: { type: 'boolean' },
  'token-specific': { type: 'boolean' },
  positional: { type: 'boolean' },
  eps: { type: 'string' },
  fire: { type: 'string' },
  rare: { type: 'string' },
  massive: { type: 'boolean' },
  heavy: { type: 'boolean' },
  layer: { type: 'string' },
  expert: { type: 'string' },
  neuron: { type: 'string' },
  sort: { type: 'string' },
  asc: { type: 'boolean' },
  limit: { type: 'string' },
  'massive-ratio': { type: 'string' },
  'min-ratio': { type: 'string' },
  'min-abs': { type: 'string' },
  'min-share': { type: 'string' },
  'massive-min-peak': { type: 'string' },
  kurtosis: { type: 'string' },
  'dead-eps': { type: 'string' },
  'dead-min-tokens': { type: 'string' },
  'constant-eps': { type: 'string' },
  'kurtosis-min-tokens': { type: 'string' },
  'kurtosis-min-firing': { type: 'string' },
  'token-coverage': { type: 'string' },
  'token-max-types': { type: 'string' },
  'token-min-firings': { type: 'string' },
  'token-min-recall': { type: 'string' },
  'positional-share': { type: 'string' },
  'positional-bins': { type: 'string' },
  'positional-min-samples': { type: 'string' },
  set: { type: 'string' },
  control: { type: 'string' },
  method: { type: 'string' },
  resamples: { type: 'string' },
  'skip-documents': { type: 'string' },
  criterion: { type: 'string' },
  desc: { type: 'boolean' },
  fractions: { type: 'string' },
  ablate: { type: 'string' },
  steer: { type: 'string' },
  capture: { type: 'string' },
  strength: { type: 'string' },
  'steer-layers': { type: 'string' },
  'steer-by': { type: 'string' },
  dims: { type: 'string' },
  'max-points': { type: 'string' },
  'layout-threads': { type: 'string' },
  space: { type: 'string' },
  'shared-basis': { type: 'boolean' },
  'ablate-method': { type: 'string' },
  weight: { type: 'string', multiple: true },
  experts: { type: 'string' },
  'expert-mode': { type: 'string' },
  rescan: { type: 'boolean' },
  'names-file': { type: 'string' },
  order: { type: 'string' },
  'order-seed': { type: 'string' },
  'stratify-by': { type: 'string' },
  split: { type: 'string' },
  'split-fraction': { type: 'string' },
  'split-seed': { type: 'string' },
  'tokens-per-document': { type: 'string' },
  where: { type: 'string' },
  datasets: { type: 'string' },
  ablations: { type: 'string' },
  out: { type: 'string' },
  layers: { type: 'string' },
  fraction: { type: 'string' },
  shards: { type: 'string' },
  submit: { type: 'boolean' },
  sbatch: { type: 'string', multiple: true },
  engine: { type: 'string' },
  index: { type: 'string' },
  image: { type: 'string' },
  pvc: { type: 'string' },
  'mount-path': { type: 'string' },
  gpus: { type: 'string' },
  only: { type: 'string' },
  partial: { type: 'boolean' },
  'ffn-lab': { type: 'string' },
  format: { type: 'string' },
  clean: { type: 'string' },
  corrupt: { type: 'string' },
  target: { type: 'string' },
  foil: { type: 'string' },
  pairs: { type: 'string' },
  metric: { type: 'string' },
  top: { type: 'string' },
  'search-layers': { type: 'string' },
  rerun: { type: 'string' },
} as const;

const SORT_FIELDS = ['tokens', 'mean', 'std', 'min', 'max', 'peak_abs', 'mean_abs', 'fire_count', 'fire_rate', 'kurtosis', 'peak_ratio'] as const;

/** Every detector threshold from its flag (THRESHOLD_FIELDS); --eps sets the dead and constant ε together. */
function detectOptions(values: Record<string, unknown>): DetectOptions {
  const eps = numberFlag(values, 'eps', 'number');
  const out: Record<string, Record<string, number>> = eps !== undefined ? { dead: { relEps: eps }, constant: { relEps: eps } } : {};
  for (const f of THRESHOLD_FIELDS) {
    const v = numberFlag(values, f.flag.slice(2), f.integer ? 'integer' : 'number');
    if (v !== undefined) out[f.detector] = { ...out[f.detector], [f.key]: v };
  }
  return out as DetectOptions;
}

function fireFlag(value: unknown): 'positive' | 'magnitude' {
  if (value !== 'positive' && value !== 'magnitude') throw new UsageError(`--fire must be positive (a > threshold) or magnitude (|a| > threshold), got "${String(value)}"`);
  return value;
}

function datasetFlag(values: Record<string, unknown>): number {
  const id = numberFlag(values, 'dataset', 'integer');
  if (id === undefined) throw new UsageError('--dataset is required: a dataset id (the "id" that capture printed)');
  return id;
}

/** An optional numeric flag: undefined when absent, a usage error naming it when not a number of the right kind. */
function numberFlag(values: Record<string, unknown>, flag: string, kind: 'integer' | 'number'): number | undefined {
  const text = values[flag];
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text === '' || !Number.isFinite(n) || (kind === 'integer' && (!Number.isInteger(n) || n < 0))) {
    throw new UsageError(`--${flag} must be ${kind === 'integer' ? 'a non-negative integer' : 'a number'}, got "${String(text)}"`);
  }
  return n;
}

/** An optional flag with a fixed set of values. */
function oneOf<T extends string>(value: unknown, flag: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly unknown[]).includes(value)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}; got "${String(value)}"`);
  return value as T;
}

/** "0:12,3:7" -> neurons (layer:neuron pairs). */
function parseNeurons(text: string): Array<{ layer: number; neuron: number }> {
  return text.split(',').map((pair) => {
    const m = /^\s*(\d+):(\d+)\s*$/.exec(pair);
    if (!m) throw new UsageError(`--ablate: "${pair}" is not layer:neuron; expected e.g. --ablate 0:12,3:7`);
    return { layer: Number(m[1]), neuron: Number(m[2]) };
  });
}

/** --weight L:F:D or L:F:D=V, repeatable: single W_out weights to set (to 0, or V). */
function weightFlags(values: Record<string, unknown>): WeightRef[] {
  const texts = (values.weight as string[] | undefined) ?? [];
  return texts.map((text) => {
    const w = parseWeightRef(text);
    if (!w) throw new UsageError(`--weight: "${text}" is not layer:neuron:dim (W_out[neuron→dim] of the layer), optionally =value; expected e.g. --weight 1:42:7 or --weight 1:42:7=0.5`);
    return w;
  });
}

/** --experts 0:1,1:3 [--expert-mode unrouted|zeroed]: whole experts of a mixture-of-experts model. */
function expertsFlag(values: Record<string, unknown>): ExpertAblation | undefined {
  const mode = oneOf(values['expert-mode'], 'expert-mode', ['unrouted', 'zeroed'] as const);
  const text = values.experts as string | undefined;
  if (text === undefined) {
    if (mode !== undefined) throw new UsageError('--expert-mode needs --experts layer:expert,...');
    return undefined;
  }
  const list = text.split(',').map((part) => {
    const m = /^(\d+):(\d+)$/.exec(part.trim());
    if (!m) throw new UsageError(`--experts: "${part}" is not layer:expert; expected e.g. --experts 0:1,3:5`);
    return { layer: Number(m[1]), expert: Number(m[2]) };
  });
  return { mode: mode ?? 'unrouted', list };
}

function runPlace(b: Backend, providers: string | undefined): RunPlace {
  try {
    return { dataDir: b.dataDir, ...(providers ? { providers: parseProviders(providers) } : {}) };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Tells on stderr which execution provider ran, and why preferred ones did not. */
function reportProvider(r: ProviderReport): string {
  const failed = r.failedProviders.map((f) => `; ${f.provider} unavailable: ${f.error.split('\n')[0]}`).join('');
  return `provider ${r.provider}${failed}`;
}

const VERDICT_FLAGS: Record<string, VerdictKind> = {
  dead: 'dead',
  constant: 'constant',
  'never-positive': 'never_positive',
  never_positive: 'never_positive',
  rare: 'rare',
  massive: 'massive',
  heavy: 'heavy_tailed',
  heavy_tailed: 'heavy_tailed',
  ngram: 'token_specific',
  'token-specific': 'token_specific',
  token_specific: 'token_specific',
  positional: 'positional',
};
const VERDICT_WORDS = 'dead, constant, never-positive, rare, massive, heavy, ngram, positional';

/** --set: a verdict of the capture, set:ID, or a JSON file of neurons. */
function setSource(values: Record<string, unknown>, flag: 'set' | 'ablate' | 'steer'): SetSource {
  const text = values[flag];
  if (typeof text !== 'string' || text === '') throw new UsageError(`--${flag} is required: ${VERDICT_WORDS}, set:ID or a FILE.json of neurons`);
  const verdict = VERDICT_FLAGS[text];
  if (verdict) return { kind: 'verdict', datasetId: datasetFlag(values), verdict, detect: detectOptions(values) };
  const saved = /^set:(\d+)$/.exec(text);
  if (saved) return { kind: 'saved', id: Number(saved[1]) };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(text, 'utf8'));
  } catch (err) {
    throw new UsageError(`--${flag} ${text}: not a verdict (${VERDICT_WORDS}), not set:ID, and not a readable JSON file (${(err as Error).message})`);
  }
  const list = Array.isArray(raw) ? raw : (raw as { neurons?: unknown }).neurons;
  const neurons = Array.isArray(list) ? list.map((n: unknown) => (Array.isArray(n) ? { layer: n[0], neuron: n[1] } : n)) : [];
  const parsed = z.array(NeuronRef).min(1).safeParse(neurons);
  if (!parsed.success) throw new UsageError(`--${flag} ${text}: expected a non-empty JSON list of {"layer": L, "neuron": N} (or [L, N] pairs, or {"neurons": [...]})`);
  return { kind: 'neurons', neurons: parsed.data, label: path.basename(text, '.json') };
}

/** --names-file: a JSON list of document names (or an object whose "validation" is one, like the demo recipe's split.json). */
function namesFlag(values: Record<string, unknown>): { names?: string[] } {
  const file = values['names-file'];
  if (typeof file !== 'string') return {};
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--names-file ${file}: not a readable JSON file (${(err as Error).message})`);
  }
  const list = Array.isArray(raw) ? raw : (raw as { validation?: unknown }).validation;
  const parsed = z.array(z.string().min(1)).min(1).safeParse(list);
  if (!parsed.success) throw new UsageError(`--names-file ${file}: expected a JSON list of document names, or {"validation": [...]}`);
  return { names: parsed.data };
}

/** --order, --order-seed, --stratify-by: the order documents are read in (a budget takes them from the front). */
function orderFlags(values: Record<string, unknown>) {
  const order = values.order ?? 'shuffled';
  if (order !== 'shuffled' && order !== 'stratified' && order !== 'corpus') throw new UsageError(`--order must be shuffled (seeded, the default), stratified (round-robin over --stratify-by FIELD) or corpus, got "${String(order)}"`);
  if (values['stratify-by'] !== undefined && order !== 'stratified') throw new UsageError('--stratify-by FIELD needs --order stratified');
  const seed = numberFlag(values, 'order-seed', 'integer');
  if (seed !== undefined && seed < 0) throw new UsageError(`--order-seed must be a non-negative integer, got ${seed}`);
  return { order, ...(seed !== undefined ? { seed } : {}), ...(typeof values['stratify-by'] === 'string' ? { stratifyBy: values['stratify-by'] } : {}) };
}

/** --split train|validation [--split-fraction F] [--split-seed S]: one part of a split of the corpus by seed. */
function splitFlags(values: Record<string, unknown>) {
  const part = values.split;
  if (part === undefined) {
    if (values['split-fraction'] !== undefined || values['split-seed'] !== undefined) throw new UsageError('--split-fraction and --split-seed need --split train|validation');
    return {};
  }
  if (part !== 'train' && part !== 'validation') throw new UsageError(`--split must be train or validation, got "${String(part)}"`);
  const fraction = numberFlag(values, 'split-fraction', 'number') ?? 0.1;
  if (!(fraction > 0 && fraction < 1)) throw new UsageError(`--split-fraction must be between 0 and 1 (the share of documents held out for validation), got ${fraction}`);
  const seed = numberFlag(values, 'split-seed', 'integer') ?? 0;
  if (seed < 0) throw new UsageError(`--split-seed must be a non-negative integer, got ${seed}`);
  return { split: { part, fraction, seed } };
}

/**
 * --genre, --where field=value, --names-file, --split, --order, --skip-documents, --documents,
 * --tokens-per-document: which documents a job reads, in which order, and how much of each.
 */
function documentFilter(values: Record<string, unknown>) {
  const documents = numberFlag(values, 'documents', 'integer');
  const offset = numberFlag(values, 'skip-documents', 'integer');
  const perDocument = numberFlag(values, 'tokens-per-document', 'integer');
  if (perDocument !== undefined && perDocument < 2) throw new UsageError(`--tokens-per-document must be at least 2 (a prediction needs two tokens), got ${perDocument}`);
  let metadata: { field: string; value: string | number } | undefined;
  if (typeof values.where === 'string') {
    const m = /^([^=]+)=(.*)$/.exec(values.where);
    if (!m || m[1]!.trim() === '' || m[2]!.trim() === '') throw new UsageError(`--where must read field=value (a metadata field of the corpus), got "${values.where}"`);
    const raw = m[2]!.trim();
    metadata = { field: m[1]!.trim(), value: /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw };
  }
  return {
    ...(values.genre ? { genre: values.genre as string } : {}),
    ...(metadata ? { metadata } : {}),
    ...(documents ? { documents } : {}),
    ...(offset ? { offset } : {}),
    ...namesFlag(values),
    ...orderFlags(values),
    ...splitFlags(values),
    ...(perDocument !== undefined ? { tokensPerDocument: perDocument } : {}),
  };
}

/** The warnings of a capture or run, one line each, for the text output. */
const warningLines = (warnings: readonly string[]): string[] => warnings.map((w) => `warning: ${w}`);

function evalFlags(values: Record<string, unknown>, modelId: number, corpusId: number) {
  const dataset = numberFlag(values, 'dataset', 'integer');
  const method = values.method ?? 'zero';
  if (!AblationMethod.options.includes(method as AblationMethod)) throw new UsageError(`--method must be zero, mean or resample, got "${String(method)}"`);
  return {
    modelId,
    corpusId,
    filter: documentFilter(values),
    ...(dataset !== undefined ? { datasetId: dataset } : {}),
    method: method as AblationMethod,
    ...(values.name ? { name: values.name as string } : {}),
    ...Object.fromEntries(
      ([['maxTokens', 'max-tokens'], ['seqLen', 'seq-len'], ['batch', 'batch'], ['resamples', 'resamples'], ['seed', 'seed']] as const)
        .map(([key, flag]) => [key, numberFlag(values, flag, 'integer')])
        .filter(([, v]) => v !== undefined),
    ),
  };
}

const ci = (m: { low: number | null; high: number | null }) => [m.low, m.high];
const pm = (m: { value: number; low: number | null; high: number | null }, digits = 4) =>
  `${m.value.toFixed(digits)} [${m.low?.toFixed(digits) ?? '?'}, ${m.high?.toFixed(digits) ?? '?'}]`;

async function corpusAndModel(b: Backend, values: Record<string, unknown>): Promise<{ model: Model; corpus: CorpusRecord }> {
  const model = await resolveModel(b, values.model as string | undefined);
  if (!values.corpus) throw new UsageError('--corpus is required: a corpus id or name (see ffn-lab corpus list)');
  const corpus = findCorpus(b.db, values.corpus as string);
  if (!corpus) throw new UsageError(`no corpus "${String(values.corpus)}"; see ffn-lab corpus list`);
  return { model, corpus };
}

/** capture.start's parameters from the capture command's flags (also what a cluster study's shards run). */
function captureParamsFromFlags(values: Record<string, unknown>, modelId: number, corpusId: number): Record<string, unknown> {
  return {
    modelId,
    corpusId,
    filter: documentFilter(values),
    ...(values.name ? { name: values.name } : {}),
    ...(values.fire !== undefined ? { fire: fireFlag(values.fire) } : {}),
    ...Object.fromEntries(
      ([['maxTokens', 'max-tokens', 'integer'], ['seqLen', 'seq-len', 'integer'], ['stride', 'stride', 'integer'], ['batch', 'batch', 'integer'], ['topK', 'top-k', 'integer'], ['threshold', 'threshold', 'number'], ['samples', 'samples', 'integer'], ['seed', 'seed', 'integer']] as const)
        .map(([key, flag, numKind]) => [key, numberFlag(values, flag, numKind)])
        .filter(([, v]) => v !== undefined),
    ),
  };
}

/** The job a cluster study runs: the parameters capture, ablate or sweep would start with the same flags. */
async function clusterJobParams(kind: 'capture' | 'ablate' | 'sweep', values: Record<string, unknown>, b: Backend): Promise<CaptureParams | AblateParams> {
  const { model, corpus } = await corpusAndModel(b, values);
  if (kind === 'capture') {
    return CaptureParamsSchema.parse(captureParamsFromFlags(values, model.id, corpus.id));
  }
  const record = getModel(b.db, model.id)!;
  if (kind === 'sweep') {
    const criterion = values.criterion ?? '';
    if (!RankScore.options.includes(criterion as RankScore)) throw new UsageError(`--criterion must be one of ${RankScore.options.join(', ')}, got "${String(criterion)}"`);
    const fractions = typeof values.fractions === 'string' ? values.fractions.split(',').map(Number) : undefined;
    if (fractions?.some((f) => !(f > 0 && f <= 1))) throw new UsageError(`--fractions must be comma-separated numbers in (0, 1], got "${String(values.fractions)}"`);
    return sweepParams(b.db, record, { ...evalFlags(values, model.id, corpus.id), datasetId: datasetFlag(values), criterion: criterion as RankScore, order: values.desc ? 'descending' : 'ascending', ...(fractions ? { fractions } : {}) });
  }
  if (values.control !== undefined && values.control !== 'random') throw new UsageError(`--control must be "random", got "${String(values.control)}"`);
  const weights = weightFlags(values);
  const set = values.set === undefined && weights.length > 0 ? undefined : setSource(values, 'set');
  const seed = numberFlag(values, 'seed', 'integer') ?? 0;
  return compareParams(b.db, record, { ...evalFlags(values, model.id, corpus.id), ...(set ? { set } : {}), ...(weights.length > 0 ? { weights } : {}), ...(values.control ? { control: { seed } } : {}) });
}

async function run(argv: string[], io: Io, backend: () => Backend): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (values.precision !== undefined) {
    if (values.precision !== 'fp16' && values.precision !== 'fp32') throw new UsageError(`--precision must be fp16 or fp32, got "${values.precision}"`);
    // every session of this command and of the jobs it starts (they inherit the environment)
    process.env['FFN_LAB_PRECISION'] = values.precision;
  }
  const [group, verb, ...rest] = positionals;
  const key = ['import', 'logits', 'generate', 'capture', 'scan', 'neurons', 'neuron', 'massive-dims', 'layers', 'experts', 'ablate', 'sweep', 'evaluate', 'merge', 'project', 'intrinsic-dim', 'compare', 'sensitivity', 'notebook', 'export', 'patch', 'lens'].includes(group ?? '') ? group! : `${group ?? ''} ${verb ?? ''}`;
  const args = key === group ? [verb, ...rest].filter((a): a is string => a !== undefined) : rest;
  switch (key) {
    case 'import': {
      if (!args[0]) throw new UsageError('import needs a checkpoint path');
      const b = backend();
      const { job } = (await b.handle('model.import', { path: args[0], ...(values.name ? { name: values.name } : {}) })) as { job: Job };
      const model = (finished(await runToEnd(b, job)).result as { model: Model }).model;
      const out = {
        id: model.id,
        name: model.name,
        arch: model.family,
        architecture: model.architecture,
        layers: model.layers,
        d_model: model.dModel,
        d_ff: model.dFf,
        params: model.params,
        activation: model.activation,
      };
      return io.out({ model: out }, () => `imported ${modelLine(model)}`);
    }
    case 'scan': {
      const b = backend();
      const model = await resolveModel(b, args[0]);
      if (values.rescan) finished(await runToEnd(b, ((await b.handle('model.rescan', { id: model.id })) as { job: Job }).job));
      const scan = loadWeightScan(b.db, model.id);
      const tensors = scan.tensors.map((t) => ({
        tensor: t.tensor,
        dtype: t.dtype,
        shape: t.shape,
        nan: t.nan,
        inf: t.inf,
        subnormal: t.subnormal,
        min: t.min,
        max: t.max,
        mean: t.mean,
        std: t.std,
        kurtosis: t.kurtosis,
        max_abs: t.maxAbs,
        max_abs_index: t.maxAbsIndex,
        block_scales: t.blockScales,
      }));
      const superWeights = scan.superWeights.map((w) => ({ layer: w.layer, index: [w.row, w.neuron], neuron: w.neuron, value: w.value, ratio: w.ratio, rule: w.rule }));
      return io.out({ tensors, invalid: scan.invalid, super_weights: superWeights }, () => {
        const bad = scan.tensors.filter((t) => t.invalidTotal > 0);
        const lines = [`${model.name}: ${scan.tensors.length} tensors scanned; ${bad.length === 0 ? 'no NaN or Inf values' : `${bad.length} with NaN/Inf values:`}`];
        for (const t of bad) lines.push(`  ${t.tensor}: ${t.nan} NaN, ${t.inf} Inf (first: ${scan.invalid.filter((i) => i.tensor === t.tensor).slice(0, 3).map((i) => `[${i.index.join(', ')}] = ${i.value}`).join(', ')})`);
        const quantized = scan.tensors.filter((t) => t.blockScales);
        if (quantized.length) {
          lines.push(`per-block scales of ${quantized.length} quantized tensors (|d| as stored; their quantization error is unknown without the original weights):`);
          for (const t of quantized) lines.push(`  ${t.tensor} ${t.dtype}: ${blockScalesText(t.blockScales!)}; largest |w| ${t.maxAbs === null ? '?' : t.maxAbs.toPrecision(4)} at [${t.maxAbsIndex?.join(', ') ?? ''}]`);
        }
        if (superWeights.length) lines.push(`super-weight candidates (${superWeights[0]!.rule}):`, ...superWeights.slice(0, 10).map((w) => `  layer ${w.layer} W_out[${w.index.join(', ')}] = ${w.value.toPrecision(4)} (${w.ratio.toFixed(0)}x)`));
        return lines.join('\n');
      });
    }
    case 'neurons': {
      const kinds = [...new Set((['dead', 'constant', 'never-positive', 'rare', 'massive', 'heavy', 'ngram', 'token-specific', 'positional'] as const).filter((k) => values[k] !== undefined && values[k] !== false).map((k) => VERDICT_FLAGS[k] as VerdictKind))];
      const sort = values.sort;
      if (sort !== undefined && !(SORT_FIELDS as readonly string[]).includes(sort)) throw new UsageError(`--sort must be one of ${SORT_FIELDS.join(', ')}; got "${sort}"`);
      const layer = numberFlag(values, 'layer', 'integer');
      const limit = numberFlag(values, 'limit', 'integer');
      const expertText = values.expert as string | undefined;
      if (expertText !== undefined && expertText !== 'shared' && !/^\d+$/.test(expertText)) throw new UsageError(`--expert must be an expert index or "shared"; got "${expertText}"`);
      const expert = expertText === undefined ? undefined : expertText === 'shared' ? ('shared' as const) : Number(expertText);
      const out = listNeurons(backend().db, datasetFlag(values), {
        kinds,
        ...(layer !== undefined ? { layer } : {}),
        ...(expert !== undefined ? { expert } : {}),
        ...(sort !== undefined ? { sort: sort as (typeof SORT_FIELDS)[number], descending: !values.asc } : {}),
        ...(limit !== undefined ? { limit } : {}),
        detect: detectOptions(values),
      });
      for (const u of out.unavailable) if (kinds.length === 0 || kinds.includes(u.kind as VerdictKind)) process.stderr.write(`note: ${u.kind} detector unavailable: ${u.reason}\n`);
      const moe = out.neurons.some((n) => n.expert !== undefined);
      return io.out({ neurons: out.neurons, total: out.total }, () =>
        table([
          ['layer', 'neuron', ...(moe ? ['expert', 'unit'] : []), 'tokens', 'fire_rate', 'mean', 'max', 'peak_ratio', 'kurtosis', 'verdicts'],
          ...out.neurons.map((n) => [String(n.layer), String(n.neuron), ...(moe ? [String(n.expert), String(n.unit)] : []), String(n.tokens), formatStat(n.fire_rate), formatStat(n.mean), formatStat(n.max), formatStat(n.peak_ratio), formatStat(n.kurtosis), n.verdicts.map((v) => v.kind).join(',')]),
        ]) + `\n${out.neurons.length} of ${out.total} neurons`,
      );
    }
    case 'experts': {
      const rare = numberFlag(values, 'rare', 'number');
      const pairs = numberFlag(values, 'limit', 'integer');
      const layer = numberFlag(values, 'layer', 'integer');
      const summary = expertsSummary(backend().db, datasetFlag(values), { ...(rare !== undefined ? { rareBound: rare } : {}), ...(pairs !== undefined ? { pairs } : {}) });
      if (layer !== undefined && layer >= summary.layers.length) throw new UsageError(`--layer ${layer} is not in 0..${summary.layers.length - 1}`);
      const shown = { ...summary, layers: layer === undefined ? summary.layers : summary.layers.filter((l) => l.layer === layer) };
      return io.out(shown, () =>
        shown.layers
          .map((l) => {
            const dead = l.experts.filter((e) => e.verdict === 'dead').length;
            const rareCount = l.experts.filter((e) => e.verdict === 'rare').length;
            const head = `layer ${l.layer}: ${l.tokens} tokens, router entropy ${formatStat(l.entropy_mean)} of ${formatStat(l.entropy_max)} nats, load CV ${formatStat(l.load_cv)}, dead experts ${dead} (top-k rate < ${formatStat(l.dead_upper95)} at 95%), rare ${rareCount}`;
            const rows = table([
              ['expert', 'neurons', 'load', 'top-k rate', 'top-1 rate', 'mean weight', 'mean prob', 'verdict'],
              ...l.experts.map((e) => [String(e.expert), `${e.expert * summary.expertFf}-${(e.expert + 1) * summary.expertFf - 1}`, String(e.load), formatStat(e.topk_rate), formatStat(e.top1_rate), formatStat(e.mean_weight), formatStat(e.mean_prob), e.verdict ?? '']),
            ]);
            const pairText = l.pairs.length === 0 ? '' : `\nchosen together most often: ${l.pairs.map((p) => `${p.a}+${p.b} ${formatStat(p.rate)} (lift ${formatStat(p.lift)})`).join(', ')}`;
            return `${head}\n${rows}${pairText}`;
          })
          .join('\n\n'),
      );
    }
    case 'layers': {
      const layers = layerSummary(backend().db, datasetFlag(values));
      return io.out({ layers }, () =>
        table([
          ['layer', 'tokens', 'dead', 'mean active', 'active fraction per token (20 bins, 0 -> 1)'],
          ...layers.map((l) => {
            const h = l.active_fraction_histogram;
            const spark = h ? h.counts.map((c) => ' .:-=+*#%@'[Math.min(9, Math.ceil((9 * c) / Math.max(...h.counts)))]).join('') : '-';
            return [String(l.layer), String(l.tokens), String(l.dead), formatStat(l.mean_active_fraction), `|${spark}|`];
          }),
        ]),
      );
    }
    case 'massive-dims': {
      const id = args[0] !== undefined ? numberFlag({ dataset: args[0] }, 'dataset', 'integer') : datasetFlag(values);
      const minRatio = numberFlag(values, 'min-ratio', 'number');
      const minAbs = numberFlag(values, 'min-abs', 'number');
      const minShare = numberFlag(values, 'min-share', 'number');
      const r = (await backend().handle('neurons.massiveDims', {
        datasetId: id,
        ...(minRatio !== undefined ? { minRatio } : {}),
        ...(minAbs !== undefined ? { minAbs } : {}),
        ...(minShare !== undefined ? { minShare } : {}),
      })) as MassiveDims;
      if (!r.available) process.stderr.write(`note: massive dims unavailable: ${r.reason}\n`);
      return io.out(r, () => massiveDimsText(r));
    }
    case 'neuron': {
      const layer = numberFlag(values, 'layer', 'integer');
      const neuron = numberFlag(values, 'neuron', 'integer');
      if (layer === undefined || neuron === undefined) throw new UsageError('neuron needs --layer L and --neuron N');
      const d = neuronDetail(backend().db, datasetFlag(values), layer, neuron, detectOptions(values));
      return io.out(d, () =>
        [
          `layer ${layer} neuron ${neuron}: ${d.stats.tokens} tokens, fire rate ${formatStat(d.stats.fire_rate)}, mean ${formatStat(d.stats.mean)}, max ${formatStat(d.stats.max)}; verdicts: ${d.stats.verdicts.map((v) => v.kind).join(', ') || 'none'}`,
          'top contexts:',
          ...d.contexts.map((c) => `  ${formatStat(c.value)}  ${c.document}:${c.position}  …${c.before}[${c.token}]${c.after}…`),
          `promotes: ${d.promoted.map((p) => JSON.stringify(p.text ?? p.token)).join(' ')}`,
          `suppresses: ${d.suppressed.map((p) => JSON.stringify(p.text ?? p.token)).join(' ')}`,
        ].join('\n'),
      );
    }
    case 'models show': {
      const b = backend();
      const model = await resolveModel(b, args[0]);
      const meta = (await b.handle('model.metadata', { id: model.id })) as ModelMetadata;
      const tensorTypes = meta.tensorTypes.map((t) => ({ dtype: t.dtype, tensors: t.tensors, elements: t.elements }));
      return io.out({ model, format: meta.format, metadata: meta.entries, tensor_types: tensorTypes }, () =>
        [
          modelLine(model),
          `format: ${meta.format}; tensor types: ${tensorTypesText(meta.tensorTypes)}`,
          meta.entries.length === 0 ? 'metadata: none recorded (imported before metadata was kept: ffn-lab scan M --rescan)' : `metadata (${meta.entries.length} keys):`,
          ...meta.entries.map((e) => `  ${e.key} (${e.type}) = ${e.value}`),
        ].join('\n'),
      );
    }
    case 'tokenizer attach':
    case 'tokenizer detach': {
      const b = backend();
      const model = await resolveModel(b, values.model);
      const attach = key === 'tokenizer attach';
      if (attach && !args[0]) throw new UsageError('tokenizer attach needs a path: a tokenizer.json, a llama2.c tokenizer.bin, or a folder holding one');
      const updated = (await b.handle('model.attachTokenizer', { modelId: model.id, path: attach ? args[0]! : null })) as Model;
      return io.out({ model: updated }, () =>
        `model ${updated.id} "${updated.name}": tokenizer ${updated.tokenizer ?? 'none (capture, ablation and the playground need one)'}`,
      );
    }
    case 'models list': {
      const models = (await backend().handle('model.list', {})) as Model[];
      return io.out({ models }, () => (models.length === 0 ? 'no models yet: ffn-lab import <path>' : models.map(modelLine).join('\n')));
    }
    case 'logits': {
      const b = backend();
      const model = await resolveModel(b, values.model);
      const ids = parseIds(values.ids, '--ids');
      const out = await logitsFor(model.path, ids, runPlace(b, values.provider));
      const { logits } = out;
      process.stderr.write(`${model.name}: ${ids.length} positions x ${model.vocabSize} logits (${reportProvider(out)})\n`);
      return io.out({ logits }, () => logits.map((row, t) => `position ${t}: argmax ${row.indexOf(Math.max(...row))}`).join('\n'));
    }
    case 'generate': {
      const b = backend();
      const model = await resolveModel(b, values.model);
      if ((values.prompt === undefined) === (values['prompt-ids'] === undefined)) throw new UsageError('generate needs exactly one of --prompt TEXT or --prompt-ids 1,2,3');
      const tokenizer = values.prompt !== undefined ? tokenizerFor(model.path, model.tokenizerPath) : loadTokenizer(model.path, model.tokenizerPath);
      const ids = values.prompt !== undefined ? tokenizer!.encode(values.prompt) : parseIds(values['prompt-ids'], '--prompt-ids');
      const maxNew = Number(values['max-new'] ?? '32');
      if (!Number.isInteger(maxNew) || maxNew < 1) throw new UsageError(`--max-new must be a positive integer, got "${values['max-new']}"`);
      const place = runPlace(b, values.provider);
      const decode = (x: number[]) => (tokenizer ? decodeModelIds(tokenizer, x, { skipSpecial: true }) : undefined);
      if (values.steer !== undefined) {
        if (values.ablate !== undefined) throw new UsageError('generate takes --steer SET or --ablate SET, not both');
        const by = values['steer-by'] ?? 'mean';
        if (by !== 'mean' && by !== 'value') throw new UsageError(`--steer-by takes mean (strength x each neuron's mean over --capture D) or value (strength x its value vector), got "${by}"`);
        const strength = numberFlag(values, 'strength', 'number');
        if (strength === undefined) throw new UsageError(`generate --steer needs --strength X: the multiple of ${by === 'mean' ? "each neuron's mean activation" : "each neuron's value vector"} added (e.g. 4; a negative one as --strength=-4)`);
        const captureId = numberFlag(values, 'capture', 'integer') ?? numberFlag(values, 'dataset', 'integer');
        if (captureId === undefined && by === 'mean') throw new UsageError('generate --steer needs --capture D: the capture whose per-neuron means are added (or --steer-by value: each neuron\'s value vector, no capture)');
        const layerText = values['steer-layers'];
        if (layerText !== undefined && !/^\d+(,\d+)*$/.test(layerText)) throw new UsageError(`--steer-layers takes comma-separated layer numbers (0-based), e.g. 0,2; got "${layerText}"`);
        const layers = layerText?.split(',').map(Number);
        const set = (await b.handle('sets.resolve', { modelId: model.id, set: setSource({ ...values, ...(captureId !== undefined ? { dataset: values.dataset ?? String(captureId) } : {}) }, 'steer') })) as { label: string; neurons: NeuronRef[] };
        const edit = steeringEditFor(b.db, getModel(b.db, model.id)!, set.neurons, captureId !== undefined && by === 'mean' ? { by, datasetId: captureId } : { by: 'value' }, strength, layers);
        const out = await generateSteeredAt(model.path, ids, edit, maxNew, place, tokenizer?.eos ?? undefined);
        process.stderr.write(`${model.name}: ${out.intact.length} tokens intact, ${out.steered.length} steered, greedy, KV cache (${reportProvider(out)})\n`);
        const text = decode(out.intact);
        const steeredText = decode(out.steered);
        const steered = { set: set.label, neurons: set.neurons.length, by, ...(by === 'mean' ? { capture: captureId } : {}), strength, ...(layers ? { layers } : {}), ids: out.steered, ...(steeredText !== undefined ? { text: steeredText } : {}) };
        return io.out({ ids: out.intact, ...(text !== undefined ? { text } : {}), steered, stepKl: out.stepKl, meanKl: out.meanKl }, () =>
          [
            `intact:  ${text ?? out.intact.join(',')}`,
            `steered (${set.label}, ${set.neurons.length} neurons, strength ${strength} x ${by === 'mean' ? `means of capture ${captureId}` : 'value vectors'}): ${steeredText ?? out.steered.join(',')}`,
            `KL(intact || steered) per step: ${out.stepKl.map((k) => k.toFixed(4)).join(' ')}`,
            `mean KL: ${out.meanKl.toFixed(4)} nats`,
          ].join('\n'),
        );
      }
      if (values.ablate === undefined) {
        const out = await generateGreedy(model.path, ids, maxNew, place, tokenizer?.eos ?? undefined);
        process.stderr.write(`${model.name}: ${out.ids.length} tokens, greedy, KV cache (${reportProvider(out)})\n`);
        const text = decode(out.ids);
        if (text !== undefined) return io.out({ ids: out.ids, text }, () => text);
        return io.out({ ids: out.ids }, () => out.ids.join(','));
      }
      const method = values.method ?? 'zero';
      if (method !== 'zero' && method !== 'mean') throw new UsageError(`generate --ablate takes --method zero or mean, got "${method}"`);
      const set = (await b.handle('sets.resolve', { modelId: model.id, set: setSource(values, 'ablate') })) as { label: string; neurons: NeuronRef[] };
      const edit = ablationEditFor(b.db, getModel(b.db, model.id)!, set.neurons, method, values.dataset === undefined ? undefined : datasetFlag(values));
      // intact and ablated side by side: two rows of the same cached runs
      const out = await generateGreedy(model.path, ids, maxNew, place, tokenizer?.eos ?? undefined, edit);
      process.stderr.write(`${model.name}: ${out.ids.length} tokens intact, ${out.ablatedIds?.length ?? 0} ablated, greedy, KV cache (${reportProvider(out)})\n`);
      const text = decode(out.ids);
      const ablated = { ids: out.ablatedIds ?? [] };
      const ablatedText = decode(ablated.ids);
      return io.out({ ids: out.ids, ...(text !== undefined ? { text } : {}), ablated: { set: set.label, neurons: set.neurons.length, method, ids: ablated.ids, ...(ablatedText !== undefined ? { text: ablatedText } : {}) } }, () =>
        `intact:  ${text ?? out.ids.join(',')}\nablated (${set.label}, ${set.neurons.length} neurons, ${method}): ${ablatedText ?? ablated.ids.join(',')}`,
      );
    }
    case 'capture': {
      const b = backend();
      const model = await resolveModel(b, values.model);
      if (!values.corpus) throw new UsageError('--corpus is required: a corpus id or name (see ffn-lab corpus list)');
      const corpus = findCorpus(b.db, values.corpus);
      if (!corpus) throw new UsageError(`no corpus "${values.corpus}"; see ffn-lab corpus list`);
      const params = captureParamsFromFlags(values, model.id, corpus.id);
      const { job } = (await b.handle('capture.start', params)) as { job: Job };
      const result = finished(await runToEnd(b, job)).result as { dataset: { id: number; name: string; tokens: number; documents: number; warnings?: string[] } };
      return io.out(result, () => [`dataset ${result.dataset.id} "${result.dataset.name}": ${result.dataset.tokens} tokens in ${result.dataset.documents} documents`, ...warningLines(result.dataset.warnings ?? [])].join('\n'));
    }
    case 'ablate': {
      const b = backend();
      const { model, corpus } = await corpusAndModel(b, values);
      if (values.control !== undefined && values.control !== 'random') throw new UsageError(`--control must be "random", got "${values.control}"`);
      const seed = numberFlag(values, 'seed', 'integer') ?? 0;
      const weights = weightFlags(values);
      const experts = expertsFlag(values);
      // --weight or --experts alone ablates only those
      const set = values.set === undefined && (weights.length > 0 || experts) ? undefined : setSource(values, 'set');
      // a constant set licenses mean ablation (its mean is all it carries): the default for it
      const method = values.method === undefined && set?.kind === 'verdict' && set.verdict === 'constant' ? { method: 'mean' as const } : {};
      const params = { ...evalFlags(values, model.id, corpus.id), ...method, ...(set ? { set } : {}), ...(weights.length > 0 ? { weights } : {}), ...(experts ? { experts } : {}), ...(values.control ? { control: { seed } } : {}) };
      const { job } = (await b.handle('ablation.start', params)) as { job: Job };
      const { ablation } = finished(await runToEnd(b, job)).result as { ablation: { id: number } };
      const r = (await b.handle('ablation.get', { id: ablation.id })) as AblationResult;
      const named = r.results[0]!;
      const weighted = r.results.some((c) => c.weights !== undefined);
      const shown = r.results[values.control ? 1 : 0]!;
      const metrics = (c: AblationResult['results'][number]) => ({ loss: c.metrics.loss.value, ppl: c.metrics.ppl.value, kl: c.metrics.kl.value, top1_agreement: c.metrics.top1_agreement.value });
      const out = {
        ablation: r.id,
        baseline: { loss: r.baseline.loss.value, ppl: r.baseline.ppl.value },
        ablated: metrics(shown),
        delta_loss: shown.metrics.delta_loss.value,
        ci: Object.fromEntries(Object.entries(shown.metrics).map(([k, m]) => [k, ci(m)])),
        neurons: shown.neurons,
        ...(shown.weights ? { weights: shown.weights } : {}),
        ...(shown.experts ? { experts: shown.experts } : {}),
        label: shown.label,
        ...(values.control ? { set: { label: named.label, neurons: named.neurons, ...(named.weights ? { weights: named.weights } : {}), ...(named.experts ? { experts: named.experts } : {}), ...metrics(named), delta_loss: named.metrics.delta_loss.value, ci: Object.fromEntries(Object.entries(named.metrics).map(([k, m]) => [k, ci(m)])) } } : {}),
        tokens: r.tokens,
        documents: r.documents,
        method: r.method,
        warnings: r.warnings,
      };
      return io.out(out, () =>
        [
          `ablation ${r.id}: ${r.method} ablation, ${r.tokens} tokens in ${r.documents} documents; 95% bootstrap intervals over documents`,
          table([
            ['condition', 'neurons', ...(weighted ? ['weights'] : []), 'loss', 'Δ loss', 'KL', 'top-1 agreement'],
            ['intact', '0', ...(weighted ? ['0'] : []), pm(r.baseline.loss), '', '', ''],
            ...r.results.map((c) => [c.label, String(c.neurons), ...(weighted ? [String(c.weights?.length ?? 0)] : []), pm(c.metrics.loss), pm(c.metrics.delta_loss), pm(c.metrics.kl, 5), pm(c.metrics.top1_agreement, 3)]),
          ]),
          ...r.results.flatMap((c) => (c.weights ?? []).map((w) => `  ${c.label}: W_out[${w.layer}][${w.neuron}→${w.dim}] ${w.original.toPrecision(4)} → ${w.value}`)),
          // the experts a control took out (a named condition's label already lists its own)
          ...r.results.flatMap((c) => (c.experts && !c.label.includes(`experts ${c.experts.mode}`) ? [`  ${c.label}: experts ${c.experts.mode} ${c.experts.list.map((x) => `${x.layer}:${x.expert}`).join(', ')}`] : [])),
          ...warningLines(r.warnings),
        ].join('\n'),
      );
    }
    case 'sweep': {
      const b = backend();
      const { model, corpus } = await corpusAndModel(b, values);
      const criterion = values.criterion ?? '';
      if (!RankScore.options.includes(criterion as RankScore)) throw new UsageError(`--criterion must be one of ${RankScore.options.join(', ')}, got "${criterion}"`);
      const fractions = values.fractions?.split(',').map((f) => Number(f));
      if (fractions?.some((f) => !(f > 0 && f <= 1))) throw new UsageError(`--fractions must be comma-separated numbers in (0, 1], got "${values.fractions}"`);
      const params = { ...evalFlags(values, model.id, corpus.id), datasetId: datasetFlag(values), criterion, order: values.desc ? 'descending' : 'ascending', ...(fractions ? { fractions } : {}) };
      const { job } = (await b.handle('ablation.sweep', params)) as { job: Job };
      const { ablation } = finished(await runToEnd(b, job)).result as { ablation: { id: number } };
      const r = (await b.handle('ablation.get', { id: ablation.id })) as AblationResult;
      const points = r.results.map((c) => ({ series: c.series, fraction: c.fraction, neurons: c.neurons, delta_loss: c.metrics.delta_loss.value, ci: ci(c.metrics.delta_loss), kl: c.metrics.kl.value, top1_agreement: c.metrics.top1_agreement.value }));
      return io.out({ ablation: r.id, criterion, order: params.order, baseline: { loss: r.baseline.loss.value, ppl: r.baseline.ppl.value }, points }, () =>
        [
          `sweep ${r.id} by ${criterion} (${params.order}), ${r.method} ablation; intact loss ${pm(r.baseline.loss)}`,
          table([['fraction', 'series', 'neurons', 'Δ loss [95% CI]', 'KL', 'top-1'], ...r.results.map((c) => [`${((c.fraction ?? 0) * 100).toFixed(1)}%`, c.series ?? '', String(c.neurons), pm(c.metrics.delta_loss), c.metrics.kl.value.toFixed(5), c.metrics.top1_agreement.value.toFixed(3)])]),
        ].join('\n'),
      );
    }
    case 'evaluate': {
      const b = backend();
      const { model, corpus } = await corpusAndModel(b, values);
      const { method: _method, ...params } = evalFlags(values, model.id, corpus.id);
      const { job } = (await b.handle('ablation.evaluate', params)) as { job: Job };
      const { ablation } = finished(await runToEnd(b, job)).result as { ablation: { id: number } };
      const r = (await b.handle('ablation.get', { id: ablation.id })) as AblationResult;
      const out = { ablation: r.id, loss: r.baseline.loss.value, ppl: r.baseline.ppl.value, ci: { loss: ci(r.baseline.loss), ppl: ci(r.baseline.ppl) }, predictions: r.tokens, documents: r.documents, warnings: r.warnings };
      return io.out(out, () => [`${model.name} on ${corpus.name}: loss ${pm(r.baseline.loss)} nats/token, perplexity ${pm(r.baseline.ppl, 2)}; ${r.tokens} predictions in ${r.documents} documents (95% bootstrap intervals over documents)`, ...warningLines(r.warnings)].join('\n'));
    }
    case 'merge': {
      const b = backend();
      if (!values.name) throw new UsageError('--name is required: the name of the merged capture');
      if (args.length < 2) throw new UsageError('merge needs at least two captures: ids here, or FILE.sqlite:ID');
      const opened: Db[] = [];
      try {
        const sources = args.map((arg) => {
          const foreign = /^(.+\.sqlite):(\d+)$/.exec(arg);
          if (foreign) {
            const db = openDatabaseReadOnly(path.resolve(foreign[1]!));
            opened.push(db);
            return { db, datasetId: Number(foreign[2]), label: arg };
          }
          if (!/^\d+$/.test(arg)) throw new UsageError(`"${arg}" is not a capture: expected an id, or FILE.sqlite:ID`);
          return { db: b.db, datasetId: Number(arg), label: arg };
        });
        const d = mergeCaptures(b.db, sources, values.name);
        return io.out({ dataset: { id: d.id, name: d.name, tokens: d.tokens, sources: args.length } }, () => `dataset ${d.id} "${d.name}": ${d.tokens} tokens from ${args.length} captures`);
      } finally {
        for (const db of opened) db.close();
      }
    }
    case 'sensitivity': {
      const b = backend();
      const { model, corpus } = await corpusAndModel(b, values);
      const fraction = numberFlag(values, 'fraction', 'number');
      if (fraction !== undefined && !(fraction > 0 && fraction <= 1)) throw new UsageError(`--fraction must be in (0, 1], got ${fraction}`);
      const layers = values.layers === undefined ? undefined : idList(values.layers, '--layers', 'layer');
      const params = { ...evalFlags(values, model.id, corpus.id), ...(fraction !== undefined ? { fraction } : {}), ...(layers ? { layers } : {}) };
      const { job } = (await b.handle('ablation.sensitivity', params)) as { job: Job };
      const { ablation } = finished(await runToEnd(b, job)).result as { ablation: { id: number } };
      const r = (await b.handle('ablation.get', { id: ablation.id })) as AblationResult;
      const out = sensitivityJson(r, model.layers);
      return io.out(out, () => sensitivityText(out, model.name));
    }
    case 'datasets list':
    case 'datasets rename':
    case 'datasets delete':
    case 'export':
      return datasetsCommand(key, { io, values, args, backend, usage: (m) => new UsageError(m), table });
    case 'cluster plan':
    case 'cluster submit':
    case 'cluster status':
    case 'cluster merge':
    case 'cluster import':
    case 'shard run':
      return clusterCommand(key, {
        io,
        values,
        args,
        backend,
        open: (dataDir) => new Backend({ dataDir, shell: 'cli', spawnWorker: nodeWorkerSpawner(workerScript) }),
        jobParams: (kind) => clusterJobParams(kind, values, backend()),
        usage: (m) => new UsageError(m),
      });
    case 'compare': {
      const b = backend();
      const datasets = idList(values.datasets, '--datasets', 'capture id');
      const ablations = values.ablations === undefined ? undefined : idList(values.ablations, '--ablations', 'ablation run id');
      const r = compareDatasets(b.db, { datasets, ...(ablations ? { ablations } : {}), measure: 'all' });
      const written = values.out ? writeCompareFiles(r, path.resolve(values.out)) : [];
      return io.out(written.length > 0 ? { ...r, files: written } : r, () => compareText(r, written));
    }
    case 'notebook': {
      if (!values.model || !values.out) throw new UsageError('notebook needs --model M (an id or name) and --out FILE (.md or .html)');
      let written;
      try {
        written = writeNotebook(backend().db, values.model, values.out);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const { notebook, file, format, bytes } = written;
      return io.out({ notebook: { model: notebook.model.name, steps: notebook.steps.length, kinds: notebook.steps.map((s) => s.kind) }, file, format, bytes }, () => `wrote ${file}: ${notebook.steps.length} steps of ${notebook.model.name} (${format}, ${bytes} bytes)`);
    }
    case 'patch':
      return patchCommand(args[0] === 'list' ? 'patch list' : 'patch', { io, values, backend, resolveModel, usage: (m) => new UsageError(m), table });
    case 'lens':
      return lensCommand({ io, values, backend, resolveModel, usage: (m) => new UsageError(m), table });
    case 'ablations list': {
      const runs = (await backend().handle('ablation.list', {})) as AblationSummary[];
      return io.out({ ablations: runs }, () =>
        runs.length === 0 ? 'no ablation runs yet: ffn-lab ablate ...' : table([['id', 'name', 'kind', 'method', 'conditions', 'tokens'], ...runs.map((a) => [String(a.id), a.name, a.kind, a.method, String(a.conditions), String(a.tokens)])]),
      );
    }
    case 'project': {
      const b = backend();
      const layer = numberFlag(values, 'layer', 'integer');
      const params = {
        datasetId: datasetFlag(values),
        ...(layer !== undefined ? { layers: [layer] } : {}),
        method: oneOf(values.method, 'method', ['pca', 'umap'] as const) ?? 'pca',
        space: oneOf(values.space, 'space', ['residual', 'ffn'] as const) ?? 'residual',
        sharedBasis: values['shared-basis'] === true,
        ...Object.fromEntries(
          ([['dims', 'dims'], ['seed', 'seed'], ['maxPoints', 'max-points'], ['layoutThreads', 'layout-threads']] as const).map(([key, flag]) => [key, numberFlag(values, flag, 'integer')]).filter(([, v]) => v !== undefined),
        ),
        ...(values.ablate !== undefined ? { ablation: { neurons: parseNeurons(values.ablate), method: oneOf(values['ablate-method'], 'ablate-method', ['zero', 'mean'] as const) ?? 'zero' } } : {}),
      };
      const { job } = (await b.handle('projection.start', params)) as { job: Job };
      const result = finished(await runToEnd(b, job)).result as { run: { id: number } };
      const data = projectionData(b.db, result.run.id);
      const dims = data.run.dims;
      const rows = (flat: number[]) => Array.from({ length: flat.length / dims }, (_, i) => flat.slice(i * dims, (i + 1) * dims));
      const meta = data.points.sampleId.map((id, i) => ({
        sample_id: id,
        token: data.points.token[i],
        document: data.points.document[i],
        position: data.points.position[i],
        loss: data.points.loss[i],
        ...Object.fromEntries(Object.entries(data.points.fields).map(([k, v]) => [k, v[i]])),
      }));
      const layerOut = (l: (typeof data.layers)[number]) => ({
        coords: rows(l.coords),
        ...(l.explainedVariance ? { explained_variance: l.explainedVariance } : {}),
        ...(l.ablated ? { ablated_coords: rows(l.ablated) } : {}),
      });
      const summary = () =>
        `projection ${data.run.id}: ${data.run.points} points, ${data.run.method.toUpperCase()} to ${dims}-D, layers ${data.run.layers.join(', ')}` +
        data.layers.map((l) => (l.explainedVariance ? `\n  layer ${l.layer}: explained variance ${l.explainedVariance.map((v) => v.toFixed(3)).join(', ')}` : '')).join('');
      if (layer !== undefined) return io.out({ projection: data.run.id, ...layerOut(data.layers[0]!), meta }, summary);
      return io.out({ projection: data.run.id, layers: data.layers.map((l) => ({ layer: l.layer, ...layerOut(l) })), meta }, summary);
    }
    case 'intrinsic-dim': {
      const b = backend();
      const space = oneOf(values.space, 'space', ['residual', 'ffn'] as const) ?? 'residual';
      const input = (() => {
        try {
          return projectionInput(b.db, datasetFlag(values), undefined);
        } catch (err) {
          if (err instanceof JobInputError) throw new UsageError(err.message);
          throw err;
        }
      })();
      const width = space === 'ffn' ? input.spec.dFf : input.spec.dModel;
      // every sampled point (exact kNN through onnxruntime), so no seed: nothing is subsampled
      const layers: Array<{ layer: number; twonn: number | null; pca90: number; points: number }> = [];
      for (const layer of input.layers) {
        process.stderr.write(`layer ${layer}…\n`);
        const est = await measureIntrinsicAll(b.db, input.dataset.id, space, layer, input.ids, width);
        layers.push({ layer, twonn: Number.isFinite(est.twonn) ? est.twonn : null, pca90: est.pca90, points: est.points });
      }
      return io.out({ layers }, () => table([['layer', 'twonn', 'pca90', 'points'], ...layers.map((l) => [String(l.layer), formatStat(l.twonn), String(l.pca90), String(l.points)])]));
    }
    case 'corpus import': {
      const what = args[0];
      if (!what) throw new UsageError('corpus import needs a path or "brown"');
      const b = backend();
      const source = what === 'brown' ? ({ kind: 'brown' } as const) : ({ kind: 'path', path: what } as const);
      const { job } = (await b.handle('corpus.import', { source, ...(values.name ? { name: values.name } : {}) })) as { job: Job };
      const final = finished(await runToEnd(b, job));
      const corpus = corpusSummary((final.result as { corpus: Corpus }).corpus);
      return io.out({ corpus }, () => `imported corpus ${corpus.id} "${corpus.name}": ${corpus.documents} documents, ${corpus.bytes} bytes`);
    }
    case 'corpus list': {
      const corpora = (await backend().handle('corpus.list', {})) as Corpus[];
      return io.out({ corpora }, () =>
        corpora.length === 0
          ? 'no corpora yet: ffn-lab corpus import <path|brown>'
          : table([['id', 'name', 'documents', 'bytes', 'metadata'], ...corpora.map((c) => [String(c.id), c.name, String(c.documents), String(c.bytes), c.metadataFields.join(',')])]),
      );
    }
    case 'jobs list': {
      const jobs = (await backend().handle('jobs.list', {})) as Job[];
      return io.out({ jobs }, () =>
        jobs.length === 0
          ? 'no jobs yet'
          : table([['id', 'state', 'kind', 'progress', 'title'], ...jobs.map((j) => [String(j.id), j.state, j.kind, `${j.progress.done}/${j.progress.total ?? '?'}`, j.title])]),
      );
    }
    case 'jobs resume': {
      const b = backend();
      const { job } = (await b.handle('jobs.resume', { id: Number(args[0]) })) as { job: Job };
      const final = finished(await runToEnd(b, job));
      return io.out({ job: final }, () => `job ${final.id} done`);
    }
    case 'jobs discard': {
      const { job } = (await backend().handle('jobs.discard', { id: Number(args[0]) })) as { job: Job };
      return io.out({ job }, () => `job ${job.id} discarded`);
    }
    default:
      throw new UsageError(positionals.length === 0 ? 'no command given' : `unknown command "${positionals.slice(0, 2).join(' ')}"`);
  }
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: { json: { type: 'boolean', default: false }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
      strict: false,
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values } = parsed;
  const json = values.json === true;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  // Global flags may sit anywhere; the command sees the rest.
  const argv = process.argv.slice(2).filter((a, i, all) => a !== '--json' && a !== '--data-dir' && all[i - 1] !== '--data-dir' && !a.startsWith('--data-dir='));
  let instance: Backend | undefined;
  const backend = () => (instance ??= new Backend({ dataDir: resolveDataDir(values['data-dir'] as string | undefined), shell: 'cli', spawnWorker: nodeWorkerSpawner(workerScript) }));
  const io: Io = {
    json,
    out: (value, text) => console.log(json ? JSON.stringify(value) : text()),
  };
  try {
    await run(argv, io, backend);
    return 0;
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
    const message = (err as Error).message;
    if (json) console.log(JSON.stringify({ error: { message } }));
    console.error(usage ? `${message}\n\n${USAGE}` : `error: ${message}`);
    return usage ? 2 : 1;
  } finally {
    instance?.close();
  }
}

void main().then((code) => {
  // Exit only once stdout has drained: a pipe takes a large JSON result (logits) in pieces.
  process.stdout.write('', () => process.exit(code));
});
