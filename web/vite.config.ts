import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

// The console is served by `crisisline serve --static web/dist` under a strict
// Content-Security-Policy: no inline script, no inline style, same origin only.
export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
  },
});
