// Execution-provider choice: try the caller's preferences in order, each backed by CPU for the ops
// it lacks, and fall back to CPU alone. The provider reported is the first one whose session was
// created; onnxruntime-node does not say which nodes it placed where.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';

export type Provider = 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'cpu';

export interface ProviderAttempt {
  provider: Provider;
  error: string;
}

export interface CreatedSession {
  session: ort.InferenceSession;
  provider: Provider;
  /** providers tried before the one used, with why each failed */
  failed: ProviderAttempt[];
}

export interface CreateOptions {
  providers: readonly Provider[];
  threads: number;
  optimization: 'disabled' | 'basic' | 'extended' | 'all';
}

/** Backends this onnxruntime-node binary knows (bundled or installable). */
function knownBackends(): Set<string> {
  return new Set(ort.listSupportedBackends().map((b) => b.name));
}

export const PROVIDERS: readonly Provider[] = ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'];

/** Whether onnxruntime-node's optional CUDA 12 libraries were installed (see README, GPU inference). */
function cudaInstalled(): boolean {
  try {
    const pkg = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    return existsSync(path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/**
 * The accelerator this platform's onnxruntime-node has, then CPU: DirectML on Windows and CoreML on
 * macOS ship inside the package; CUDA on Linux only when its libraries were installed.
 */
export function defaultProviders(platform: NodeJS.Platform = process.platform): Provider[] {
  if (platform === 'win32') return ['dml', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'cpu'];
  if (platform === 'linux' && cudaInstalled()) return ['cuda', 'cpu'];
  return ['cpu'];
}

/** "cuda,cpu" -> providers, naming a wrong one and the valid choices. */
export function parseProviders(text: string): Provider[] {
  const names = text.split(',').map((t) => t.trim()).filter(Boolean);
  const bad = names.find((n) => !(PROVIDERS as readonly string[]).includes(n));
  if (bad !== undefined || names.length === 0) throw new Error(`unknown execution provider "${bad ?? text}"; expected a comma-separated list of ${PROVIDERS.join(', ')}`);
  return names as Provider[];
}

export async function createWithFallback(source: string | Uint8Array, o: CreateOptions): Promise<CreatedSession> {
  const order = [...new Set<Provider>([...o.providers, 'cpu'])];
  const known = knownBackends();
  const failed: ProviderAttempt[] = [];
  for (const provider of order) {
    if (provider !== 'cpu' && !known.has(provider)) {
      failed.push({ provider, error: `not available in this onnxruntime-node build (${[...known].join(', ')})` });
      continue;
    }
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
      intraOpNumThreads: o.threads,
      graphOptimizationLevel: o.optimization,
      logSeverityLevel: 3,
    };
    try {
      const session = typeof source === 'string' ? await ort.InferenceSession.create(source, options) : await ort.InferenceSession.create(source, options);
      return { session, provider, failed };
    } catch (e) {
      failed.push({ provider, error: e instanceof Error ? e.message : String(e) });
    }
  }
  throw new Error(`no execution provider could load the graph: ${failed.map((f) => `${f.provider}: ${f.error}`).join('; ')}`);
}
