// A three-party call from the console alone, in a real browser (Debian's Chromium) against the real server with
// real SIPp calls (issue 16): on a call, the counsellor adds the demo supervisor by keyboard from "Add to the
// call" (the line's emergency service is listed but not offered before an escalation); the supervisor's SIPp desk
// phone rings and answers; the counsellor's desk, the supervisor's desk and the wallboard show the three-party
// call; the counsellor drops them, adds them again and leaves the caller to them, who then has the call on their
// desk. The desk passes axe-core with the choice open and during the three-party call.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectAccessible, Fixture, launchBrowser, newPage, signIn, waitFor } from './lib.mjs';

let fixture;
let browser;
const problems = [];
const JO = 'Jo (demo supervisor)';

before(async () => {
  fixture = await Fixture.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await fixture?.stop();
});

// Opens "Add to the call" from the keyboard until the list offers `name` (a colleague is listed once available),
// and leaves the choice open with `name` chosen and the keyboard on the list.
async function chooseByKeyboard(desk, name) {
  const select = desk.getByLabel('Add to the call', { exact: true });
  await waitFor(`${name} offered in "Add to the call"`, async () => {
    if (await select.count()) {
      await desk.keyboard.press('Escape');  // an earlier list without them: close it and ask again
      await desk.getByRole('button', { name: 'Add to the call…' }).waitFor();
    }
    await desk.getByRole('button', { name: 'Add to the call…' }).focus();
    await desk.keyboard.press('Enter');
    await select.locator('option').first().waitFor({ state: 'attached' });
    await waitFor('the list to load', async () => !(await select.isDisabled()), 10000);
    return (await select.locator('option', { hasText: name }).count()) > 0;
  }, 20000);
  assert.equal(await select.evaluate((el) => el === document.activeElement), true, 'the keyboard is on the list');
  const value = await select.locator('option', { hasText: name }).getAttribute('value');
  await select.selectOption(value);
  return select;
}

test('add a colleague to the call, drop them, add them again and leave the caller to them', async () => {
  const { url, passwords } = fixture.info;
  const desk = await newPage(browser, problems);
  await signIn(desk, url, 'demo.counsellor', passwords['demo.counsellor']);
  await desk.waitForURL(/\/desk$/);
  await desk.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();
  const board = await newPage(browser, problems);
  const joSecret = await signIn(board, url, 'demo.supervisor', passwords['demo.supervisor']);
  await board.goto(`${url}/wallboard`);
  await board.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();
  const joDesk = await newPage(browser, problems);
  await signIn(joDesk, url, 'demo.supervisor', passwords['demo.supervisor'], joSecret);
  await joDesk.goto(`${url}/desk`);
  await joDesk.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();

  await fixture.send({ cmd: 'register', user: 'demo.counsellor', ring_ms: 500, talk_ms: 240000, send_seconds: 240 });
  await desk.getByTestId('my-state').filter({ hasText: 'Available' }).waitFor({ timeout: 10000 });
  await fixture.send({ cmd: 'call', talk_ms: 180000, digit: '2', pt: 0, fill: 42 });
  await desk.getByTestId('my-state').filter({ hasText: 'On a call' }).waitFor({ timeout: 20000 });
  await fixture.send({ cmd: 'register', user: 'demo.supervisor', ring_ms: 500, talk_ms: 240000, send_seconds: 240 });

  // The choice, by keyboard: colleagues of the line, and the line's services; the emergency service only after an
  // escalation is recorded on the contact (none is, so it is listed but cannot be chosen).
  let select = await chooseByKeyboard(desk, JO);
  const ambulance = select.locator('option', { hasText: 'Ambulance service' });
  assert.equal(await ambulance.isDisabled(), true, 'the emergency service before an escalation');
  assert.match(await ambulance.textContent(), /only after an escalation is recorded/);
  assert.equal(await select.locator('option', { hasText: 'Partner listening service' }).isDisabled(), false);
  await expectAccessible(desk, 'conference-01-desk-add-to-the-call');
  await desk.keyboard.press('Tab');  // to "Add them"
  await desk.keyboard.press('Enter');

  // Jo's desk phone rings and answers: all three are on the call, and everyone's screen says so.
  await desk.getByTestId('conference-state').filter({ hasText: `Three-party call with ${JO}` })
    .waitFor({ timeout: 15000 });
  await joDesk.getByTestId('conferenced').filter({ hasText: 'A colleague has added you to their call' })
    .waitFor({ timeout: 10000 });
  await board.locator('[data-testid^="conference-"]').filter({ hasText: `three-party call with ${JO}` })
    .waitFor({ timeout: 10000 });
  assert.equal(await desk.getByRole('button', { name: 'Put the caller on hold' }).isDisabled(), true);
  assert.equal(await desk.getByRole('button', { name: 'Transfer…' }).count(), 0);
  assert.equal(await desk.getByRole('button', { name: 'Consult…' }).count(), 0);
  await expectAccessible(desk, 'conference-02-desk-three-party-call');

  // Dropped from the keyboard (it has the Drop button since the choice closed): back to the two of them.
  const drop = desk.getByRole('button', { name: `Drop ${JO}` });
  assert.equal(await drop.evaluate((el) => el === document.activeElement), true, 'the keyboard is on Drop');
  await desk.keyboard.press('Enter');
  await desk.getByTestId('conference-state').filter({ hasText: `${JO} was dropped from the call` })
    .waitFor({ timeout: 10000 });
  await joDesk.getByTestId('conferenced').waitFor({ state: 'detached', timeout: 10000 });
  await board.locator('[data-testid^="conference-"]').waitFor({ state: 'detached', timeout: 10000 });
  assert.equal(await desk.getByRole('button', { name: 'Put the caller on hold' }).isDisabled(), false);

  // Added again (a fresh desk phone: SIPp's phone took one call), then the counsellor leaves the caller to Jo.
  await fixture.send({ cmd: 'register', user: 'demo.supervisor', ring_ms: 500, talk_ms: 240000, send_seconds: 240 });
  select = await chooseByKeyboard(desk, JO);
  await desk.keyboard.press('Tab');
  await desk.keyboard.press('Enter');
  await desk.getByTestId('conference-state').filter({ hasText: `Three-party call with ${JO}` })
    .waitFor({ timeout: 15000 });
  await joDesk.getByTestId('conferenced').waitFor({ timeout: 10000 });
  const leave = desk.getByRole('button', { name: 'Leave the call to them' });
  await leave.focus();
  await desk.keyboard.press('Enter');
  // The counsellor's part ends (wrap-up, or available when the line has none); the caller is Jo's call now.
  await desk.getByTestId('my-state').filter({ hasNotText: 'On a call' }).waitFor({ timeout: 15000 });
  await joDesk.getByTestId('conferenced').waitFor({ state: 'detached', timeout: 10000 });
  await joDesk.getByTestId('call-controls').filter({ hasText: 'Connected to the caller' })
    .waitFor({ timeout: 10000 });
  await joDesk.getByTestId('my-state').filter({ hasText: 'On a call' }).waitFor({ timeout: 5000 });
  assert.deepEqual(problems, []);
});
