// What a file or folder in the file browser is to this app: a checkpoint (with its architecture
// and size from the header) or a corpus. Uses the format readers' cheap "mine or not" checks and
// header reads only: never a tensor byte, never a whole file. A header that does not read still
// gets its mark (the name or magic said so), with a detail saying to import it to see why;
// the reader's error is not repeated here, so the listing quotes nothing from the file.
import fs from 'node:fs';
import path from 'node:path';
import { formatBytes } from '../common/format.js';
import type { FileMark } from './api.js';
import { readGgufHeader, sniffGguf } from '../native-models/formats/gguf.js';
import { parseLlama2cHeader, sniffLlama2c } from '../native-models/formats/llama2c.js';
import { readSafetensorsHeader, sniffSafetensors } from '../native-models/formats/safetensors.js';
import { CONFIG_FILE, INDEX_FILE, SINGLE_FILE } from '../native-models/formats/safetensors-folder.js';

const UNREADABLE = 'its header does not read: import it to see why';
/** config.json is small; a larger one is not read for a mark */
const MAX_CONFIG_BYTES = 1_000_000;
/** a folder is a corpus of .txt files when one of its first entries is one */
const FOLDER_PEEK = 256;

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function regularFile(p: string): fs.Stats | null {
  try {
    const s = fs.statSync(p);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

/** config.json's architecture and layer count, when it is small and parses; null otherwise. */
function configSummary(dir: string): { architecture: string | null; layers: number | null } | null {
  const file = path.join(dir, CONFIG_FILE);
  const s = regularFile(file);
  if (!s || s.size > MAX_CONFIG_BYTES) return null;
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    const arch = Array.isArray(c.architectures) && typeof c.architectures[0] === 'string' ? c.architectures[0] : null;
    const architecture = typeof c.model_type === 'string' ? c.model_type : arch;
    const layers = [c.num_hidden_layers, c.n_layer, c.num_layers].find((v) => typeof v === 'number');
    return { architecture, layers: typeof layers === 'number' ? layers : null };
  } catch {
    return null;
  }
}

function hfFolderMark(dir: string): FileMark | null {
  const single = regularFile(path.join(dir, SINGLE_FILE));
  const index = regularFile(path.join(dir, INDEX_FILE));
  if (!single && !index) return null;
  const config = configSummary(dir);
  if (!config && !regularFile(path.join(dir, CONFIG_FILE))) {
    return { what: 'checkpoint', format: 'hf-folder', architecture: null, detail: `no ${CONFIG_FILE} beside the weights` };
  }
  const parts = [config?.layers ? plural(config.layers, 'layer') : null, single ? `${SINGLE_FILE}, ${formatBytes(single.size)}` : 'sharded (index)'];
  return { what: 'checkpoint', format: 'hf-folder', architecture: config?.architecture ?? null, detail: parts.filter(Boolean).join(', ') };
}

function txtFolderMark(dir: string): FileMark | null {
  let d: fs.Dir | undefined;
  try {
    d = fs.opendirSync(dir);
    for (let i = 0; i < FOLDER_PEEK; i++) {
      const e = d.readSync();
      if (!e) break;
      if (path.extname(e.name).toLowerCase() === '.txt' && !e.name.startsWith('.')) {
        return { what: 'corpus', format: 'txt-folder', architecture: null, detail: 'a folder of .txt files (one document each)' };
      }
    }
    return null;
  } catch {
    return null;
  } finally {
    d?.closeSync();
  }
}

export function folderMark(dir: string): FileMark | null {
  return hfFolderMark(dir) ?? txtFolderMark(dir);
}

function safetensorsMark(file: string, size: number): FileMark {
  const config = configSummary(path.dirname(file));
  try {
    const h = readSafetensorsHeader(file);
    const dtypes = [...new Set(h.tensors.map((t) => t.dtype))].join('/');
    return { what: 'checkpoint', format: 'safetensors', architecture: config?.architecture ?? null, detail: `${plural(h.tensors.length, 'tensor')}${dtypes ? ` ${dtypes}` : ''}, ${formatBytes(size)}` };
  } catch {
    return { what: 'checkpoint', format: 'safetensors', architecture: null, detail: UNREADABLE };
  }
}

function ggufMark(file: string, size: number): FileMark {
  try {
    const h = readGgufHeader(file);
    const arch = h.metadata['general.architecture'];
    const architecture = typeof arch === 'string' ? arch : null;
    const blocks = architecture ? h.metadata[`${architecture}.block_count`] : undefined;
    const layers = typeof blocks === 'number' ? `${plural(blocks, 'layer')}, ` : '';
    return { what: 'checkpoint', format: 'gguf', architecture, detail: `GGUF v${h.version}, ${layers}${plural(h.tensors.length, 'tensor')}, ${formatBytes(size)}` };
  } catch {
    return { what: 'checkpoint', format: 'gguf', architecture: null, detail: UNREADABLE };
  }
}

function llama2cMark(file: string, size: number): FileMark | null {
  if (!sniffLlama2c(file)) return null; // many .bin files are not checkpoints (PyTorch pickles, data)
  try {
    const fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(28);
    try {
      fs.readSync(fd, head, 0, 28, 0);
    } finally {
      fs.closeSync(fd);
    }
    const c = parseLlama2cHeader(file, head);
    return { what: 'checkpoint', format: 'llama2c', architecture: 'llama', detail: `llama2.c, dim ${c.dim}, ${plural(c.n_layers, 'layer')}, vocab ${c.vocab_size}, ${formatBytes(size)}` };
  } catch {
    return null;
  }
}

/** The mark of a regular file (`size` bytes), or null when the app does not read it. */
export function fileMark(file: string, size: number): FileMark | null {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.safetensors') return safetensorsMark(file, size);
  if (ext === '.gguf') return ggufMark(file, size);
  if (ext === '.bin') return llama2cMark(file, size);
  if (ext === '.txt') return { what: 'corpus', format: 'txt', architecture: null, detail: `one document, ${formatBytes(size)}` };
  if (ext === '.jsonl') return { what: 'corpus', format: 'jsonl', architecture: null, detail: `JSON lines with a "text" field, ${formatBytes(size)}` };
  // Without an extension only the magic can say (the Hugging Face cache's blobs). Files with
  // other extensions are not opened: that would cost an open per file in a large folder.
  if (ext !== '') return null;
  if (sniffGguf(file)) return ggufMark(file, size);
  if (sniffSafetensors(file)) return safetensorsMark(file, size);
  return null;
}
