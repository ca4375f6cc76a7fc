// An onnxruntime session over a model's instrumented graph (graph/builder.ts): built in memory or
// taken from the on-disk cache, on the first execution provider that loads it, run with host
// typed arrays. The shapes of inputs and outputs are documented in graph/builder.ts.

import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { buildGraph, type GraphOptions } from '../graph/builder.js';
import { type LoadedModel, type ModelSpec } from '../spec.js';
import { cachedGraphPath, cacheKey, type ExternalMode, externalLocation, writeGraph } from './graph-cache.js';
import { createWithFallback, defaultProviders, type Provider, type ProviderAttempt } from './providers.js';
import { availableMemory, checkMemory, estimateMemory, type MemoryEstimate, weightForms, type Workload } from './memory.js';
import { type HostTensor } from './tensors.js';

export interface SessionOptions {
  /** preferred execution providers in order; CPU is always the last fallback. Default: defaultProviders() */
  providers?: readonly Provider[];
  /** intra-op threads; default: the machine's available cores */
  threads?: number;
  /** where built graphs are cached (by weights hash + options); absent: built in memory */
  cacheDir?: string;
  /** weights in a side file: 'auto' (default) when they pass 1.5 GB; needs a file, so a temp dir is used without cacheDir */
  externalData?: ExternalMode;
  /** onnxruntime graph optimizations; default 'all' */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * the largest run the session will do, for the memory check before the graph is built (see
   * memory.ts); default 1 row of min(maxSeqLen, 512) tokens
   */
  workload?: Workload;
  /** false: skip the memory check (default true; FFN_LAB_MEMORY_LIMIT sets the limit) */
  memoryCheck?: boolean;
  /**
   * true: let a precision 'fp16' graph run on the CPU provider, where onnxruntime casts it back to
   * fp32 (tests check the fp16 graph's results with it); default false: refused, see create()
   */
  cpuFp16?: boolean;
}

/**
 * The graph options the environment changes: FFN_LAB_FP32_WEIGHTS=1 (F16/BF16 weights as fp32
 * initializers: twice their memory, faster for runs of few tokens, where casting each weight
 * dominates) and FFN_LAB_PRECISION=fp16|fp32 (`--precision`: what the weight products compute in).
 */
export function graphFromEnv(requested: GraphOptions, env: NodeJS.ProcessEnv = process.env): GraphOptions {
  let graph = env['FFN_LAB_FP32_WEIGHTS'] === '1' ? { ...requested, fp32Weights: true } : requested;
  const precision = env['FFN_LAB_PRECISION'];
  if (precision !== undefined && precision !== '') {
    if (precision !== 'fp16' && precision !== 'fp32') throw new Error(`--precision (FFN_LAB_PRECISION) is "${precision}"; expected fp16 or fp32`);
    graph = { ...graph, precision };
  }
  return graph;
}

function fp16OnCpuError(failed: readonly ProviderAttempt[]): Error {
  const why = failed.length > 0 ? ` (${failed.map((f) => `${f.provider}: ${f.error}`).join('; ')})` : ' (no GPU provider was requested)';
  return new Error(
    `--precision fp16 computes in float16 on a GPU provider (cuda, dml, coreml, webgpu), but this session would run on the CPU provider${why}, ` +
      'where onnxruntime only casts float16 back to float32. Use --precision fp32 (the default) on CPU, or a GPU provider with --provider.',
  );
}

/** The memory estimate FfnSession.create checks, for a model, graph and workload. */
export function sessionMemory(model: LoadedModel, graph: GraphOptions, workload?: Workload): MemoryEstimate {
  const seqLen = workload?.seqLen ?? Math.min(graph.maxSeqLen ?? model.spec.maxPositions, 512);
  return estimateMemory(model.spec, weightForms(model, graph), graph, workload ?? { rows: 1, seqLen });
}

export type Feeds = Readonly<Record<string, HostTensor>>;
export type Results = Record<string, HostTensor>;

function toOrt(t: HostTensor): ort.Tensor {
  return t.type === 'float32' ? new ort.Tensor('float32', t.data, t.dims) : new ort.Tensor('int64', t.data, t.dims);
}

function fromOrt(name: string, v: ort.OnnxValue): HostTensor {
  if (!(v instanceof ort.Tensor)) throw new Error(`session: output ${name} is not a tensor`);
  if (v.type === 'float32' && v.data instanceof Float32Array) return { type: 'float32', data: v.data, dims: v.dims };
  if (v.type === 'int64' && v.data instanceof BigInt64Array) return { type: 'int64', data: v.data, dims: v.dims };
  throw new Error(`session: output ${name} has unexpected type ${v.type}`);
}

export class FfnSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly spec: ModelSpec,
    readonly graph: GraphOptions,
    /** the execution provider the session was created with */
    readonly provider: Provider,
    /** preferred providers that failed to load, and why */
    readonly failedProviders: readonly ProviderAttempt[],
    /** the graph file when it came from disk */
    readonly modelPath: string | undefined,
    private readonly tempDir: string | undefined,
  ) {}

  static async create(model: LoadedModel, requested: GraphOptions, options: SessionOptions = {}): Promise<FfnSession> {
    const graph = graphFromEnv(requested);
    const providers = options.providers ?? defaultProviders();
    const fp16 = graph.precision === 'fp16' && options.cpuFp16 !== true;
    if (fp16 && providers.every((p) => p === 'cpu')) throw fp16OnCpuError([]);
    if (options.memoryCheck ?? true) {
      // before anything large is allocated: refuse with the numbers rather than be killed
      checkMemory(model.spec, weightForms(model, graph), sessionMemory(model, graph, options.workload), availableMemory());
    }
    const mode = options.externalData ?? 'auto';
    let source: string | Uint8Array;
    let tempDir: string | undefined;
    if (options.cacheDir !== undefined) {
      source = await cachedGraphPath(model, graph, options.cacheDir, mode);
    } else {
      const key = cacheKey(model, graph);
      const built = buildGraph(model, graph, { mode, location: externalLocation(key) });
      if (built.external) {
        // external data is resolved relative to a model file, so it must go to disk
        tempDir = await mkdtemp(join(tmpdir(), 'ffn-lab-graph-'));
        source = await writeGraph(tempDir, key, built);
      } else {
        source = built.model;
      }
    }
    try {
      const created = await createWithFallback(source, {
        providers,
        threads: options.threads ?? availableParallelism(),
        optimization: options.optimization ?? 'all',
      });
      if (fp16 && created.provider === 'cpu') {
        await created.session.release();
        throw fp16OnCpuError(created.failed);
      }
      return new FfnSession(created.session, model.spec, graph, created.provider, created.failed, typeof source === 'string' ? source : undefined, tempDir);
    } catch (e) {
      if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
      throw e;
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Runs the graph; `outputs` limits what is fetched (default: every output). */
  async run(feeds: Feeds, outputs?: readonly string[]): Promise<Results> {
    const missing = this.inputNames.filter((n) => feeds[n] === undefined);
    if (missing.length > 0) throw new Error(`session: missing inputs ${missing.join(', ')} (graph takes ${this.inputNames.join(', ')})`);
    // with a KV cache the run's tokens follow the P cached positions, which its buffers must hold
    const P = feeds['past_length'] ? Number(feeds['past_length'].data[0]) : 0;
    const T = (feeds['input_ids']?.dims[1] ?? 0) + P;
    const capacity = feeds['past_key.0']?.dims[2];
    if (capacity !== undefined && P > capacity) throw new Error(`session: past_length ${P} is more than the KV cache's buffers hold (${capacity})`);
    const maxT = this.graph.maxSeqLen ?? this.spec.maxPositions;
    if (T > maxT) throw new Error(`session: sequences of ${T} tokens exceed the graph's limit of ${maxT} positions`);
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const n of this.inputNames) ortFeeds[n] = toOrt(feeds[n] as HostTensor);
    const got = await this.session.run(ortFeeds, outputs ?? this.outputNames);
    const out: Results = {};
    for (const [name, v] of Object.entries(got)) out[name] = fromOrt(name, v);
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
    if (this.tempDir !== undefined) await rm(this.tempDir, { recursive: true, force: true });
  }
}
