// Downloads in the e2e suite: click the button, save the file the page offers.
import path from 'node:path';
import type { Download, Page } from 'playwright-core';

/** Clicks the element with `testId` and saves its download into `dir`; returns the path and the suggested name. */
export async function saveDownload(page: Page, dir: string, testId: string): Promise<{ file: string; name: string }> {
  const [download]: [Download, void] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const name = download.suggestedFilename();
  const file = path.join(dir, name);
  await download.saveAs(file);
  return { file, name };
}
