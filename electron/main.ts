// The Electron shell: one window, a menu, native dialogs; serves the API over IPC. The renderer
// runs sandboxed with context isolation and no Node; app files come from the app:// protocol,
// never file://; navigation and new windows are denied; IPC senders are checked. What the page
// may do (navigate, open links, use web permissions) is decided in window-policy.ts.
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session, shell, utilityProcess, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Backend } from './backend.js';
import { resolveDataDir } from './data-dir.js';
import { toApiError } from './errors.js';
import { isWorkerMessage, type SpawnWorker } from './jobs/protocol.js';
import { demoModelsDir, distElectronDir, rendererDir, workerScript } from './paths.js';
import { demoWanted, registerDemoOnFirstRun } from './first-run.js';
import { APP_ORIGIN, APP_SCHEME as SCHEME, externalLinkDecision, navigationAllowed, permissionAllowed } from './window-policy.js';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

// better-sqlite3 must be built for Electron's ABI; scripts/electron-sqlite.mjs puts it here.
const electronSqlite = path.join(distElectronDir, '..', 'native', `electron-${process.versions.modules}`, 'better_sqlite3.node');
if (existsSync(electronSqlite)) process.env.FFN_LAB_SQLITE_BINDING = electronSqlite;

const utilitySpawner: SpawnWorker = () => {
  const child = utilityProcess.fork(workerScript, [], { serviceName: 'FFN Lab job', stdio: 'inherit', env: process.env });
  return {
    get pid() {
      return child.pid;
    },
    send: (m) => child.postMessage(m),
    onMessage: (l) => child.on('message', (m: unknown) => isWorkerMessage(m) && l(m)),
    onExit: (l) => child.once('exit', (code) => l(code, null)),
    kill: () => void child.kill(),
  };
};

function isAppSender(e: IpcMainInvokeEvent): boolean {
  const url = e.senderFrame?.url ?? '';
  return url.startsWith(`${APP_ORIGIN}/`);
}

/** Applies window-policy.ts to a web contents: no navigation off the app, links only to the listed hosts. */
function guardContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    const decision = externalLinkDecision(url);
    if (decision.open) void shell.openExternal(decision.url);
    else {
      console.error(`refused to open ${url}: ${decision.reason}`);
      const win = BrowserWindow.fromWebContents(contents);
      const box = { type: 'info' as const, title: 'Link not opened', message: 'FFN Lab did not open this link.', detail: `${url}\n\n${decision.reason}` };
      void (win ? dialog.showMessageBox(win, box) : dialog.showMessageBox(box));
    }
    return { action: 'deny' };
  });
  const refuse = (what: string) => (e: { url: string; preventDefault(): void }) => {
    if (navigationAllowed(e.url)) return;
    e.preventDefault();
    console.error(`refused ${what} to ${e.url}: the window shows only the app's own pages`);
  };
  contents.on('will-navigate', refuse('navigation'));
  contents.on('will-frame-navigate', refuse('frame navigation'));
  contents.on('will-redirect', refuse('redirect'));
  contents.on('will-attach-webview', (ev) => ev.preventDefault());
}

/** Every web permission (camera, notifications, geolocation, ...) is denied but what window-policy.ts grants. */
function guardPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const allowed = permissionAllowed(permission, details.requestingUrl);
    if (!allowed) console.error(`refused web permission ${permission} to ${details.requestingUrl}`);
    callback(allowed);
  });
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionAllowed(permission, requestingOrigin));
}

async function createWindow(backend: Backend): Promise<BrowserWindow> {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'FFN Lab',
    webPreferences: {
      preload: path.join(distElectronDir, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  const off = backend.onEvent((event) => {
    if (!win.isDestroyed()) win.webContents.send('lab:event', event);
  });
  win.on('closed', off);
  await win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, 'no-demo': { type: 'boolean' } }, strict: false });
  const dataDir = resolveDataDir(typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined);
  await app.whenReady();
  guardPermissions();
  protocol.handle(SCHEME, async (req) => {
    const url = new URL(req.url);
    const file = path.resolve(rendererDir, decodeURIComponent(url.pathname).replace(/^\/+/, '') || 'index.html');
    if (url.host !== 'ffn-lab' || !file.startsWith(path.resolve(rendererDir) + path.sep)) return new Response('not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', CSP);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });
  const backend = new Backend({
    dataDir,
    shell: 'electron',
    spawnWorker: utilitySpawner,
    pickPath: async (kind, title) => {
      const focused = BrowserWindow.getFocusedWindow();
      const options = { title: title ?? 'Choose', properties: [kind === 'folder' ? ('openDirectory' as const) : ('openFile' as const)] };
      const r = focused ? await dialog.showOpenDialog(focused, options) : await dialog.showOpenDialog(options);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
  });
  ipcMain.handle('lab:invoke', async (e, method: unknown, params: unknown) => {
    if (!isAppSender(e)) throw new Error('refused: IPC from a frame that is not the app');
    try {
      return { ok: true, result: await backend.handle(String(method), params) };
    } catch (err) {
      const api = toApiError(err);
      // Errors thrown across IPC lose their fields, so return them as values.
      return { ok: false, error: { code: api.code, message: api.message } };
    }
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { role: 'fileMenu' },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
      { role: 'help', submenu: [{ label: `Data folder: ${dataDir}`, enabled: false }] },
    ]),
  );
  app.on('web-contents-created', (_e, contents) => guardContents(contents));
  await createWindow(backend);
  if (demoWanted(values['no-demo'] === true)) registerDemoOnFirstRun(backend, demoModelsDir, (line) => console.error(line));
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => backend.close());
}

main().catch((err: unknown) => {
  dialog.showErrorBox('FFN Lab could not start', (err as Error).message);
  app.exit(1);
});
