#!/usr/bin/env node
// The `ffn-lab` command: the CLI bundle, built on first use when missing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'electron', 'cli.js');
if (!existsSync(cli)) execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--node-only', '--quiet'], { stdio: 'inherit' });
await import(pathToFileURL(cli).href);
