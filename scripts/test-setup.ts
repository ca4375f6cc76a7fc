// vitest global setup: job workers run as real processes from the built bundle, so build the
// Node side first (about 0.1 s).
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--node-only', '--quiet'], { stdio: 'inherit' });
}
