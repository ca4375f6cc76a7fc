// The Jobs drawer as the tests see it: job items are <li data-testid="job-<id>" data-state=...>.
import type { Locator, Page } from 'playwright-core';

const jobItems = 'li[data-testid^="job-"][data-state]';

export async function jobIds(page: Page): Promise<number[]> {
  return page.$$eval(jobItems, (items) => items.map((li) => Number((li as HTMLElement).dataset.testid!.slice('job-'.length))));
}

/** Runs `action` (a click that starts a job) and returns the id of the job item it added. */
export async function startJob(page: Page, action: () => Promise<void>): Promise<number> {
  const before = new Set(await jobIds(page));
  await action();
  const handle = await page.waitForFunction(
    ({ selector, known }) => {
      const ids = [...document.querySelectorAll(selector)].map((li) => Number((li as HTMLElement).dataset.testid!.slice('job-'.length)));
      return ids.find((id) => !known.includes(id)) ?? false;
    },
    { selector: jobItems, known: [...before] },
    { timeout: 30_000 },
  );
  return (await handle.jsonValue()) as number;
}

export function job(page: Page, id: number): Locator {
  return page.getByTestId(`job-${id}`);
}

/**
 * Waits until the job item shows `state`; fails early, with the job's error text, when it settles
 * in another final state. The state it shows when called (e.g. "interrupted" just before a click
 * on Discard takes effect) does not count as settled.
 */
export async function waitForJobState(page: Page, id: number, state: string, timeoutMs = 120_000): Promise<void> {
  const initial = await job(page, id).getAttribute('data-state', { timeout: timeoutMs });
  const finals = ['done', 'failed', 'cancelled', 'interrupted', 'discarded'].filter((s) => s !== initial);
  const handle = await page.waitForFunction(
    ({ testid, finals, state }) => {
      const li = document.querySelector(`[data-testid="${testid}"]`) as HTMLElement | null;
      const s = li?.dataset.state;
      if (s === state || (s !== undefined && finals.includes(s))) return s;
      return false;
    },
    { testid: `job-${id}`, finals, state },
    { timeout: timeoutMs, polling: 20 },
  );
  const reached = (await handle.jsonValue()) as string;
  if (reached !== state) {
    const error = await job(page, id).getByTestId('job-error').textContent().catch(() => null);
    throw new Error(`job ${id} ended ${reached}, expected ${state}${error ? `: ${error}` : ''}`);
  }
}

/** The job's <progress> value (aria-valuenow), or null while indeterminate. */
export async function progressValue(page: Page, id: number): Promise<number | null> {
  const v = await job(page, id).getByTestId('job-progress').getAttribute('aria-valuenow');
  return v === null ? null : Number(v);
}

/** Waits until the job's progress bar shows a value above `min` (documents committed). */
export async function waitForProgressAbove(page: Page, id: number, min: number, timeoutMs = 60_000): Promise<number> {
  const handle = await page.waitForFunction(
    ({ testid, min }) => {
      const li = document.querySelector(`[data-testid="${testid}"]`) as HTMLElement | null;
      const bar = li?.querySelector('[data-testid="job-progress"]');
      const v = Number(bar?.getAttribute('aria-valuenow') ?? 'NaN');
      if (li && li.dataset.state !== 'running' && li.dataset.state !== 'queued') return { ended: li.dataset.state, v };
      return v > min ? { ended: null, v } : false;
    },
    { testid: `job-${id}`, min },
    { timeout: timeoutMs, polling: 10 },
  );
  const r = (await handle.jsonValue()) as { ended: string | null; v: number };
  if (r.ended !== null) throw new Error(`job ${id} ended ${r.ended} before its progress passed ${min}`);
  return r.v;
}
