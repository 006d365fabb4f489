// Reassign from the wallboard, by keyboard, in a real browser against the real server with SIPp (issue 16): two
// Welsh-speaking callers wait (no Welsh speaker is free); the supervisor offers the second to Sam, an English
// speaker who is available, with "Offer to…": Sam's desk phone rings for that caller and answers, while the first
// caller keeps their place at the front. The wallboard with the offer form open passes axe-core.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectAccessible, Fixture, launchBrowser, newPage, signIn, waitFor } from './lib.mjs';

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

test('a supervisor offers the second waiting caller to a counsellor they choose, from the keyboard', async () => {
  const { url, passwords } = fixture.info;
  const board = await newPage(browser, problems);
  await signIn(board, url, 'demo.supervisor', passwords['demo.supervisor']);
  await board.goto(`${url}/wallboard`);
  await board.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();
  const live = () => board.evaluate(async () => (await fetch('/api/v1/live')).json());

  await fixture.send({ cmd: 'register', user: 'demo.counsellor', ring_ms: 500, talk_ms: 120000, send_seconds: 120 });
  const sam = await waitFor('Sam available', async () =>
    (await live()).counsellors.find((c) => c.display_name.startsWith('Sam') && c.state === 'available'));
  await fixture.send({ cmd: 'call', talk_ms: 120000, digit: '1' });
  await waitFor('the first caller waiting', async () => (await live()).waiting.length === 1);
  await fixture.send({ cmd: 'call', talk_ms: 120000, digit: '1' });
  const waiting = await waitFor('two callers waiting', async () => {
    const w = (await live()).waiting;
    return w.length === 2 ? w : null;
  });
  const [first, second] = waiting.map((w) => w.call);
  const row = board.getByTestId(`waiting-call-${second}`);
  await row.waitFor();

  // Keyboard only: Enter on "Offer to…" opens the list with the focus on it; Tab, Enter offers.
  await row.getByRole('button', { name: /Offer to…/ }).focus();
  await board.keyboard.press('Enter');
  const who = row.getByRole('combobox', { name: 'Counsellor' });
  await who.waitFor();
  await waitFor('the focus on the list', async () => who.evaluate((s) => s === document.activeElement));
  assert.deepEqual(await who.locator('option').allTextContents(), ['Sam (demo counsellor)']);
  await expectAccessible(board, 'reassign-01-offer-open');
  await board.keyboard.press('Tab');
  await board.keyboard.press('Enter');

  // Sam's phone rings for the second caller and answers; the first caller is still first in the queue.
  await waitFor('the second caller bridged to Sam', async () => {
    const l = await live();
    return l.active.some((a) => a.call === second && a.counsellor === sam.counsellor)
      && l.waiting.length === 1 && l.waiting[0].call === first && l.waiting[0].position === 1;
  });
  await board.getByTestId(`waiting-call-${second}`).waitFor({ state: 'detached', timeout: 10000 });
  assert.deepEqual(problems, []);
});
