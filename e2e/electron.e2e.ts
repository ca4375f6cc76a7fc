// The Electron shell, when Electron's binary is installed (Electron >= 42 downloads it on first
// use, so an offline install has none): the window shows the app, the renderer reaches the
// backend only through window.lab, and has no Node (sandbox, context isolation).
import type { ElectronApplication, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from './support/app.js';
import { electronBinary, launchElectronApp } from './support/electron.js';

const binary = electronBinary();
if (!binary) console.warn('SKIPPED electron e2e: Electron binary not installed (offline install); browser-mode e2e covers the UI');

let electronApp: ElectronApplication | undefined;

afterAll(async () => {
  await electronApp?.close().catch(() => undefined);
  removeTempDirs();
});

describe('Electron window', () => {
  const title = binary
    ? 'shows the app shell; the renderer has window.lab and no Node'
    : 'SKIPPED: Electron binary not installed (offline install); browser-mode e2e covers the UI';
  (binary ? it : it.skip)(title, { timeout: 300_000 }, async () => {
    const dataDir = tempDir('ffn-e2e-electron-');
    const launched = await launchElectronApp(binary!, dataDir);
    electronApp = launched.app;
    const win: Page = launched.win;

    await win.getByTestId('nav-models').waitFor();
    await expect(win.getByTestId('app-name').textContent()).resolves.toBe('FFN Lab');
    for (const section of ['models', 'corpora', 'datasets', 'neurons', 'manifold', 'ablation', 'figures']) {
      await win.getByTestId(`nav-${section}`).waitFor();
    }
    await expect(win.getByTestId('app-shell').textContent()).resolves.toBe('Desktop app');
    await expect(win.getByTestId('data-dir').textContent()).resolves.toContain(dataDir);
    expect(win.url()).toMatch(/^app:\/\/ffn-lab\//);

    const globals = await win.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      return {
        lab: typeof w.lab,
        invoke: typeof (w.lab as { invoke?: unknown } | undefined)?.invoke,
        require: typeof w.require,
        process: typeof w.process,
        module: typeof w.module,
      };
    });
    expect(globals).toEqual({ lab: 'object', invoke: 'function', require: 'undefined', process: 'undefined', module: 'undefined' });
    const info = await win.evaluate(() => (window as unknown as { lab: { invoke(m: string, p: unknown): Promise<unknown> } }).lab.invoke('app.info', {}));
    expect(info).toMatchObject({ shell: 'electron', dataDir });

    await win.getByTestId('nav-corpora').click();
    await win.getByTestId('corpora-empty').waitFor();
  });
});
