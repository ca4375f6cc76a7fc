// Lint, including the layering rule of ../shared/DESIGN.md ("Who may import whom").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ort = { name: 'onnxruntime-node', message: 'Only native-models/runtime/ may import onnxruntime-node.' };
const sqlite = { name: 'better-sqlite3', message: 'Only db/ may import better-sqlite3.' };
const noE2eBench = { group: ['**/e2e/**', '**/bench/**'], message: 'Nothing imports from e2e/ or bench/.' };
const noElectronRenderer = {
  group: ['**/electron/**', '**/renderer/**', 'electron'],
  message: 'native-models/ and db/ import neither electron/ nor renderer/.',
};

/** no-restricted-imports for one layer; the rule does not merge across config objects, so each layer lists all. */
function restrict(paths, patterns) {
  return { 'no-restricted-imports': ['error', { paths, patterns }] };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/.cache/**', 'native-models/demo/**/*.py', 'native-models/**/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['**/*.{js,mjs,cjs}'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } } },
  { files: ['electron/**/*.ts'], rules: restrict([ort, sqlite], [noE2eBench, { group: ['**/renderer/**'], message: 'electron/ does not import the renderer.' }]) },
  {
    files: ['electron/analysis/**/*.ts'],
    rules: {
      // analysis/ is pure: no I/O; it may take types (LayerIndex, NeuronIndex) from native-models/spec.ts
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [ort, sqlite, { name: 'node:fs', message: 'analysis/ is pure: no I/O.' }, { name: 'fs', message: 'analysis/ is pure: no I/O.' }],
          patterns: [
            noE2eBench,
            { group: ['**/renderer/**', '**/db/**', '**/jobs/**'], message: 'analysis/ is pure: no I/O.' },
            { group: ['**/native-models/**'], allowTypeImports: true, message: 'analysis/ is pure: only types from native-models/.' },
          ],
        },
      ],
      'no-restricted-imports': 'off',
    },
  },
  { files: ['native-models/**/*.ts'], ignores: ['native-models/runtime/**'], rules: restrict([ort, sqlite], [noE2eBench, noElectronRenderer]) },
  { files: ['native-models/runtime/**/*.ts'], rules: restrict([sqlite], [noE2eBench, noElectronRenderer]) },
  { files: ['db/**/*.ts'], rules: restrict([ort], [noE2eBench, noElectronRenderer]) },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      // The renderer talks only to the API: electron/api.ts for its types (zod stays out of the bundle),
      // and common/ (pure helpers shared with the backend).
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [ort, sqlite, { name: 'electron', message: 'The renderer is sandboxed: it reaches Electron only through window.lab.' }],
          patterns: [
            noE2eBench,
            { group: ['**/native-models/**', '**/db/**', 'node:*'], message: 'The renderer talks only to the API (electron/api.ts, types only).' },
            { group: ['**/electron/**'], allowTypeImports: true, message: 'The renderer imports only types from electron/api.ts.' },
          ],
        },
      ],
    },
  },
);
