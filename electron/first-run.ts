// The first start of the app on a fresh data folder registers the two demo models and the Brown
// corpus, so a newcomer has something to study at once. It starts the ordinary import jobs (their
// progress shows in the jobs panel, a crash leaves them resumable) rather than writing rows itself.
// It happens once per data folder: a marker in the settings table is claimed in the same
// transaction that finds the folder fresh, so a demo model the user deletes stays deleted and two
// app processes starting together cannot both import. Only the app's shells call this; the CLI
// never registers anything implicitly.
import fs from 'node:fs';
import path from 'node:path';
import { now } from '../db/database.js';
import { claimSetting } from '../db/settings.js';
import type { Job } from './api.js';
import type { Backend } from './backend.js';

/** The shipped demo models: folders under native-models/demo/. */
export const DEMO_MODELS = ['brown-gpt2-gelu', 'brown-gpt2-relu'] as const;
export const DEMO_MARKER = 'first-run.demo';

/** Whether this start may register the demo: not with --no-demo, nor with FFN_LAB_NO_DEMO set (other than "" or "0"). */
export function demoWanted(noDemoFlag: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.FFN_LAB_NO_DEMO;
  return !noDemoFlag && (v === undefined || v === '' || v === '0');
}

/**
 * On the first start of a fresh data folder (no job has ever run there: every model and corpus
 * comes from one), starts the imports of the demo models found in `demoDir` and of the Brown
 * corpus, and returns their jobs; otherwise returns none. Either way the folder is marked, so
 * this runs once.
 */
export function registerDemoOnFirstRun(backend: Backend, demoDir: string, log: (line: string) => void = () => {}): Job[] {
  const { db } = backend;
  const fresh = db
    .transaction(() => {
      const empty = !db.prepare('SELECT 1 FROM jobs UNION ALL SELECT 1 FROM models UNION ALL SELECT 1 FROM corpora LIMIT 1').get();
      return claimSetting(db, DEMO_MARKER, { at: now(), registered: empty }) && empty;
    })
    .immediate();
  if (!fresh) return [];
  const models = DEMO_MODELS.map((name) => ({ name, dir: path.join(demoDir, name) })).filter(({ dir }) => {
    const found = fs.existsSync(path.join(dir, 'config.json'));
    if (!found) log(`The demo model ${dir} is missing, so it is not registered.`);
    return found;
  });
  log(`First start with this data folder: registering ${models.map((m) => m.name).join(', ') || 'no demo model'} and the Brown corpus (--no-demo skips this).`);
  return [
    ...models.map(({ name, dir }) => backend.jobs.start('model-import', { path: dir, name })),
    backend.jobs.start('corpus-import', { source: { kind: 'brown' } }),
  ];
}
