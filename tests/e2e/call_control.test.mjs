// Call control from the console alone, in a real browser (Debian's Chromium) against the real server with real
// SIPp calls (issue 16): the counsellor puts the caller on hold and resumes from the desk, the wallboard shows
// the hold; a supervisor listens from the wallboard (their SIPp desk phone rings and answers) and the
// counsellor's desk says so at once, then no longer once the supervisor stops; the counsellor consults the
// supervisor and returns to the caller, and the wallboard shows the consult while it lasts. Both pages pass axe-core.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectAccessible, Fixture, launchBrowser, newPage, signIn } from './lib.mjs';

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

test('hold, resume and a supervisor listening, from the desk and the wallboard', async () => {
  const { url, passwords } = fixture.info;
  const desk = await newPage(browser, problems);
  await signIn(desk, url, 'demo.counsellor', passwords['demo.counsellor']);
  await desk.waitForURL(/\/desk$/);
  await desk.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();
  const board = await newPage(browser, problems);
  await signIn(board, url, 'demo.supervisor', passwords['demo.supervisor']);
  await board.goto(`${url}/wallboard`);
  await board.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();

  await fixture.send({ cmd: 'register', user: 'demo.counsellor', ring_ms: 500, talk_ms: 240000, send_seconds: 240 });
  await desk.getByTestId('my-state').filter({ hasText: 'Available' }).waitFor({ timeout: 10000 });
  await fixture.send({ cmd: 'call', talk_ms: 120000, digit: '2', pt: 0, fill: 42 });
  await desk.getByTestId('my-state').filter({ hasText: 'On a call' }).waitFor({ timeout: 20000 });

  // Hold from the desk, by keyboard: the desk and the wallboard show the time on hold.
  const hold = desk.getByRole('button', { name: 'Put the caller on hold' });
  await hold.focus();
  await desk.keyboard.press('Enter');
  await desk.getByTestId('hold-state').filter({ hasText: 'Caller on hold' }).waitFor({ timeout: 10000 });
  await board.locator('[data-testid^="held-"]').waitFor({ timeout: 10000 });
  await expectAccessible(desk, 'call-control-01-desk-on-hold');
  await desk.getByRole('button', { name: 'Resume the call' }).click();
  await desk.getByTestId('hold-state').filter({ hasText: 'Connected to the caller' }).waitFor({ timeout: 10000 });
  await board.locator('[data-testid^="held-"]').waitFor({ state: 'detached', timeout: 10000 });

  // The supervisor listens from the wallboard: their desk phone rings and answers; the counsellor is told.
  await fixture.send({ cmd: 'register', user: 'demo.supervisor', ring_ms: 500, talk_ms: 240000, send_seconds: 240 });
  await board.getByRole('button', { name: 'Listen' }).click();
  await desk.getByTestId('monitor-state').filter({ hasText: 'A supervisor is listening to this call' })
    .waitFor({ timeout: 15000 });
  await board.getByTestId(/^monitor-/).filter({ hasText: 'supervisor listening' }).waitFor({ timeout: 10000 });
  await expectAccessible(board, 'call-control-02-wallboard-listening');
  await board.getByRole('button', { name: 'Coach' }).click();
  await desk.getByTestId('monitor-state').filter({ hasText: 'coaching you' }).waitFor({ timeout: 10000 });
  await board.getByRole('button', { name: 'Stop' }).click();
  await desk.getByTestId('monitor-state').waitFor({ state: 'detached', timeout: 10000 });

  // The counsellor consults the supervisor (a fresh SIPp desk phone for them: the last one's call has ended):
  // the desk and the wallboard say whom, ringing then connected; back to the caller, and both say so.
  await fixture.send({ cmd: 'register', user: 'demo.supervisor', ring_ms: 500, talk_ms: 240000, send_seconds: 240 });
  await desk.getByRole('button', { name: 'Consult…' }).click();
  const picker = desk.getByRole('form', { name: 'Consult a colleague' });
  const who = picker.getByRole('combobox', { name: 'Consult' });
  await who.locator('option', { hasText: 'supervisor' }).first().waitFor({ state: 'attached', timeout: 10000 });
  await who.selectOption({ label: await who.locator('option', { hasText: 'supervisor' }).first().textContent() });
  await picker.getByRole('button', { name: 'Call them' }).click();
  await desk.getByTestId('consult-state').filter({ hasText: /^Consulting .+\. The caller is on hold/ })
    .waitFor({ timeout: 15000 });
  const consulting = board.getByTestId(/^consult-/).filter({ hasText: /^consulting / });
  await consulting.filter({ hasNotText: '(ringing)' }).waitFor({ timeout: 10000 });
  assert.doesNotMatch(await consulting.textContent(), /A colleague/, 'the wallboard names the colleague');
  await expectAccessible(board, 'call-control-03-wallboard-consulting');
  await desk.getByRole('button', { name: 'Return to caller' }).click();
  await desk.getByTestId('consult-state').filter({ hasText: 'you are back with the caller' }).waitFor({ timeout: 10000 });
  await board.getByTestId(/^consult-/).waitFor({ state: 'detached', timeout: 10000 });
  assert.deepEqual(problems, []);
});
