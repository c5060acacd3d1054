import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The web console (issue 17): built to console/dist and served by the API at /console. Vite 8 compiles TSX with
 * oxc, so no React plugin is needed; the automatic JSX runtime matches tsconfig.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: resolve(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    // One small app: no warning for the single bundle that carries React and React Flow.
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      // React Flow marks itself "use client" for server components; a client-only bundle has nothing to keep.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    // `npx vite console` during development: the API answers /v1 on its default port.
    proxy: { '/v1': 'http://127.0.0.1:3000' },
  },
});
