// Where the app keeps its database and caches: --data-dir, else $FFN_LAB_DATA, else the
// platform's per-user application data folder.
import os from 'node:os';
import path from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.FFN_LAB_DATA) return path.resolve(env.FFN_LAB_DATA);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'FFN Lab');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'FFN Lab');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'ffn-lab');
}

export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ? path.resolve(flag) : defaultDataDir(env);
}
