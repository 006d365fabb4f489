// The Staffing page in a real browser (Debian's Chromium) against the real server started as `make run` starts
// it (init --demo --demo-history, the built console): the demo service manager opens next week's plan, reads the
// half hours and the forecast chart, changes the week, exports the CSV; sees the demo rota's coverage with its gaps
// (Welsh cover apart, with gaps of its own), is refused an overlapping shift beside the field, changes a shift from
// the keyboard, and sees on the wallboard who is rostered now but not signed in; the page passes axe-core and the CSP.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { artifacts, DemoServer, expectAccessible, launchBrowser, newPage, signIn } from './lib.mjs';

let server;
let browser;
let url;
let passwords;
const problems = [];

before(async () => {
  server = await DemoServer.start('staffing');
  ({ url, passwords } = server);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the demo service manager opens Staffing, reads next week per half hour and exports the plan', async () => {
  const page = await newPage(browser, problems, { acceptDownloads: true });
  await signIn(page, url, 'demo.manager', passwords['demo.manager']);
  await page.getByRole('link', { name: 'Staffing' }).click();
  await page.waitForURL(/\/staffing$/);
  const summary = page.getByRole('heading', { level: 2, name: /^police, week \d{4}-W\d{2}$/ });
  await summary.waitFor({ timeout: 20000 });
  const table = page.locator('table.staffing-table');
  const rows = table.locator('tbody tr[data-start]');
  const count = await rows.count();
  assert.ok([334, 336, 338].includes(count), `half hours shown: ${count}`);
  // Erlang C and Erlang A columns, with whole counsellors and percentages.
  const first = (await rows.nth(40).locator('th, td').allTextContents()).map((t) => t.trim());
  assert.equal(first.length, 12, JSON.stringify(first));
  assert.match(first[0], /^\d{2}:\d{2}$/);
  assert.match(first[2], /^\d+$/);
  assert.match(first[4], /^\d+%$/);
  assert.match(await page.locator('main').textContent(), /Error over the last 8 weeks \(WAPE\): \d+%/);
  // The forecast chart: one bar per half hour, some of them above zero, and the counsellors' line.
  const bars = page.locator('figure.staffing-chart svg rect.calls');
  assert.equal(await bars.count(), count);
  const heights = await bars.evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
  assert.ok(heights.filter((h) => h > 0).length > count / 2, 'most half hours forecast some calls');
  assert.ok((await page.locator('figure.staffing-chart svg path.rostered').getAttribute('d')).length > count);
  await expectAccessible(page, 'staffing-next-week');
  await page.screenshot({ path: join(artifacts, 'staffing-next-week-top.png') });  // what a person sees first

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export the plan (CSV)' }).click();
  const file = await download;
  assert.match(file.suggestedFilename(), /^staffing-police-\d{4}-W\d{2}\.csv$/);
  const path = await file.path();
  const csv = execFileSync('cat', [path], { encoding: 'utf8' }).trim().split('\r\n');
  assert.equal(csv.length, 1 + count);
  assert.match(csv[0], /^start_utc,start_uk,forecast_calls,erlang_c_on_phones/);

  // The demo rota against the plan: gaps marked in words, Welsh cover apart.
  const week = (await summary.textContent()).match(/\d{4}-W\d{2}/)[0];
  await page.getByRole('heading', { level: 2, name: `Coverage, week ${week}` }).waitFor();
  const coverage = page.locator('table.coverage-table');
  assert.equal(await coverage.locator('tbody tr[data-start]').count(), count);
  const gaps = await coverage.locator('tbody tr.gap').count();
  assert.ok(gaps > 0 && gaps < count / 2, `half hours with a gap: ${gaps} of ${count}`);
  assert.match(await coverage.locator('tbody tr.gap td').last().textContent(), /^Short by \d+$/);
  const welshGaps = await coverage.locator('tbody td.welsh-gap').count();
  assert.ok(welshGaps > 0 && welshGaps < count / 2, `half hours short of Welsh speakers: ${welshGaps} of ${count}`);
  assert.match(await page.getByTestId('coverage-summary').textContent(),
    new RegExp(`^${gaps} half hours short of the plan .* ${welshGaps} half hours with fewer Welsh speakers rostered than the Welsh calls need\\.$`));
  const shifts = page.locator('table.shifts-table tbody tr[data-shift]');
  assert.ok((await shifts.count()) > 10);
  await expectAccessible(page, 'staffing-coverage');

  // The same counsellor twice at once is refused, beside the start.
  const firstShift = shifts.first();
  const who = (await firstShift.locator('th').textContent()).trim();
  const [from, to] = (await firstShift.locator('td').allTextContents()).map((t) => t.trim().replace(' ', 'T'));
  // By id: the option's label adds "(Welsh)" for a Welsh speaker, and which counsellor comes first depends on the week.
  await page.getByLabel('Counsellor', { exact: true }).selectOption(await firstShift.getAttribute('data-counsellor'));
  await page.getByLabel('Start (UK time)').fill(from);
  await page.getByLabel('End (UK time)').fill(to);
  await page.getByRole('button', { name: 'Add the shift' }).click();
  await page.locator('#shift-start-error').filter({ hasText: /overlaps this counsellor's shift/ }).waitFor();
  assert.equal(await page.getByLabel('Start (UK time)').getAttribute('aria-invalid'), 'true');

  // From the keyboard: Edit, end half an hour earlier, save.
  await firstShift.getByRole("button", { name: /^Edit/ }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 3, name: 'Change the shift' }).waitFor();
  const end = page.getByLabel('End (UK time)');
  assert.equal(await end.inputValue(), to);
  const earlier = new Date(Date.parse(`${to}:00Z`) - 30 * 60000).toISOString().slice(0, 16);
  await end.fill(earlier);
  await page.getByRole('button', { name: 'Save the shift' }).press('Enter');
  await page.getByRole('status').filter({ hasText: `Shift of ${who} changed.` }).waitFor();
  await page.locator('table.shifts-table td', { hasText: earlier.replace('T', ' ') }).first().waitFor();

  // The wallboard: the demo rota has people on now, none of them signed in.
  await page.goto(`${url}/wallboard`);
  const rostered = page.getByRole('region', { name: 'Rostered now, not signed in' });
  await rostered.locator('li').first().waitFor({ timeout: 20000 });
  assert.match(await rostered.textContent(), /\(demo/);
  await expectAccessible(page, 'wallboard-rostered');
  await page.goto(`${url}/staffing`);
  await summary.waitFor({ timeout: 20000 });

  await page.getByLabel('Week', { exact: true }).fill('2030-W10');
  await page.getByRole('heading', { level: 2, name: 'police, week 2030-W10' }).waitFor();
  assert.deepEqual(problems, []);
});
