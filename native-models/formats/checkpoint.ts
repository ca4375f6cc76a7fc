// The one entry point: give it a path, get a validated reader, whatever the format. Dispatch is
// by cheap sniffing; once a format claims the path, its own open() reports what is wrong.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { causeText, CheckpointError, FormatError, quote } from './errors.js';
import { openGguf, sniffGguf } from './gguf.js';
import { fdSize, notRegularFile, readRange, withFd } from './io.js';
import { openLlama2c, sniffLlama2c } from './llama2c.js';
import type { CheckpointReader } from './reader.js';
import { openSafetensors, sniffSafetensors } from './safetensors.js';
import { openSafetensorsFolder, readConfigIn } from './safetensors-folder.js';

export type { DType } from './dtype.js';
export type { CheckpointReader, TensorInfo } from './reader.js';
export { CheckpointError, FormatError, GgufError, Llama2cError, SafetensorsError, SafetensorsFolderError } from './errors.js';

const SUPPORTED =
  'supported: a Hugging Face folder (config.json with model.safetensors or model.safetensors.index.json), a .safetensors file, a llama2.c .bin (legacy run.c header), a .gguf (GGUF v2/v3, little-endian)';

/** Names what a rejected file looks like, when its first bytes say so. */
function recognise(file: string): string {
  try {
    const head = withFd(file, CheckpointError, (fd) => readRange(fd, 0, Math.min(8, fdSize(fd, file, CheckpointError)), file, CheckpointError));
    const ascii = String.fromCharCode(...head.subarray(0, 4));
    if (ascii.startsWith('PK')) return ' It looks like a zip (a PyTorch .pt/.bin): convert it to safetensors.';
    if (head[0] === 0x80) return ' It looks like a Python pickle: convert it to safetensors.';
    if (head[0] === 0x08) return ' It may be ONNX (protobuf), which is not read as a checkpoint yet.';
  } catch {
    /* the open error below is enough */
  }
  return '';
}

/** Opens a checkpoint: folder -> HF folder; safetensors header -> safetensors; .gguf or the GGUF magic -> GGUF; .bin with a sane llama2.c header -> llama2.c. */
export function openCheckpoint(p: string): CheckpointReader {
  const abs = path.resolve(p);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch (err) {
    throw new CheckpointError(abs, `cannot open: ${causeText(err)}`);
  }
  if (stat.isDirectory()) return openSafetensorsFolder(abs);
  if (!stat.isFile()) throw new CheckpointError(abs, `${notRegularFile(stat)}; ${SUPPORTED}`);
  const ext = path.extname(abs).toLowerCase();
  // The extension settles a file whose header is too broken to sniff: say what is wrong with it.
  if (ext === '.safetensors' || sniffSafetensors(abs)) return openSafetensors(abs, readConfigIn(path.dirname(abs)));
  if (ext === '.gguf' || sniffGguf(abs)) return openGguf(abs);
  if (ext === '.bin') {
    if (sniffLlama2c(abs)) return openLlama2c(abs);
    let why = '';
    try {
      openLlama2c(abs);
    } catch (err) {
      why = ` As llama2.c: ${err instanceof FormatError ? err.detail : causeText(err)}.`;
    }
    throw new CheckpointError(abs, `not a checkpoint this app reads (${SUPPORTED}).${why}${recognise(abs)}`);
  }
  throw new CheckpointError(abs, `not a checkpoint this app reads: extension ${quote(ext)} and no safetensors header; ${SUPPORTED}.${recognise(abs)}`);
}
