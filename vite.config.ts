// Builds the renderer (React UI) into dist/renderer. base './' keeps every asset URL relative, so
// the same build loads over http://127.0.0.1 (browser mode) and over the app:// protocol (Electron).
// The build emits no inline scripts or styles, so it runs under a strict CSP
// (script-src 'self'; style-src 'self').
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Inlined assets would become data: URLs; keep every asset a file served from 'self'.
    assetsInlineLimit: 0,
    sourcemap: true,
  },
});
