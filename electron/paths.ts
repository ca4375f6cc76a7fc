// Where the built pieces lie, relative to the bundle that is running (dist/electron/*.js).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const distElectronDir = path.dirname(fileURLToPath(import.meta.url));
export const rendererDir = path.join(distElectronDir, '..', 'renderer');
export const workerScript = path.join(distElectronDir, 'job-worker.js');
export const projectRoot = path.join(distElectronDir, '..', '..');
/** The shipped demo models (native-models/demo/<name>), beside dist/ in a checkout and in the installed package. */
export const demoModelsDir = path.join(projectRoot, 'native-models', 'demo');

/**
 * The Electron binary, when it was downloaded. Requiring the `electron` package would try to
 * download it (electron >= 42 installs lazily), which fails offline, so read its path file.
 */
export function electronBinary(): string | null {
  const pkgDir = path.join(projectRoot, 'node_modules', 'electron');
  const pathFile = path.join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const rel = readFileSync(pathFile, 'utf8').trim();
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkgDir, 'dist');
  const bin = path.join(dist, rel);
  return existsSync(bin) ? bin : null;
}
