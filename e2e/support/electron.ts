// The Electron shell for e2e tests, when Electron's binary is installed (Electron >= 42 downloads
// it on first use, so an offline install has none): find it, and launch the built app in it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { projectRoot } from './app.js';

/** The binary the way electron/paths.ts finds it (without requiring the package, which would try to download it). */
export function electronBinary(): string | null {
  const pkg = path.join(projectRoot, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  if (!fs.existsSync(pathFile)) return null;
  const bin = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkg, 'dist'), fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(bin) ? bin : null;
}

/** Starts dist/electron/main.js in `binary` on `dataDir` (no demo) and waits for its window. */
export async function launchElectronApp(binary: string, dataDir: string): Promise<{ app: ElectronApplication; win: Page }> {
  // better-sqlite3 for Electron's ABI (what `npm start` does first; once, then cached in dist/native).
  execFileSync(process.execPath, [path.join(projectRoot, 'scripts', 'electron-sqlite.mjs'), binary], { cwd: projectRoot, stdio: 'inherit' });
  const args = [path.join(projectRoot, 'dist', 'electron', 'main.js'), '--data-dir', dataDir, '--no-demo'];
  // Chromium refuses to run as root with its sandbox on (CI containers); the renderer's own
  // sandbox (webPreferences.sandbox) is what the tests check, and it stays on.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  const app = await _electron.launch({ executablePath: binary, args, cwd: projectRoot, timeout: 60_000 });
  const win = await app.firstWindow();
  win.setDefaultTimeout(30_000);
  return { app, win };
}
