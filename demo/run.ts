// `npm run demo`: the app's main job from the command line, for both demo models. It imports the
// Brown corpus and the models into a fresh data folder, captures, runs the detectors, ablates the
// dead set against a matched random control on the held-out documents, and writes summary.json,
// figures (SVG + PNG) and the CSV tables behind them into --out. Progress goes to stderr.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Corpus, Job, Model } from '../electron/api.js';
import { Backend } from '../electron/backend.js';
import { nodeWorkerSpawner } from '../electron/jobs/spawn-node.js';
import { demoModelsDir, workerScript } from '../electron/paths.js';
import { finished, runToEnd } from '../electron/run-to-end.js';
import { APP_VERSION } from '../electron/version.js';
import { writeFigures } from './figures.js';
import { runModel, type Budget, type ModelOutcome } from './pipeline.js';
import type { Split } from '../electron/start-here.js';
import { summarize, summaryTable, type DemoSummary } from './summary.js';
import { updateModelCards } from './model-card.js';
import { runPairStudy } from './width-depth.js';

const USAGE = `usage: npm run demo -- [--out DIR] [--quick] [--data-dir DIR] [--models NAME,NAME] [--update-model-cards]
       npm run demo -- --update-model-cards --from-summary DIR/summary.json

  --out DIR        where summary.json, the figures and the CSV tables go (default: ./demo-out)
  --quick          a reduced budget (20k training tokens captured, 20k validation tokens): about a minute
  --data-dir DIR   keep the app database here (default: a fresh temporary folder, removed at the end)
  --models A,B     demo models to run (default: brown-gpt2-gelu,brown-gpt2-relu)
  --width-depth    also run the Start-here study "Width vs depth" (brown-gpt2-wide vs brown-gpt2-deep) and write
                   its comparison into DIR/width-depth: compare.json, tables (CSV, LaTeX), profile figures (SVG, PNG, PDF, CSV)
  --dense-moe      also run the Start-here study "Dense vs MoE" (brown-llama-dense vs brown-mixtral-moe, the same active
                   parameters per token) and write its comparison into DIR/dense-moe, as --width-depth does, plus experts-brown-mixtral-moe.json
                   (the MoE capture's router statistics: load, entropy, dead and rare experts per layer)
  --update-model-cards   write the "Measured by the app" section of each model's MODEL_CARD.md (full budget only)
  --from-summary FILE    with --update-model-cards: take the figures from a stored full run instead of running`;

const FULL: Budget = { captureTokens: 200_000, resamples: 1000, samples: 2000 };
const QUICK: Budget = { captureTokens: 20_000, evalTokens: 20_000, resamples: 200, samples: 200 };

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      quick: { type: 'boolean' },
      'data-dir': { type: 'string' },
      models: { type: 'string' },
      'update-model-cards': { type: 'boolean' },
      'from-summary': { type: 'string' },
      'width-depth': { type: 'boolean' },
      'dense-moe': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values['update-model-cards'] && values.quick) throw new Error('--update-model-cards needs the full budget: leave out --quick');
  if (values['from-summary']) {
    if (!values['update-model-cards']) throw new Error('--from-summary goes with --update-model-cards');
    const stored = JSON.parse(fs.readFileSync(values['from-summary'], 'utf8')) as DemoSummary;
    if (stored.quick) throw new Error(`${values['from-summary']} is from a --quick run; model cards take a full run`);
    for (const f of updateModelCards(stored, demoModelsDir)) console.log(`updated ${f}`);
    return 0;
  }
  const out = path.resolve(values.out ?? 'demo-out');
  const budget = values.quick ? QUICK : FULL;
  const names = (values.models ?? 'brown-gpt2-gelu,brown-gpt2-relu').split(',').filter(Boolean);
  for (const n of names) {
    if (!fs.existsSync(path.join(demoModelsDir, n, 'config.json'))) throw new Error(`no demo model "${n}" in ${demoModelsDir}`);
  }
  const split = JSON.parse(fs.readFileSync(path.join(demoModelsDir, 'recipe', 'split.json'), 'utf8')) as Split;
  fs.mkdirSync(out, { recursive: true });
  const temp = values['data-dir'] === undefined;
  const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : fs.mkdtempSync(path.join(os.tmpdir(), 'ffn-lab-demo-'));
  const t0 = Date.now();
  const log = (line: string) => process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  const b = new Backend({ dataDir, shell: 'cli', spawnWorker: nodeWorkerSpawner(workerScript) });
  try {
    const start = async (method: string, params: unknown) => finished(await runToEnd(b, ((await b.handle(method, params)) as { job: Job }).job)).result;
    log('importing the Brown corpus (genre and part-of-speech metadata)');
    const known = ((await b.handle('corpus.list', {})) as Corpus[]).find((c) => c.source.includes('brown'));
    const corpus = known ?? ((await start('corpus.import', { source: { kind: 'brown' } })) as { corpus: Corpus }).corpus;
    const outcomes: ModelOutcome[] = [];
    for (const name of names) {
      const dir = path.join(demoModelsDir, name);
      log(`importing ${name}`);
      const existing = ((await b.handle('model.list', {})) as Model[]).find((m) => m.path === dir);
      const model = existing ?? ((await start('model.import', { path: dir })) as { model: Model }).model;
      outcomes.push(await runModel(b, model, corpus.id, split, budget, log));
    }
    log('writing figures and tables');
    const figures = writeFigures(out, outcomes);
    const summary = summarize(outcomes, { budget, quick: values.quick === true, appVersion: APP_VERSION, seconds: (Date.now() - t0) / 1000, figures });
    fs.writeFileSync(path.join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(summaryTable(summary));
    if (values['update-model-cards']) for (const f of updateModelCards(summary, demoModelsDir)) log(`updated ${f}`);
    if (values['width-depth']) await runPairStudy(b, 'width-depth', path.join(out, 'width-depth'), log);
    if (values['dense-moe']) await runPairStudy(b, 'dense-moe', path.join(out, 'dense-moe'), log);
    log(`done: ${out}`);
    return 0;
  } finally {
    b.close();
    if (temp) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`demo failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
