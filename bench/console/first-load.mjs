// The console's first load on loopback, in Debian's Chromium, against the real server (tests/e2e/fixture.py),
// and the size of what it downloads. Every load is cold: a fresh browser context (no HTTP cache) for the
// sign-in page; for the signed-in desk the cache is switched off through the DevTools protocol.
//
//   node bench/console/first-load.mjs [runs=20]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Fixture, launchBrowser, root, signIn } from '../../tests/e2e/lib.mjs';

const runs = Number(process.argv[2] ?? 20);

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `p50 ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, max ${sorted.at(-1).toFixed(0)} ms (${values.length} runs)`;
}

const assets = join(root, 'web', 'dist', 'assets');
let js = 0;
let jsGzip = 0;
let css = 0;
for (const name of readdirSync(assets)) {
  const bytes = readFileSync(join(assets, name));
  if (name.endsWith('.js')) {
    js += bytes.length;
    jsGzip += gzipSync(bytes, { level: 9 }).length;
  } else if (name.endsWith('.css')) {
    css += gzipSync(bytes, { level: 9 }).length;
  }
}
console.log(`JavaScript: ${(js / 1024).toFixed(1)} KiB, ${(jsGzip / 1024).toFixed(1)} KiB gzipped; CSS ${(css / 1024).toFixed(1)} KiB gzipped`);

const fixture = await Fixture.start();
const browser = await launchBrowser();
try {
  const { url, passwords } = fixture.info;
  // 1. The sign-in page, cold: navigation start to the form on screen.
  const signInTimes = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(url);
    await page.getByLabel('Username').waitFor();
    signInTimes.push(performance.now() - started);
    await context.close();
  }
  console.log(`sign-in page, cold: ${summary(signInTimes)}`);

  // 2. The counsellor's desk, signed in, cache off: navigation start to the live feed connected.
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, url, 'demo.counsellor', passwords['demo.counsellor']);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const deskTimes = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await page.goto(`${url}/desk`);
    await page.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();
    await page.getByRole('heading', { name: 'My status' }).waitFor();
    deskTimes.push(performance.now() - started);
  }
  console.log(`desk, signed in, no cache, to "Live": ${summary(deskTimes)}`);
} finally {
  await browser.close();
  await fixture.stop();
}
