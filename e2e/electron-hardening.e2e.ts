// The Electron window's guards (window-policy.ts applied by main.ts), when Electron's binary is
// installed: a window.open to a host not on the list opens nothing, navigating away from app://
// is stopped, and web permissions the app does not use are denied. Skipped, saying so, when the
// binary is missing (an offline install); window-policy.test.ts covers the decisions themselves.
import type { ElectronApplication } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from './support/app.js';
import { electronBinary, launchElectronApp } from './support/electron.js';

const binary = electronBinary();
if (!binary) console.warn('SKIPPED electron hardening e2e: Electron binary not installed (offline install); electron/window-policy.test.ts covers the policy');

let electronApp: ElectronApplication | undefined;

afterAll(async () => {
  await electronApp?.close().catch(() => undefined);
  removeTempDirs();
});

describe('Electron window guards', () => {
  const title = binary
    ? 'refuses popups to unlisted hosts, navigation off app://, and unused web permissions'
    : 'SKIPPED: Electron binary not installed (offline install); window-policy.test.ts covers the policy';
  (binary ? it : it.skip)(title, { timeout: 300_000 }, async () => {
    const { app, win } = await launchElectronApp(binary!, tempDir('ffn-e2e-electron-guards-'));
    electronApp = app;
    await win.getByTestId('nav-models').waitFor();
    const appUrl = win.url();

    // window.open to an unlisted host: denied (no new window); a refusal message is logged
    const opened = await win.evaluate(() => window.open('https://evil.example/') === null);
    expect(opened).toBe(true);
    expect(electronApp.windows()).toHaveLength(1);

    // permissions the app does not use are denied; clipboard writes (Copy buttons) are not asked for here
    const states = await win.evaluate(async () => {
      const out: Record<string, string> = {};
      for (const name of ['geolocation', 'notifications', 'camera', 'microphone', 'midi'] as const) {
        out[name] = (await navigator.permissions.query({ name: name as PermissionName })).state;
      }
      return out;
    });
    expect(states).toEqual({ geolocation: 'denied', notifications: 'denied', camera: 'denied', microphone: 'denied', midi: 'denied' });
    const geo = await win.evaluate(
      () => new Promise<string>((resolve) => navigator.geolocation.getCurrentPosition(() => resolve('granted'), (e) => resolve(`refused ${e.code}`))),
    );
    expect(geo).toBe('refused 1'); // PERMISSION_DENIED

    // navigation off the app is stopped: the page stays on app://ffn-lab
    await win.evaluate(() => {
      window.location.href = 'https://evil.example/';
    });
    await win.waitForTimeout(1000);
    expect(win.url()).toBe(appUrl);
    await win.getByTestId('nav-models').waitFor();
  });
});
