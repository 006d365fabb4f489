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
    // The suite runs beside the browser and SIP suites under ctest -j2 on two cores: an axe pass over a whole
    // page has taken over Vitest's 5 s default there. A test still fails on what it asserts, only later.
    testTimeout: 30000,
  },
});
