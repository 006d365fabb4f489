// The auditor's page in a real browser (Debian's Chromium) against the real server: the log verifies, the
// last checkpoint shows, entries filter; then the append-only triggers are dropped behind the server's back
// (as an insider with the database file would) and the page says so.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { axeViolations, expectAccessible, Fixture, launchBrowser, newPage, screenshot, signIn } from './lib.mjs';

let fixture;
let browser;
const problems = [];

before(async () => {
  fixture = await Fixture.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await fixture?.stop();
});

test('an auditor verifies the log, sees the last checkpoint, filters entries and is told of tampering', async () => {
  const { url, passwords, data_dir: dataDir } = fixture.info;
  const page = await newPage(browser, problems);
  await signIn(page, url, 'demo.auditor', passwords['demo.auditor']);
  await page.waitForURL(/\/audit$/);
  await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();

  // The server checkpointed the log when it started.
  const checkpoint = page.getByTestId('last-checkpoint');
  await checkpoint.waitFor();
  assert.match(await checkpoint.textContent(), /Head hash[0-9a-f]{64}/);

  await page.getByRole('button', { name: "Verify against the server's checkpoints" }).click();
  const result = page.getByTestId('verify-result');
  await result.filter({ hasText: 'The audit log is intact' }).waitFor();
  assert.match(await result.textContent(), /Nothing was removed or changed up to the checkpoint of/);

  // The demo's staff were created by "system"; the auditor's own sign-in is there too.
  await page.getByLabel('Action, e.g. contact.read').fill('staff.create');
  await page.getByRole('button', { name: 'Show entries' }).click();
  const rows = page.getByTestId('audit-entries').locator('tbody tr');
  await rows.first().filter({ hasText: 'staff.create' }).waitFor();
  const actions = await rows.locator('td:nth-child(4)').allTextContents();
  assert.ok(actions.length >= 6, `the demo staff's creations: ${actions}`);
  assert.deepEqual([...new Set(actions)], ['staff.create']);
  await expectAccessible(page, 'audit-01-intact');

  // An insider drops the append-only triggers from the database file.
  execFileSync('python3', ['-c', [
    'import sqlite3, sys',
    'db = sqlite3.connect(sys.argv[1])',
    'db.execute("DROP TRIGGER audit_log_no_delete")',
    'db.commit()',
  ].join('\n'), join(dataDir, 'crisisline.db')]);
  await page.getByRole('button', { name: "Verify against the server's checkpoints" }).click();
  await result.filter({ hasText: 'The audit log does not verify' }).waitFor();
  assert.match(await result.textContent(), /trigger audit_log_no_delete is missing \(dropped\)/);
  assert.equal(await result.getAttribute('role'), 'alert');
  await expectAccessible(page, 'audit-02-tampered');
  assert.deepEqual(problems, []);
});
