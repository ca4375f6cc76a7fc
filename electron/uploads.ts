// Browser mode's way to open a checkpoint file that was dragged onto the window: the browser
// cannot tell the backend where the file is, so it streams the bytes, which land in the data
// folder's uploads/ under the file's own name. (The desktop app reads the dropped file where it
// is; nothing is copied.) A half-written upload never looks like a checkpoint: bytes go to a
// .part file that is renamed only once every byte has arrived, and removed on any failure.
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ApiError } from './errors.js';

/** Single-file checkpoints that can be dropped: what the model importer reads without a folder. */
export const UPLOADABLE_EXTENSIONS = ['.gguf', '.bin'] as const;

/** Free space kept after an upload, so the database and the job's files still have room. */
const MARGIN_BYTES = 256 * 1024 * 1024;

export function uploadsDir(dataDir: string): string {
  return path.join(dataDir, 'uploads');
}

/** The file name as given, if it is a plain name with an uploadable extension; else an error saying why. */
export function checkUploadName(name: string): string {
  const base = path.basename(name);
  if (name === '' || base !== name || name.startsWith('.') || /[\0/\\]/.test(name) || name.length > 200) {
    throw new ApiError('bad-request', `"${name}" is not a plain file name (no folders, at most 200 characters, not starting with a dot)`);
  }
  const ext = path.extname(name).toLowerCase();
  if (!(UPLOADABLE_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new ApiError(
      'bad-request',
      `"${name}" cannot be opened by dropping it: drop a ${UPLOADABLE_EXTENSIONS.join(' or ')} file (GGUF, llama2.c). ` +
        'A Hugging Face checkpoint is a folder (config.json beside its .safetensors): type its path instead.',
    );
  }
  return name;
}

/** name, or name-2.ext, name-3.ext, ... : the first that does not exist yet in `dir`. */
function freshPath(dir: string, name: string): string {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 1; ; i++) {
    const candidate = path.join(dir, i === 1 ? name : `${stem}-${i}${ext}`);
    if (!fs.existsSync(candidate) && !fs.existsSync(`${candidate}.part`)) return candidate;
  }
}

function freeBytes(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

export interface Upload {
  /** where the file now is, for model.import */
  path: string;
  bytes: number;
}

/**
 * Streams the request body into uploads/<name>. Needs Content-Length (the size is checked against
 * the free disk space before a byte is written, and the received count against it after).
 */
export async function receiveUpload(req: http.IncomingMessage, dataDir: string, rawName: string): Promise<Upload> {
  const name = checkUploadName(rawName);
  const declared = Number(req.headers['content-length']);
  if (!Number.isSafeInteger(declared) || declared <= 0) {
    throw new ApiError('bad-request', 'an upload needs a Content-Length header with the file size in bytes (more than 0)');
  }
  const dir = uploadsDir(dataDir);
  fs.mkdirSync(dir, { recursive: true });
  const free = freeBytes(dir);
  if (declared + MARGIN_BYTES > free) {
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
    throw new ApiError('bad-request', `not enough disk space for ${name}: it has ${gib(declared)}, ${dir} has ${gib(free)} free (${gib(MARGIN_BYTES)} kept in reserve). Free some space, or run FFN Lab where the file is and type its path.`);
  }
  const target = freshPath(dir, name);
  const part = `${target}.part`;
  let received = 0;
  req.on('data', (chunk: Buffer) => (received += chunk.length));
  try {
    await pipeline(req, fs.createWriteStream(part, { flags: 'wx' }));
    if (received !== declared) throw new ApiError('bad-request', `the upload of ${name} stopped after ${received} of ${declared} bytes; nothing was kept`);
    fs.renameSync(part, target);
  } catch (err) {
    fs.rmSync(part, { force: true });
    if (err instanceof ApiError) throw err;
    throw new ApiError('bad-request', `the upload of ${name} was interrupted after ${received} of ${declared} bytes (${(err as Error).message}); nothing was kept`);
  }
  return { path: target, bytes: received };
}
