// Headless commands for offline studies: the same jobs and database as the app. With --json,
// stdout carries exactly one JSON document (the result); progress and messages go to stderr.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { findModel, findModelByPath } from '../db/models.js';
import { findCorpus } from '../db/corpora.js';
import { loadWeightScan } from '../db/weights.js';
import { layerSummary, listNeurons, neuronDetail } from './neurons.js';
import type { DetectOptions } from './analysis/detectors.js';
import type { Corpus, Job, Model } from './api.js';
import { Backend } from './backend.js';
import { resolveDataDir } from './data-dir.js';
import { nodeWorkerSpawner } from './jobs/spawn-node.js';
import { workerScript } from './paths.js';
import { formatProgressLine } from './progress-line.js';
import { formatStat } from '../common/format.js';
import { generateGreedy, logitsFor, tokenizerFor, type ProviderReport, type RunPlace } from './inference.js';
import { loadTokenizer } from '../native-models/tokenizers/tokenizer.js';
import { parseProviders } from '../native-models/runtime/providers.js';
import { modelSummary } from './models.js';
import { projectionData } from './manifold.js';
import { measureIntrinsic, projectionInput } from './jobs/project/run.js';
import { JobInputError } from './jobs/definition.js';
import { sampleSlices } from '../db/samples.js';

const USAGE = `usage: ffn-lab <command> [options]      (or: npm run cli -- <command> [options])

commands:
  import <path> [--name N]                import a model: a Hugging Face folder, a .safetensors file or a llama2.c .bin
  models list                             list imported models
  scan <model>                            the weight scan made at import: per tensor NaN/Inf/subnormal counts, min,
                                          max, mean, std, kurtosis, largest |w|; invalid entries; super-weight candidates
  logits --model M --ids 1,2,3            logits at every position (M: a model id, name, or a path to import)
  generate --model M (--prompt TEXT | --prompt-ids 1,2) [--max-new N] [--greedy]
                                          greedy continuation (no KV cache: each step reruns the prefix)
    [--provider cuda,cpu]                 execution providers to try in order (cuda, dml, coreml, webgpu, cpu);
                                          default: the platform's accelerator when present, then cpu
  capture --model M --corpus C [--max-tokens N] [--seq-len T] [--stride S] [--batch B] [--threshold X]
          [--top-k K] [--genre G] [--documents N] [--samples N] [--seed S] [--name N]
                                          per-neuron statistics of a model over a corpus (a resumable job)
  neurons --dataset D [--dead] [--rare X] [--massive] [--heavy] [--layer L] [--sort FIELD] [--asc] [--limit K]
          [--massive-ratio R] [--massive-min-peak P] [--kurtosis K]
                                          per-neuron statistics with the detectors' verdicts (filters combine with OR)
  layers --dataset D                      per layer: tokens, dead neurons, mean fraction of the layer active per token, its distribution
  neuron --dataset D --layer L --neuron N one neuron: statistics, verdicts, top contexts, promoted/suppressed tokens, weight norms
  project --dataset D [--layer L] [--method pca|umap] [--dims 3] [--seed S] [--max-points N] [--space residual|ffn]
          [--shared-basis] [--ablate L:N,L:N --ablate-method zero|mean]
                                          project the capture's sampled hidden states (a job; stored for the manifold view)
  intrinsic-dim --dataset D [--space residual|ffn]
                                          per layer: TwoNN intrinsic dimension and PCA-90 (components for 90% of variance)
  corpus import <path|brown> [--name N]   import a .txt file, a folder of .txt files, a .jsonl file, or the Brown corpus
  corpus list                             list corpora
  jobs list                               list jobs (newest first)
  jobs resume <id>                        resume an interrupted job and wait for it
  jobs discard <id>                       discard an interrupted or failed job and its partial output

options:
  --json            print one machine-readable JSON result on stdout
  --data-dir DIR    database folder (default: $FFN_LAB_DATA or the per-user app data folder)
  -h, --help        this help`;

class UsageError extends Error {}

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

/** Runs a job to its end, drawing progress on stderr; Ctrl-C cancels it cleanly. */
async function runToEnd(backend: Backend, job: Job): Promise<Job> {
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  const off = backend.onEvent((e) => {
    if (e.type !== 'job' || e.job.id !== job.id || e.job.state !== 'running') return;
    const line = formatProgressLine(e.job);
    if (tty) process.stderr.write(`\r${line.padEnd(79)}`);
    else if (Date.now() - lastLine > 2000) {
      process.stderr.write(`${line}\n`);
      lastLine = Date.now();
    }
  });
  const onInt = () => {
    process.stderr.write('\ncancelling…\n');
    backend.jobs.cancel(job.id);
  };
  process.once('SIGINT', onInt);
  const final = await backend.jobs.waitFor(job.id);
  process.off('SIGINT', onInt);
  off();
  if (tty) process.stderr.write('\n');
  return final;
}

function finished(final: Job): Job {
  if (final.state !== 'done') throw new Error(`job ${final.id} ${final.state}: ${final.error ?? 'no reason given'}`);
  return final;
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

function parseIds(text: string | undefined, flag: string): number[] {
  if (!text) throw new UsageError(`${flag} is required, e.g. ${flag} 1,2,3`);
  const ids = text.split(',').map((t) => t.trim());
  const bad = ids.find((t) => !/^\d+$/.test(t));
  if (bad !== undefined) throw new UsageError(`${flag}: "${bad}" is not a token id; expected comma-separated non-negative integers`);
  return ids.map(Number);
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
  rare: { type: 'string' },
  massive: { type: 'boolean' },
  heavy: { type: 'boolean' },
  layer: { type: 'string' },
  neuron: { type: 'string' },
  sort: { type: 'string' },
  asc: { type: 'boolean' },
  limit: { type: 'string' },
  'massive-ratio': { type: 'string' },
  'massive-min-peak': { type: 'string' },
  kurtosis: { type: 'string' },
  method: { type: 'string' },
  dims: { type: 'string' },
  'max-points': { type: 'string' },
  space: { type: 'string' },
  'shared-basis': { type: 'boolean' },
  ablate: { type: 'string' },
  'ablate-method': { type: 'string' },
} as const;

const SORT_FIELDS = ['tokens', 'mean', 'std', 'min', 'max', 'peak_abs', 'mean_abs', 'fire_count', 'fire_rate', 'kurtosis', 'peak_ratio'] as const;

function detectOptions(values: Record<string, unknown>): DetectOptions {
  const rare = numberFlag(values, 'rare', 'number');
  const ratio = numberFlag(values, 'massive-ratio', 'number');
  const minPeak = numberFlag(values, 'massive-min-peak', 'number');
  const kurtosis = numberFlag(values, 'kurtosis', 'number');
  return {
    ...(rare !== undefined ? { rare: { bound: rare } } : {}),
    massive: { ...(ratio !== undefined ? { minRatio: ratio } : {}), ...(minPeak !== undefined ? { minPeak } : {}) },
    ...(kurtosis !== undefined ? { heavyTailed: { threshold: kurtosis } } : {}),
  };
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

async function run(argv: string[], io: Io, backend: () => Backend): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [group, verb, ...rest] = positionals;
  const key = ['import', 'logits', 'generate', 'capture', 'scan', 'neurons', 'neuron', 'layers', 'project', 'intrinsic-dim'].includes(group ?? '') ? group! : `${group ?? ''} ${verb ?? ''}`;
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
      }));
      const superWeights = scan.superWeights.map((w) => ({ layer: w.layer, index: [w.row, w.neuron], neuron: w.neuron, value: w.value, ratio: w.ratio, rule: w.rule }));
      return io.out({ tensors, invalid: scan.invalid, super_weights: superWeights }, () => {
        const bad = scan.tensors.filter((t) => t.invalidTotal > 0);
        const lines = [`${model.name}: ${scan.tensors.length} tensors scanned; ${bad.length === 0 ? 'no NaN or Inf values' : `${bad.length} with NaN/Inf values:`}`];
        for (const t of bad) lines.push(`  ${t.tensor}: ${t.nan} NaN, ${t.inf} Inf (first: ${scan.invalid.filter((i) => i.tensor === t.tensor).slice(0, 3).map((i) => `[${i.index.join(', ')}] = ${i.value}`).join(', ')})`);
        if (superWeights.length) lines.push(`super-weight candidates (${superWeights[0]!.rule}):`, ...superWeights.slice(0, 10).map((w) => `  layer ${w.layer} W_out[${w.index.join(', ')}] = ${w.value.toPrecision(4)} (${w.ratio.toFixed(0)}x)`));
        return lines.join('\n');
      });
    }
    case 'neurons': {
      const kinds = (['dead', 'rare', 'massive', 'heavy'] as const).filter((k) => values[k] !== undefined && values[k] !== false).map((k) => (k === 'heavy' ? 'heavy_tailed' : k));
      const sort = values.sort;
      if (sort !== undefined && !(SORT_FIELDS as readonly string[]).includes(sort)) throw new UsageError(`--sort must be one of ${SORT_FIELDS.join(', ')}; got "${sort}"`);
      const layer = numberFlag(values, 'layer', 'integer');
      const limit = numberFlag(values, 'limit', 'integer');
      const out = listNeurons(backend().db, datasetFlag(values), {
        kinds,
        ...(layer !== undefined ? { layer } : {}),
        ...(sort !== undefined ? { sort: sort as (typeof SORT_FIELDS)[number], descending: !values.asc } : {}),
        ...(limit !== undefined ? { limit } : {}),
        detect: detectOptions(values),
      });
      for (const u of out.unavailable) process.stderr.write(`note: ${u.kind} detector unavailable: ${u.reason}\n`);
      return io.out({ neurons: out.neurons, total: out.total }, () =>
        table([
          ['layer', 'neuron', 'tokens', 'fire_rate', 'mean', 'max', 'peak_ratio', 'kurtosis', 'verdicts'],
          ...out.neurons.map((n) => [String(n.layer), String(n.neuron), String(n.tokens), formatStat(n.fire_rate), formatStat(n.mean), formatStat(n.max), formatStat(n.peak_ratio), formatStat(n.kurtosis), n.verdicts.map((v) => v.kind).join(',')]),
        ]) + `\n${out.neurons.length} of ${out.total} neurons`,
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
      const tokenizer = values.prompt !== undefined ? tokenizerFor(model.path) : loadTokenizer(model.path);
      const ids = values.prompt !== undefined ? tokenizer!.encode(values.prompt) : parseIds(values['prompt-ids'], '--prompt-ids');
      const maxNew = Number(values['max-new'] ?? '32');
      if (!Number.isInteger(maxNew) || maxNew < 1) throw new UsageError(`--max-new must be a positive integer, got "${values['max-new']}"`);
      const out = await generateGreedy(model.path, ids, maxNew, runPlace(b, values.provider), tokenizer?.eos ?? undefined);
      process.stderr.write(`${model.name}: ${out.ids.length} tokens, greedy, no KV cache (${reportProvider(out)})\n`);
      const text = tokenizer ? tokenizer.decode(out.ids, { skipSpecial: true }) : undefined;
      if (text !== undefined) return io.out({ ids: out.ids, text }, () => text);
      return io.out({ ids: out.ids }, () => out.ids.join(','));
    }
    case 'capture': {
      const b = backend();
      const model = await resolveModel(b, values.model);
      if (!values.corpus) throw new UsageError('--corpus is required: a corpus id or name (see ffn-lab corpus list)');
      const corpus = findCorpus(b.db, values.corpus);
      if (!corpus) throw new UsageError(`no corpus "${values.corpus}"; see ffn-lab corpus list`);
      const documents = numberFlag(values, 'documents', 'integer');
      const params = {
        modelId: model.id,
        corpusId: corpus.id,
        filter: { ...(values.genre ? { genre: values.genre } : {}), ...(documents ? { documents } : {}) },
        ...(values.name ? { name: values.name } : {}),
        ...Object.fromEntries(
          ([['maxTokens', 'max-tokens', 'integer'], ['seqLen', 'seq-len', 'integer'], ['stride', 'stride', 'integer'], ['batch', 'batch', 'integer'], ['topK', 'top-k', 'integer'], ['threshold', 'threshold', 'number'], ['samples', 'samples', 'integer'], ['seed', 'seed', 'integer']] as const)
            .map(([key, flag, kind]) => [key, numberFlag(values, flag, kind)])
            .filter(([, v]) => v !== undefined),
        ),
      };
      const { job } = (await b.handle('capture.start', params)) as { job: Job };
      const result = finished(await runToEnd(b, job)).result as { dataset: { id: number; name: string; tokens: number } };
      return io.out(result, () => `dataset ${result.dataset.id} "${result.dataset.name}": ${result.dataset.tokens} tokens`);
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
          ([['dims', 'dims'], ['seed', 'seed'], ['maxPoints', 'max-points']] as const).map(([key, flag]) => [key, numberFlag(values, flag, 'integer')]).filter(([, v]) => v !== undefined),
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
      const seed = numberFlag(values, 'seed', 'integer') ?? 0;
      const layers = input.layers.map((layer) => {
        process.stderr.write(`layer ${layer}…\n`);
        const x = sampleSlices(b.db, input.dataset.id, space, layer * width, width, input.ids);
        const est = measureIntrinsic(b.db, input.dataset.id, space, layer, x, input.ids.length, width, seed);
        return { layer, twonn: Number.isFinite(est.twonn) ? est.twonn : null, pca90: est.pca90, points: est.points };
      });
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
