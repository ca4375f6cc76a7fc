// `npm start`: the Electron window when Electron's binary is installed, else browser mode (the
// same UI served on 127.0.0.1 with a per-run token). Flags: --browser, --port N, --no-open,
// --data-dir DIR (or $FFN_LAB_DATA), --no-demo (or FFN_LAB_NO_DEMO=1), --allow-dir DIR (repeatable).
import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Backend } from './backend.js';
import { resolveDataDir } from './data-dir.js';
import { nodeWorkerSpawner } from './jobs/spawn-node.js';
import { openBrowser } from './open-browser.js';
import { demoModelsDir, distElectronDir, electronBinary, projectRoot, rendererDir, workerScript } from './paths.js';
import { serve } from './serve.js';
import { browserModeRoots, describeRoots } from './allowed-roots.js';
import { demoWanted, registerDemoOnFirstRun } from './first-run.js';

const USAGE = `usage: npm start -- [--browser] [--port N] [--no-open] [--data-dir DIR] [--no-demo] [--allow-dir DIR]...
  --browser        serve the UI on 127.0.0.1 instead of opening the Electron window
  --port N         port for browser mode (0 = any free port; default 0)
  --no-open        print the URL but do not open a browser
  --data-dir DIR   where the database lives (default: $FFN_LAB_DATA or the per-user app data folder)
  --no-demo        on a fresh data folder, do not register the demo models and the Brown corpus
                   (also FFN_LAB_NO_DEMO=1)
  --allow-dir DIR  browser mode: a folder the UI may open files in (repeatable); paths outside
                   every such folder are refused. Default: the home folder. The data folder and
                   the shipped demo models are always allowed. (The Electron window is not confined.)`;

function parse() {
  try {
    const { values } = parseArgs({
      options: {
        browser: { type: 'boolean', default: false },
        port: { type: 'string', default: '0' },
        'no-open': { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        'no-demo': { type: 'boolean', default: false },
        'allow-dir': { type: 'string', multiple: true, default: [] },
      },
      strict: true,
    });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer 0..65535, got "${values.port}"`);
    return { browser: values.browser, port, open: !values['no-open'], dataDir: resolveDataDir(values['data-dir']), help: values.help, demo: demoWanted(values['no-demo']), allowDirs: values['allow-dir'].map((d) => path.resolve(d)) };
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

async function browserMode(o: { port: number; open: boolean; dataDir: string; demo: boolean; allowDirs: string[] }, why: string | null): Promise<void> {
  const allowedRoots = browserModeRoots({ allowDirs: o.allowDirs, home: os.homedir(), dataDir: o.dataDir, demoDir: demoModelsDir });
  const backend = new Backend({ dataDir: o.dataDir, shell: 'browser', spawnWorker: nodeWorkerSpawner(workerScript), allowedRoots });
  const server = await serve({ backend, staticDir: rendererDir, port: o.port });
  if (o.demo) registerDemoOnFirstRun(backend, demoModelsDir, (line) => console.error(line));
  if (why) console.error(why);
  console.error(`FFN Lab (browser mode), data in ${o.dataDir}`);
  console.error(`The browser UI may open files under: ${describeRoots(allowedRoots)}`);
  // The one line a user or a script needs: the full URL with the token.
  console.log(server.url);
  if (o.open) openBrowser(server.url);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => {
      backend.close();
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function electronMode(binary: string, o: { dataDir: string; demo: boolean }): void {
  // better-sqlite3 is a V8-ABI addon: Electron needs its own build of it (made once).
  execFileSync(process.execPath, [path.join(projectRoot, 'scripts', 'electron-sqlite.mjs'), binary], { stdio: 'inherit' });
  const child = spawn(binary, [path.join(distElectronDir, 'main.js'), '--data-dir', o.dataDir, ...(o.demo ? [] : ['--no-demo'])], { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
}

const opts = parse();
if (opts.help) {
  console.log(USAGE);
} else {
  const binary = opts.browser ? null : electronBinary();
  if (binary) electronMode(binary, opts);
  else
    void browserMode(
      opts,
      opts.browser ? null : 'Electron is not installed (its binary was not downloaded), so FFN Lab runs in browser mode.',
    ).catch((err: unknown) => {
      console.error(`FFN Lab could not start: ${(err as Error).message}`);
      process.exit(1);
    });
}
