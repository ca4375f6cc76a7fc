// Types of package-fuses.mjs for the TypeScript tests that import it.
import type { FuseV1Config } from '@electron/fuses';

export type FuseStateName = 'enabled' | 'disabled' | 'removed' | 'inherit' | `unknown (${number})`;
export const APP_FUSES: FuseV1Config;
export function readFuses(binary: string): Promise<Record<string, FuseStateName>>;
export function hardenBinary(binary: string): Promise<Record<string, FuseStateName>>;
export function electronDist(distOverride?: string): { dist: string; rel: string } | null;
export function packageApp(o: { dist: string; rel: string; out: string }): Promise<{ binary: string; fuses: Record<string, FuseStateName> }>;
