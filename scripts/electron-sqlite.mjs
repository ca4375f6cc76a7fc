// Builds better-sqlite3 for Electron's Node ABI into dist/native/electron-<abi>/, leaving the
// copy in node_modules built for Node (the CLI and tests use that one). `npm start` runs this
// once when the Electron binary exists; it needs Electron's headers from electronjs.org.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronBinary = process.argv[2];
if (!electronBinary) {
  console.error('usage: node scripts/electron-sqlite.mjs <path to the electron binary>');
  process.exit(2);
}
const electronVersion = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
const abi = execFileSync(electronBinary, ['-p', 'process.versions.modules'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } })
  .toString()
  .trim();
const target = path.join(root, 'dist', 'native', `electron-${abi}`, 'better_sqlite3.node');
if (fs.existsSync(target)) process.exit(0);

console.error(`Building better-sqlite3 for Electron ${electronVersion} (ABI ${abi}); this takes about two minutes, once.`);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ffn-sqlite-electron-'));
fs.cpSync(path.join(root, 'node_modules', 'better-sqlite3'), work, { recursive: true, filter: (src) => !src.includes(`${path.sep}build${path.sep}`) });
const nodeGyp = path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gyp = fs.existsSync(nodeGyp) ? [process.execPath, [nodeGyp]] : ['npx', ['--yes', 'node-gyp']];
execFileSync(gyp[0], [...gyp[1], 'rebuild', '--release', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers', `--arch=${process.arch}`], {
  cwd: work,
  stdio: 'inherit',
});
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.copyFileSync(path.join(work, 'build', 'Release', 'better_sqlite3.node'), target);
fs.rmSync(work, { recursive: true, force: true });
console.error(`better-sqlite3 for Electron: ${target}`);
