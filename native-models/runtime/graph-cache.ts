// Built graphs on disk, keyed by the weights' content hash and the graph options, so a model's
// instrumented graph is built once. Files are written under a temporary name and renamed into
// place, the side file (external weights) before the model, so a model file that exists is
// complete.

import { createHash, randomBytes } from 'node:crypto';
import { open, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type BuildOutput, buildGraph, graphKey, type GraphOptions } from '../graph/builder.js';
import { type SideFile } from '../graph/graph.js';
import { type Encoded } from '../graph/protobuf.js';
import { type LoadedModel } from '../spec.js';

export type ExternalMode = 'auto' | 'always' | 'never';

export function cacheKey(model: LoadedModel, options: GraphOptions): string {
  // The spec too: the weights hash does not cover config.json (rope_theta, eps, activation...).
  return createHash('sha256')
    .update(model.source.sha256)
    .update('\n')
    .update(JSON.stringify(model.spec))
    .update('\n')
    .update(graphKey(options))
    .digest('hex')
    .slice(0, 32);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function writeAtomically(path: string, data: Encoded | SideFile | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fh = await open(tmp, 'w');
  try {
    for (const run of data instanceof Uint8Array ? [data] : data.parts) {
      // a lazy run (a 16-bit weight) is read here and dropped once written, one at a time
      const part = run instanceof Uint8Array ? run : run.read();
      let off = 0;
      while (off < part.byteLength) off += (await fh.write(part, off, part.byteLength - off)).bytesWritten;
    }
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
}

/** Writes a built graph as `<dir>/<key>.onnx` (+ `<key>.onnx.data`); returns the model path. */
export async function writeGraph(dir: string, key: string, built: BuildOutput): Promise<string> {
  await mkdir(dir, { recursive: true });
  if (built.external) await writeAtomically(join(dir, built.external.location), built.external.data);
  const modelPath = join(dir, `${key}.onnx`);
  await writeAtomically(modelPath, built.model);
  return modelPath;
}

/** The side file name a graph with this key refers to. */
export const externalLocation = (key: string): string => `${key}.onnx.data`;

/**
 * The path of the graph file in `dir`, built and written when absent. External weights, when
 * used, sit beside it as `<key>.onnx.data`.
 */
export async function cachedGraphPath(model: LoadedModel, options: GraphOptions, dir: string, mode: ExternalMode): Promise<string> {
  const key = cacheKey(model, options);
  const modelPath = join(dir, `${key}.onnx`);
  if (await exists(modelPath)) return modelPath;
  return writeGraph(dir, key, buildGraph(model, options, { mode, location: externalLocation(key) }));
}
