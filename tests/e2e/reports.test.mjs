// The Reports page in a real browser (Debian's Chromium) against the real server started as `make run` starts it
// (init --demo --demo-history, the built console): the demo service manager opens the pilot-to-national report,
// sees its Chart.js chart drawn beside the table with the figures as its text alternative, then the outcomes; the
// page passes axe-core and the CSP.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { artifacts, DemoServer, expectAccessible, launchBrowser, newPage, signIn } from './lib.mjs';

let server;
let browser;
let url;
let passwords;
const problems = [];
let managerSecret;  // the demo manager's authenticator, enrolled at the first sign-in

before(async () => {
  server = await DemoServer.start('reports');
  ({ url, passwords } = server);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// Whether the chart's canvas has anything drawn on it (a blank canvas is all transparent).
async function drawnPixels(canvas) {
  return canvas.evaluate((c) => {
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) n += data[i] > 0 ? 1 : 0;
    return n;
  });
}

test('the demo service manager sees the roll-out from pilot to national charted beside its table', async () => {
  const page = await newPage(browser, problems);
  managerSecret = await signIn(page, url, 'demo.manager', passwords['demo.manager'], managerSecret);
  await page.getByRole('link', { name: 'Reports' }).click();
  await page.getByLabel('Report').selectOption('roll_out');
  await page.getByLabel('Period').selectOption('year');
  await page.getByRole('spinbutton', { name: 'Year' }).fill('2025');
  await page.getByRole('button', { name: 'Show report' }).click();
  const chart = page.getByTestId('chart-contacts_by_region_and_start');
  await chart.waitFor({ timeout: 20000 });
  const canvas = chart.locator('canvas');
  const label = await canvas.getAttribute('aria-label');
  assert.match(label, /^Bar chart of contacts by region and start\. North East: Before start not applicable, Since start [\d,]+; /);
  assert.match(label, /Wales: Before start [\d,]+, Since start [\d,]+/, 'the launch year: Wales before and since');
  await page.waitForFunction(
    (c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
      return false;
    },
    await canvas.elementHandle(),
    { timeout: 10000 },
  );
  assert.ok((await drawnPixels(canvas)) > 1000, 'the bars are drawn');
  const table = page.getByTestId('section-contacts_by_region_and_start');
  assert.match(await table.locator('tbody tr').first().textContent(), /^North Eastnot applicable[\d,]+[\d,]+$/);
  const rates = page.getByTestId('chart-contacts_per_1000_workforce_since_start').locator('canvas');
  assert.match(await rates.getAttribute('aria-label'), /North East: [\d.,]+ per 1,000/);
  assert.match(await page.getByTestId('region-starts').textContent(), /FICTIONAL demo figure/);
  await expectAccessible(page, 'reports-roll-out');
  await page.screenshot({ path: join(artifacts, 'reports-roll-out.png'), fullPage: true });

  // Every chart of the last whole month's outcomes is filled too (the demo's one history reaches now).
  await page.getByLabel('Report').selectOption('outcomes');
  await page.getByLabel('Period').selectOption('month');
  await page.getByRole('button', { name: 'Show report' }).click();
  await page.getByTestId('chart-contacts_by_outcome').waitFor({ timeout: 20000 });

  // A month's demand by force: each region's forces under the region's total, charted beside the table.
  await page.getByLabel('Report').selectOption('demand');
  await page.getByRole('button', { name: 'Show report' }).click();
  const forces = page.getByTestId('section-contacts_by_force');
  await forces.waitFor({ timeout: 20000 });
  assert.equal(await forces.locator('tbody').first().locator('th[scope="rowgroup"]').textContent(), 'North East');
  assert.match(await forces.locator('tbody').first().textContent(), /Total, North East[\d,]+/);
  // Forces by their names from the reference list.
  await forces.locator('th[scope="row"]', { hasText: 'Northumbria Police' }).waitFor({ timeout: 10000 });
  const byForce = page.getByTestId('chart-contacts_by_force');
  assert.match(await byForce.locator('canvas').getAttribute('aria-label'), /^Bar chart of contacts by force\. .*: [\d,]+/);
  assert.equal(await byForce.evaluate((c) => c.parentElement === document.querySelector('[data-testid="section-contacts_by_force"]').parentElement), true);
  await expectAccessible(page, 'reports-by-force');
  assert.deepEqual(problems, []);
});

test('the monthly funder pack opens from the Reports page and prints to A4 PDF with only the pack on paper', async () => {
  const page = await newPage(browser, problems);
  managerSecret = await signIn(page, url, 'demo.manager', passwords['demo.manager'], managerSecret);
  await page.getByRole('link', { name: 'Reports' }).click();
  await page.getByRole('link', { name: /^Open the monthly funder pack for \d{4}-\d{2}/ }).click();
  const headline = page.getByTestId('headline-figures');
  await headline.waitFor({ timeout: 20000 });
  const figures = await headline.locator('dd').allTextContents();
  assert.equal(figures.length, 6);
  assert.match(figures[0], /^[\d,]+$/, `calls offered: ${figures[0]}`);
  assert.match(figures[2], /^\d+%$/, `answer rate: ${figures[2]}`);
  const parts = page.locator('section.pack-part');
  assert.equal(await parts.count(), 10, 'the headline figures and the nine reports');
  assert.match(await page.getByRole('heading', { level: 1 }).textContent(), /^Monthly funder pack: .+, [A-Z][a-z]+ \d{4}$/);
  await expectAccessible(page, 'reports-funder-pack');

  // On paper: the console's header and the pack's buttons are gone, every part starts a page.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.top').evaluate((h) => getComputedStyle(h).display), 'none');
  assert.equal(await page.getByRole('button', { name: 'Print or save as PDF' }).isVisible(), false);
  assert.equal(await parts.nth(1).evaluate((p) => getComputedStyle(p).breakBefore), 'page');
  const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: false });
  await page.emulateMedia({ media: 'screen' });
  writeFileSync(join(artifacts, 'funder-pack.pdf'), pdf);
  const text = pdf.toString('latin1');
  assert.ok(text.startsWith('%PDF-'), 'a PDF');
  const boxes = [...text.matchAll(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.ok(boxes.length >= 10, `pages: ${boxes.length}`);
  for (const [w, h] of boxes) {
    // A4 is 595.28 x 841.89 points; Chromium rounds to its own pixel grid.
    assert.ok(Math.abs(w - 595.3) < 2 && Math.abs(h - 841.9) < 2, `an A4 page: ${w} x ${h}`);
  }
  assert.deepEqual(problems, []);
});
