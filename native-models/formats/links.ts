// Where a symbolic link inside a model folder may lead. A downloaded folder is untrusted: a
// "shard" that links to ~/.ssh/id_rsa would otherwise be opened, and its size and first bytes
// would turn up in an error message. A link is followed only when it stays inside the folder, or
// when the folder is a snapshot of the Hugging Face cache (<repo>/snapshots/<revision>/) and the
// link leads into that repo's blobs/ folder, which is how the cache stores every file.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { causeText, type FormatErrorClass } from './errors.js';

/**
 * True when `inner` is `outer` or lies below it (both absolute and resolved; `p`: the path flavour,
 * path.win32 to check Windows paths anywhere). Also the browser mode's allowed-roots check.
 */
export function isInside(outer: string, inner: string, p: Pick<typeof path, 'relative' | 'isAbsolute' | 'sep'> = path): boolean {
  const rel = p.relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${p.sep}`) && !p.isAbsolute(rel));
}

/** The blobs/ folder of the Hugging Face cache repo whose snapshot `folder` is, or null when it is no snapshot. */
export function hfCacheBlobs(folder: string): string | null {
  const snapshots = path.dirname(folder);
  if (path.basename(snapshots) !== 'snapshots') return null;
  return path.join(path.dirname(snapshots), 'blobs');
}

/** Where a link may lead, given the folder's resolved path: the folder, and the cache's blobs/ beside its snapshots/. */
export function allowedLinkTargets(realFolder: string): string[] {
  const blobs = hfCacheBlobs(realFolder);
  return blobs ? [realFolder, blobs] : [realFolder];
}

/**
 * Checks that `file` (an entry of `folder`) is no link, or a link that resolves inside the
 * allowed targets; throws `Err` naming the link, where it leads and what is allowed. A missing
 * entry passes: the reader reports it in its own words.
 */
export function checkLinkInFolder(file: string, folder: string, Err: FormatErrorClass): void {
  let isLink: boolean;
  try {
    isLink = fs.lstatSync(file).isSymbolicLink();
  } catch {
    return;
  }
  if (!isLink) return;
  let target: string;
  let realFolder: string;
  try {
    realFolder = fs.realpathSync(folder);
    target = fs.realpathSync(file);
  } catch (err) {
    throw new Err(file, `is a symbolic link that cannot be resolved (${causeText(err)}); expected a file in the model folder`);
  }
  const allowed = allowedLinkTargets(realFolder);
  if (allowed.some((root) => isInside(root, target))) return;
  const where = allowed.length > 1 ? `the model folder or the Hugging Face cache's ${allowed[1]}` : `the model folder ${realFolder}`;
  throw new Err(
    file,
    `is a symbolic link to ${target}, outside ${where}; links are followed only within the model folder or from a Hugging Face cache snapshot into its blobs/ folder. Copy the file into the folder if it belongs to this model`,
  );
}
