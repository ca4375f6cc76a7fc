// Crashes, for real: a job worker SIGKILLed under a running app, then the app itself SIGKILLed
// during an import and started again on the same data folder. Jobs must become "interrupted",
// the database must stay intact, Resume must finish with every document exactly once, and
// Discard must leave nothing behind.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrityCheck } from '../db/database.js';
import {
  api,
  childPids,
  cliJson,
  count,
  exited,
  isRunning,
  killQuietly,
  openEvents,
  pidAlive,
  startApp,
  tempDir,
  until,
  withDatabase,
  writeLargeJsonl,
  type ApiCorpus,
  type ApiJob,
  type LargeCorpus,
  type RunningApp,
} from './support/app.js';
import { launchBrowser, openApp, screenshot, closeAll } from './support/browser.js';
import { job, waitForJobState } from './support/jobs-ui.js';

let browser: Browser;
let dataDir: string;
let large: LargeCorpus;

beforeAll(async () => {
  dataDir = tempDir('ffn-e2e-crash-data-');
  large = writeLargeJsonl(tempDir('ffn-e2e-crash-files-'), 'crash.jsonl');
  browser = await launchBrowser();
});

afterAll(() => closeAll(browser));

/** Starts an import through the API and waits until it has committed documents; returns the job id and its worker pid. */
async function importUntilCommitted(app: RunningApp, name: string): Promise<{ id: number; workerPid: number }> {
  const events = await openEvents(app);
  try {
    const { job: started } = await api<{ job: ApiJob }>(app, 'corpus.import', { source: { kind: 'path', path: large.file }, name });
    // Progress events are sent after each committed batch; jobs.list shows the same numbers,
    // persisted about once a second.
    await events.waitFor((e) => e.type === 'job' && e.job!.id === started.id && (e.job!.progress.done > 0 || !['queued', 'running'].includes(e.job!.state)));
    const listed = (await api<ApiJob[]>(app, 'jobs.list')).find((j) => j.id === started.id)!;
    expect(listed.state).toBe('running');
    const { workerPid, committed } = withDatabase(dataDir, (db) => ({
      workerPid: (db.prepare('SELECT worker_pid FROM jobs WHERE id = ?').get(started.id) as { worker_pid: number | null }).worker_pid,
      committed: count(db, 'SELECT COUNT(*) FROM documents d JOIN corpora c ON c.id = d.corpus_id WHERE c.job_id = ?', started.id),
    }));
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(large.documents);
    expect(workerPid).toBeTypeOf('number');
    // It is the app's child, not some other process.
    expect(childPids(app.process.pid)).toContain(workerPid);
    return { id: started.id, workerPid: workerPid! };
  } finally {
    events.close();
  }
}

function corpusOfJob(jobId: number): { id: number; status: string; documents: number } | undefined {
  return withDatabase(dataDir, (db) => db.prepare('SELECT id, status, documents FROM corpora WHERE job_id = ?').get(jobId) as { id: number; status: string; documents: number } | undefined);
}

describe('crash recovery', () => {
  let app: RunningApp;
  let page: Page;
  let resumed = 0; // job whose worker was killed: resumed later
  let discarded = 0; // job whose app was killed: discarded later

  it('marks a job interrupted when its worker is SIGKILLed, and the app keeps serving', async () => {
    app = await startApp(dataDir);
    page = await openApp(browser, app);
    const { id, workerPid } = await importUntilCommitted(app, 'resumed');
    resumed = id;
    process.kill(workerPid, 'SIGKILL');

    await waitForJobState(page, id, 'interrupted');
    await expect(job(page, id).getByTestId('job-error').textContent()).resolves.toContain('SIGKILL');
    await job(page, id).getByTestId('job-resume').waitFor();
    await job(page, id).getByTestId('job-discard').waitFor();

    // The app is fine: still running, still answering, the page still connected and navigable.
    expect(isRunning(app.process)).toBe(true);
    await expect(api<{ name: string }>(app, 'app.info')).resolves.toMatchObject({ name: 'FFN Lab' });
    expect(await page.getByTestId('connection-state').getAttribute('data-state')).toBe('open');
    await page.getByTestId('nav-corpora').click();
    await page.getByTestId('corpora-empty').waitFor(); // the half-made corpus stays invisible
    expect(await api<ApiCorpus[]>(app, 'corpus.list')).toEqual([]);
    // Its committed batches are kept for Resume.
    const partial = corpusOfJob(id);
    expect(partial?.status).toBe('importing');
    expect(partial?.documents).toBeGreaterThan(0);
  });

  it('marks a job interrupted after the app itself is SIGKILLed mid-import and started again', async () => {
    const { id, workerPid } = await importUntilCommitted(app, 'discarded');
    discarded = id;
    // The whole app dies at once (a crash or power loss): the app process and its job worker.
    app.process.kill('SIGKILL');
    process.kill(workerPid, 'SIGKILL');
    expect(await exited(app.process, 10_000)).toBe(true);
    await until('the worker to be gone', () => !pidAlive(workerPid), 10_000);
    await page.context().close();
    // Nobody was left to record it: the row still says running.
    withDatabase(dataDir, (db) => {
      expect((db.prepare('SELECT state FROM jobs WHERE id = ?').get(id) as { state: string }).state).toBe('running');
    });

    app = await startApp(dataDir);
    page = await openApp(browser, app);
    await waitForJobState(page, id, 'interrupted');
    await expect(job(page, id).getByTestId('job-error').textContent()).resolves.toMatch(/stopped unexpectedly/);
    await waitForJobState(page, resumed, 'interrupted');
    const states = Object.fromEntries((await api<ApiJob[]>(app, 'jobs.list')).map((j) => [j.id, j.state]));
    expect(states).toEqual({ [resumed]: 'interrupted', [discarded]: 'interrupted' });
    await screenshot(page, 'crash-two-interrupted-jobs');

    withDatabase(dataDir, (db) => {
      expect(integrityCheck(db)).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
    });
  });

  it('resumes one interrupted job to the full corpus, exactly once per document', async () => {
    const before = corpusOfJob(resumed)!;
    const firstRow = withDatabase(dataDir, (db) => db.prepare('SELECT id, ordinal FROM documents WHERE corpus_id = ? ORDER BY ordinal LIMIT 1').get(before.id));

    await job(page, resumed).getByTestId('job-resume').click();
    await waitForJobState(page, resumed, 'done', 180_000);
    await page.getByTestId('nav-corpora').click();
    const row = page.getByTestId('corpus-row');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    const cells = await row.first().locator('td').allTextContents();
    expect(cells[0]).toContain('resumed');
    expect(cells[1]).toBe(large.documents.toLocaleString('en-US'));

    const [corpus] = await api<ApiCorpus[]>(app, 'corpus.list');
    expect(corpus).toMatchObject({ id: before.id, name: 'resumed', documents: large.documents, checksum: large.checksum });
    withDatabase(dataDir, (db) => {
      // Resume continued after the last committed batch: the first rows are the same rows.
      expect(db.prepare('SELECT id, ordinal FROM documents WHERE corpus_id = ? ORDER BY ordinal LIMIT 1').get(before.id)).toEqual(firstRow);
      const ordinals = db.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT ordinal) AS distinct_n, MIN(ordinal) AS lo, MAX(ordinal) AS hi FROM documents WHERE corpus_id = ?').get(before.id);
      expect(ordinals).toEqual({ n: large.documents, distinct_n: large.documents, lo: 0, hi: large.documents - 1 });
    });
  });

  it('discards the other interrupted job and leaves none of its documents', async () => {
    expect(corpusOfJob(discarded)?.documents).toBeGreaterThan(0);
    await job(page, discarded).getByTestId('job-discard').click();
    await waitForJobState(page, discarded, 'discarded');
    expect(await job(page, discarded).getByTestId('job-resume').count()).toBe(0);

    expect(corpusOfJob(discarded)).toBeUndefined();
    withDatabase(dataDir, (db) => {
      expect(count(db, "SELECT COUNT(*) FROM corpora WHERE status = 'importing'")).toBe(0);
      expect(count(db, "SELECT COUNT(*) FROM documents WHERE corpus_id NOT IN (SELECT id FROM corpora WHERE status = 'ready')")).toBe(0);
      expect(count(db, 'SELECT COUNT(*) FROM documents')).toBe(large.documents);
      expect(integrityCheck(db)).toBe('ok');
    });
    const listed = await cliJson<{ corpora: ApiCorpus[] }>(dataDir, ['corpus', 'list']);
    expect(listed.corpora.map((c) => [c.name, c.documents])).toEqual([['resumed', large.documents]]);
    await page.context().close();
    await app.stop();
  });
});

describe('crash recovery, app killed alone', () => {
  // A job worker must notice that the app that owns it died: an orphan that went on writing
  // would finish a job the restarted app shows as interrupted, and Discard would leave it behind.
  it('stops the job worker when its app dies, so Discard after a restart leaves nothing', async () => {
    const dir = tempDir('ffn-e2e-orphan-data-');
    let app = await startApp(dir);
    const events = await openEvents(app);
    const { job: started } = await api<{ job: ApiJob }>(app, 'corpus.import', { source: { kind: 'path', path: large.file }, name: 'orphaned' });
    await events.waitFor((e) => e.type === 'job' && e.job!.id === started.id && e.job!.progress.done > 0);
    events.close();
    const workers = childPids(app.process.pid);
    expect(workers).toHaveLength(1);
    const worker = workers[0]!;

    app.process.kill('SIGKILL');
    expect(await exited(app.process, 10_000)).toBe(true);
    try {
      // Give an orphaned worker all the time it needs to finish, then look at what it left.
      await until('the worker to exit', () => !pidAlive(worker), 120_000);
      app = await startApp(dir);
      const interrupted = (await api<ApiJob[]>(app, 'jobs.list')).find((j) => j.id === started.id)!;
      expect(interrupted.state).toBe('interrupted');
      await api(app, 'jobs.discard', { id: started.id });
      withDatabase(dir, (db) => {
        // With the bug: [{ name: 'orphaned', status: 'ready', documents: <all of them> }]
        expect(db.prepare('SELECT name, status, documents FROM corpora').all()).toEqual([]);
        expect(count(db, 'SELECT COUNT(*) FROM documents')).toBe(0);
      });
    } finally {
      killQuietly(worker, 'SIGKILL');
      await app.stop();
    }
  });
});
