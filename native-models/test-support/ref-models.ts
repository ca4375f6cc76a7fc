// Real checkpoints some tests compare against (never committed: they are someone else's files).
// They are looked up in $FFN_LAB_REF_MODELS, else ../shared/ref-models beside the repository; a
// test whose file is absent is skipped with howToGet()'s message, so a fresh clone passes and
// says what it did not check.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where reference checkpoints are read from. */
export const refModelsDir = path.resolve(process.env.FFN_LAB_REF_MODELS ?? path.join(REPO, '..', 'shared', 'ref-models'));

/** Where each reference checkpoint comes from (README "Tests" lists the same). */
const SOURCES: Readonly<Record<string, string>> = {
  'stories260K.bin': 'https://huggingface.co/karpathy/tinyllamas/resolve/main/stories260K/stories260K.bin (Andrej Karpathy, MIT licence)',
};

export function refModel(file: string): { path: string; present: boolean } {
  const p = path.join(refModelsDir, file);
  return { path: p, present: fs.existsSync(p) };
}

/** The skip message: what is missing and how to get it. */
export function howToGet(file: string): string {
  return `${path.join(refModelsDir, file)} is absent, so its tests are skipped. To run them, download ${SOURCES[file] ?? file} into ${refModelsDir} (or set FFN_LAB_REF_MODELS to the folder that holds it).`;
}
