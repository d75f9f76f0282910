// Builds the dashboard into dist/, which the server serves at `/` (assets under /assets/).
// Preact's automatic JSX runtime; no dev-only plugins, so the build is what the tests run.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // uPlot is ~50 kB; one bundle keeps the first paint to two requests.
    chunkSizeWarningLimit: 300,
  },
  server: {
    // `npm run dev -w @vigil/dashboard` proxies the API to a running `vigil serve`.
    proxy: { '/api': 'http://127.0.0.1:4318', '/signin/': 'http://127.0.0.1:4318' },
  },
});
