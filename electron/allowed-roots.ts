// Browser mode's confinement: every path the API is given must lie, once symlinks are resolved,
// inside one of the folders the user opened the server with (--allow-dir; default the home
// folder and the data folder). Without it, anyone holding the token could read any file the
// user can (import /etc/passwd as a corpus and read it back). The Electron shell is not
// confined: its paths come from the user's own native dialog or typing.
import fs from 'node:fs';
import path from 'node:path';
import { isInside } from '../native-models/formats/links.js';
import { ApiError } from './errors.js';

export interface AllowedRoot {
  /** the real path (symlinks resolved) */
  path: string;
  /** why it is allowed, for messages: "--allow-dir", "home folder", "data folder", ... */
  label: string;
}

/** A path outside every allowed root (or one that cannot be checked): a 'bad-request' that names the roots. */
export class PathNotAllowedError extends ApiError {
  constructor(message: string) {
    super('bad-request', message);
    this.name = 'PathNotAllowedError';
  }
}

const MISSING = new Set(['ENOENT', 'ENOTDIR']);

/**
 * The real path of `p` as the operating system would resolve it (libc realpath: a '..' after a
 * symlink goes up from the link's target, unlike path.resolve). A path that does not exist (yet)
 * resolves through its longest existing prefix; what follows is appended as written, normalised,
 * so a '..' there cannot climb above the real prefix unnoticed (the check then sees where it lands).
 */
export function realPathOf(p: string, cwd: string = process.cwd()): string {
  const abs = path.isAbsolute(p) ? p : path.join(cwd, p);
  try {
    return fs.realpathSync.native(abs);
  } catch (err) {
    if (!MISSING.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
  }
  // Walk up the path as written (not normalised: "link/.." must go through the link).
  const { root } = path.parse(abs);
  const parts = abs.slice(root.length).split(/[\\/]+/).filter((s) => s !== '');
  for (let keep = parts.length - 1; keep >= 0; keep--) {
    const prefix = root + parts.slice(0, keep).join(path.sep);
    let real: string;
    try {
      real = fs.realpathSync.native(prefix);
    } catch (err) {
      if (MISSING.has((err as NodeJS.ErrnoException).code ?? '')) continue;
      throw err;
    }
    return path.join(real, ...parts.slice(keep));
  }
  return path.normalize(abs);
}

/** The roots, each resolved after symlinks; duplicates (and roots inside another) kept once, in order. */
export function allowedRoots(dirs: readonly { dir: string; label: string }[]): AllowedRoot[] {
  const out: AllowedRoot[] = [];
  for (const { dir, label } of dirs) {
    const real = realPathOf(path.resolve(dir));
    if (out.some((r) => isInside(r.path, real))) continue;
    // a later root that holds earlier ones replaces them
    for (let i = out.length - 1; i >= 0; i--) if (isInside(real, out[i]!.path)) out.splice(i, 1);
    out.push({ path: real, label });
  }
  return out;
}

export function describeRoots(roots: readonly AllowedRoot[]): string {
  return roots.map((r) => `${r.path} (${r.label})`).join(', ');
}

const HOW_TO_ALLOW = 'start FFN Lab with --allow-dir <folder> to allow another folder';

/**
 * The real path of `p` when it lies inside a root; else PathNotAllowedError naming the roots.
 * `what` names the field for the message ("model path", "corpus path").
 */
export function confinePath(roots: readonly AllowedRoot[], p: string, what = 'path'): string {
  if (p.includes('\0')) throw new PathNotAllowedError(`the ${what} contains a NUL byte; expected a file or folder path`);
  // The same refusal whether the path exists, is unreadable or is a symlink out: naming where a
  // link points, or which error the system gave, would tell the caller about folders it may not see.
  const refusal = new PathNotAllowedError(`the ${what} "${p}" is outside the folders browser mode may open (after following symlinks): ${describeRoots(roots)}; ${HOW_TO_ALLOW}`);
  let real: string;
  try {
    real = realPathOf(p);
  } catch {
    throw refusal;
  }
  if (roots.some((r) => isInside(r.path, real))) return real;
  throw refusal;
}

/** A --allow-dir that is not a folder: startup stops and says which. */
export class AllowDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllowDirError';
  }
}

/**
 * The roots browser mode starts with: each --allow-dir (each must be an existing folder), or the
 * home folder when none is given; always the data folder (uploads land there and are imported
 * from there) and the shipped demo models (the app's own read-only files).
 */
export function browserModeRoots(o: { allowDirs: readonly string[]; home: string; dataDir: string; demoDir: string }): AllowedRoot[] {
  for (const dir of o.allowDirs) {
    let ok = false;
    try {
      ok = fs.statSync(dir).isDirectory();
    } catch {
      /* reported below */
    }
    if (!ok) throw new AllowDirError(`--allow-dir ${dir}: not an existing folder; give a folder that exists (it and everything under it become readable by the browser UI)`);
  }
  const chosen = o.allowDirs.length > 0 ? o.allowDirs.map((dir) => ({ dir, label: '--allow-dir' })) : [{ dir: o.home, label: 'home folder' }];
  return allowedRoots([...chosen, { dir: o.dataDir, label: 'data folder' }, { dir: o.demoDir, label: 'shipped demo models' }]);
}
