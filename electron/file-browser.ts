// Browser mode's file browser (files.list): one folder under the allowed roots, each entry
// marked when it is a checkpoint or corpus the app reads. The browser cannot show the backend's
// disk, and a page must not walk it either: the folder is confined like every other API path,
// and an entry that is a symlink leading out of the roots is listed without size or mark.
import fs from 'node:fs';
import path from 'node:path';
import type { FileEntry, FileListing } from './api.js';
import { isInside } from '../native-models/formats/links.js';
import { confinePath, realPathOf, type AllowedRoot } from './allowed-roots.js';
import { ApiError } from './errors.js';
import { fileMark, folderMark } from './file-marks.js';

/** entries listed at most: a folder of a million files still answers quickly */
export const MAX_ENTRIES = 2000;

function inRoots(roots: readonly AllowedRoot[], real: string): boolean {
  return roots.some((r) => isInside(r.path, real));
}

function entryOf(roots: readonly AllowedRoot[], dir: string, name: string): FileEntry {
  const p = path.join(dir, name);
  const other: FileEntry = { name, path: p, kind: 'other', size: null, mark: null };
  let real: string;
  let stat: fs.Stats;
  try {
    real = realPathOf(p);
    // A link out of the roots says nothing about its target (not even whether it is a folder).
    if (!inRoots(roots, real)) return other;
    stat = fs.statSync(real);
  } catch {
    return other; // dangling link, no permission
  }
  if (stat.isDirectory()) return { name, path: p, kind: 'folder', size: null, mark: folderMark(real) };
  // FIFOs, sockets and devices are never opened: reading one could block the server.
  if (!stat.isFile()) return other;
  return { name, path: p, kind: 'file', size: stat.size, mark: fileMark(real, stat.size) };
}

const byKindThenName = (a: FileEntry, b: FileEntry) => {
  const rank = (e: FileEntry) => (e.kind === 'folder' ? 0 : e.kind === 'file' ? 1 : 2);
  return rank(a) - rank(b) || a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' });
};

/** The roots themselves, as folders to open. */
function rootListing(roots: readonly AllowedRoot[]): FileListing {
  const entries: FileEntry[] = roots.map((r) => ({ name: `${r.path} (${r.label})`, path: r.path, kind: 'folder', size: null, mark: folderMark(r.path) }));
  return { dir: null, parent: null, roots: roots.map((r) => ({ path: r.path, label: r.label })), entries, truncated: false };
}

/**
 * Lists `dir` (a path inside the roots; none: the roots). Hidden (dot) entries only when asked:
 * the Hugging Face cache is ~/.cache/huggingface. Throws PathNotAllowedError outside the roots.
 */
export function listFolder(roots: readonly AllowedRoot[], dir: string | undefined, hidden = false): FileListing {
  if (dir === undefined) return rootListing(roots);
  const real = confinePath(roots, dir, 'folder');
  let names: string[];
  try {
    if (!fs.statSync(real).isDirectory()) throw new ApiError('bad-request', `"${dir}" is not a folder; open the folder that holds it`);
    names = fs.readdirSync(real);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ApiError('not-found', `the folder "${dir}" does not exist`);
    throw new ApiError('bad-request', `the folder "${dir}" cannot be listed (${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? 'unreadable')})`);
  }
  const shown = names.filter((n) => hidden || !n.startsWith('.')).sort((a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' }));
  const entries = shown.slice(0, MAX_ENTRIES).map((n) => entryOf(roots, real, n)).sort(byKindThenName);
  const isRoot = roots.some((r) => r.path === real);
  const up = path.dirname(real);
  return {
    dir: real,
    parent: !isRoot && up !== real && inRoots(roots, up) ? up : null,
    roots: roots.map((r) => ({ path: r.path, label: r.label })),
    entries,
    truncated: shown.length > MAX_ENTRIES,
  };
}
