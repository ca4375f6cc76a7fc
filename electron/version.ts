// The app's name and version, from package.json at build time (esbuild inlines the JSON).
import pkg from '../package.json' with { type: 'json' };

export const APP_NAME = 'FFN Lab';
export const APP_VERSION: string = pkg.version;
