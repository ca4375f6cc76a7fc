// Debian's Chromium driven by playwright-core (no browser download: the suite runs offline).
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { removeTempDirs, stopAllApps, type RunningApp } from './app.js';

export const chromiumPath = process.env.FFN_LAB_CHROMIUM ?? '/usr/bin/chromium';

/** Launches headless Chromium; fails (never skips) when the binary is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}. The end-to-end tests need it: run \`apt-get install chromium\` ` +
        '(CI installs it), or set FFN_LAB_CHROMIUM to another Chromium binary.',
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** A fresh browser context (no cookies) with the app open at its printed URL, connected. */
export async function openApp(browser: Browser, app: RunningApp): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(app.url);
  await page.getByTestId('connection-state').and(page.locator('[data-state="open"]')).waitFor();
  return page;
}

/** Saves a screenshot under $TMPDIR (kept after the run, to look at) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = process.env.FFN_LAB_E2E_SCREENSHOTS ?? path.join(process.env.TMPDIR ?? '/tmp', 'ffn-lab-e2e-screenshots');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/** Clicks the button with `testId` (an export) and saves the download it starts into `dir`; returns the file and its suggested name. */
export async function saveDownload(page: Page, testId: string, dir: string): Promise<{ file: string; name: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const name = download.suggestedFilename();
  const file = path.join(dir, name);
  await download.saveAs(file);
  return { file, name };
}

/** The end of every e2e file: the browser closed, every app it started stopped, temp folders removed. */
export async function closeAll(browser: Browser | undefined): Promise<void> {
  await browser?.close();
  await stopAllApps();
  removeTempDirs();
}
