// Packages the Electron shell with its fuses flipped (@electron/fuses): a copy of Electron's
// dist folder in dist/package/electron/ whose resources/app/ starts this checkout's built app,
// with the copy's binary hardened. The Electron in node_modules is left as it is (scripts use it
// with ELECTRON_RUN_AS_NODE, e.g. electron-sqlite.mjs).
//
//   node scripts/package-fuses.mjs [--electron-dist DIR] [--out DIR]
//
// Flipped: RunAsNode off (ELECTRON_RUN_AS_NODE no longer turns the app into a Node that runs any
// script; jobs use utilityProcess, which needs no such mode), NODE_OPTIONS ignored, --inspect and
// friends ignored, file:// pages get no extra privileges (the app serves app://, never file://).
// Cookie encryption stays off: the app keeps no cookies, and on macOS it would ask for a keychain
// entry. Not flipped, and why: OnlyLoadAppFromAsar and embedded asar integrity
// need the app packed into an asar archive with its hash in the binary's resources (electron-
// builder / Forge do that); this packaging runs the app from resources/app/ and the checkout,
// so turning them on would stop the app from starting. See SECURITY.md.
import { FuseState, FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire } from '@electron/fuses';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The fuses this packaging sets; the ones left out keep Electron's default. */
export const APP_FUSES = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

const STATE_NAMES = { [FuseState.ENABLE]: 'enabled', [FuseState.DISABLE]: 'disabled', [FuseState.REMOVED]: 'removed', [FuseState.INHERIT]: 'inherit' };

/** The binary's fuse wire as { RunAsNode: 'disabled', ... }; fuses newer than @electron/fuses show as fuse<N>. */
export async function readFuses(binary) {
  const wire = await getCurrentFuseWire(binary);
  const out = {};
  for (const [key, value] of Object.entries(wire)) {
    if (key === 'version') continue;
    out[FuseV1Options[Number(key)] ?? `fuse${key}`] = STATE_NAMES[value] ?? `unknown (${value})`;
  }
  return out;
}

/** Flips APP_FUSES on `binary` (in place) and returns what it then reads. */
export async function hardenBinary(binary) {
  await flipFuses(binary, { ...APP_FUSES, resetAdHocDarwinSignature: process.platform === 'darwin' && process.arch === 'arm64' });
  return readFuses(binary);
}

/** Electron's dist folder and the binary's path inside it, as the electron package records them. */
export function electronDist(distOverride) {
  const pkg = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  const dist = distOverride ?? process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkg, 'dist');
  if (!fs.existsSync(pathFile)) return null;
  const rel = fs.readFileSync(pathFile, 'utf8').trim();
  return fs.existsSync(path.join(dist, rel)) ? { dist, rel } : null;
}

/** Where the app goes inside a copied Electron: resources/app/ (Electron loads it before default_app.asar). */
function appDir(outElectron, rel) {
  return rel.includes('.app/') ? path.join(outElectron, rel.split('.app/')[0] + '.app', 'Contents', 'Resources', 'app') : path.join(outElectron, 'resources', 'app');
}

/** Copies Electron into `out`, adds a launcher of this checkout's dist/electron/main.js, flips the fuses; returns the binary and its fuses. */
export async function packageApp({ dist, rel, out }) {
  const outElectron = path.join(out, 'electron');
  fs.rmSync(outElectron, { recursive: true, force: true });
  fs.cpSync(dist, outElectron, { recursive: true, verbatimSymlinks: true });
  const app = appDir(outElectron, rel);
  fs.mkdirSync(app, { recursive: true });
  const main = pathToFileURL(path.join(root, 'dist', 'electron', 'main.js')).href;
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'ffn-lab', private: true, type: 'module', main: 'launch.mjs' }, null, 2) + '\n');
  fs.writeFileSync(path.join(app, 'launch.mjs'), `// Starts the built app of the checkout this was packaged from.\nawait import(${JSON.stringify(main)});\n`);
  const binary = path.join(outElectron, rel);
  return { binary, fuses: await hardenBinary(binary) };
}

async function cli() {
  const { values } = parseArgs({ options: { 'electron-dist': { type: 'string' }, out: { type: 'string' } } });
  const found = electronDist(values['electron-dist']);
  if (!found) {
    console.error('No Electron binary: node_modules/electron has not downloaded it (an offline install has none). Nothing packaged.');
    process.exit(1);
  }
  const out = path.resolve(values.out ?? path.join(root, 'dist', 'package'));
  const { binary, fuses } = await packageApp({ ...found, out });
  console.log(`packaged ${binary}`);
  for (const [name, state] of Object.entries(fuses)) console.log(`  ${name}: ${state}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await cli();
