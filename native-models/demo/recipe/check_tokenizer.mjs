// Checks, from Node, that the demo tokenizer and text agree with the Python recipe token for token:
//   1. the app's Brown reader (electron/jobs/corpus-import/brown.ts) rebuilds exactly the text
//      that recipe/data.py trained and validated on;
//   2. @huggingface/tokenizers, loading tokenizer.json directly, encodes that text to exactly the
//      ids recipe/tokenizer.py produces (and decodes them back to the text);
//   3. the same through the app's own loader (native-models/tokenizers/hf.ts).
// Run from the repository root:
//   node native-models/demo/recipe/check_tokenizer.mjs [validation|all] [model folder]
// (it calls /usr/bin/python3 native-models/demo/recipe/tokenizer.py --dump ... for the Python side).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { Tokenizer } from '@huggingface/tokenizers';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const which = process.argv[2] ?? 'validation';
const folder = path.resolve(process.argv[3] ?? path.join(root, 'native-models/demo/brown-gpt2-gelu'));
const tokenizerFile = fs.existsSync(path.join(folder, 'tokenizer.json')) ? path.join(folder, 'tokenizer.json') : path.join(here, 'tokenizer.json');

const py = JSON.parse(execFileSync('/usr/bin/python3', [path.join(here, 'tokenizer.py'), '--dump', which, '--tokenizer', tokenizerFile], { maxBuffer: 1 << 30, encoding: 'utf8' }));

// The app's modules, bundled on the fly (they are TypeScript) next to this file, so that the npm
// packages they import (left external) resolve from the repository's node_modules.
const bundles = { brown: 'electron/jobs/corpus-import/brown.ts', hf: 'native-models/tokenizers/hf.ts' };
const bundlePath = (name) => path.join(here, `.check-${name}.mjs`);
let brown, hf;
try {
  await build({
    absWorkingDir: root, entryPoints: bundles, outdir: here, entryNames: '.check-[name]', outExtension: { '.js': '.mjs' },
    bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning',
  });
  brown = await import(pathToFileURL(bundlePath('brown')).href);
  hf = await import(pathToFileURL(bundlePath('hf')).href);
} finally {
  for (const name of Object.keys(bundles)) fs.rmSync(bundlePath(name), { force: true });
}

const json = JSON.parse(fs.readFileSync(tokenizerFile, 'utf8'));
const cfgFile = path.join(path.dirname(tokenizerFile), 'tokenizer_config.json');
const cfg = fs.existsSync(cfgFile) ? JSON.parse(fs.readFileSync(cfgFile, 'utf8')) : {};
const lib = new Tokenizer(json, cfg);
const app = fs.existsSync(cfgFile) ? hf.loadHfTokenizer(path.dirname(tokenizerFile)) : null;
const brownDir = brown.brownPackageDir();

let failures = 0;
let tokens = 0;
const firstDiff = (a, b) => { let i = 0; while (i < a.length && i < b.length && a[i] === b[i]) i++; return i; };
for (const [doc, { text, ids }] of Object.entries(py)) {
  const appText = brown.parseBrownTagged(fs.readFileSync(path.join(brownDir, doc), 'utf8'), doc).text;
  if (appText !== text) {
    const i = firstDiff(appText, text);
    console.error(`${doc}: text differs at char ${i}: app ${JSON.stringify(appText.slice(i, i + 40))} vs python ${JSON.stringify(text.slice(i, i + 40))}`);
    failures++;
  }
  const got = lib.encode(text, { add_special_tokens: true }).ids;
  if (got.length !== ids.length || got.some((id, i) => id !== ids[i])) {
    const i = firstDiff(got, ids);
    console.error(`${doc}: ids differ at token ${i}: node ${JSON.stringify(got.slice(i, i + 8))} vs python ${JSON.stringify(ids.slice(i, i + 8))}`);
    failures++;
  }
  if (lib.decode(got, { skip_special_tokens: false }) !== text) { console.error(`${doc}: decode(encode(text)) != text`); failures++; }
  if (app) {
    const viaApp = app.encode(text);
    if (viaApp.length !== ids.length || viaApp.some((id, i) => id !== ids[i])) { console.error(`${doc}: the app's loader (hf.ts) encodes differently`); failures++; }
  }
  tokens += ids.length;
}
const n = Object.keys(py).length;
console.log(`${which}: ${n} documents, ${tokens} tokens: ${failures === 0 ? 'text, ids and round trip identical (Node = Python)' : `${failures} FAILURES`}${app ? ' [also via hf.ts]' : ''} — ${tokenizerFile}`);
process.exit(failures === 0 ? 0 : 1);
