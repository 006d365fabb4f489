// The counsellor's record when a call ends on its own, in a real browser (Debian's Chromium) against the real
// server with real SIPp calls: telephony ending the call mid-typing never closes the record or drops a word,
// the end reaches the desk through the live feed within a second, the counsellor returns to the state they
// chose, a phone-less "Available" is said and not counted, and closing mid-call asks first.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { artifacts, Fixture, launchBrowser, newPage, screenshot, signIn } from './lib.mjs';

const RTP_TIMEOUT_S = 5; // a silent leg ends its call after this long ("no audio for 5 s, ending it")

let fixture;
let browser;
const problems = [];

before(async () => {
  fixture = await Fixture.start({ rtpTimeoutS: RTP_TIMEOUT_S });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await fixture?.stop();
});

const seconds = (text) => {
  const [m, s] = text.trim().split(':').map(Number);
  return m * 60 + s;
};

test('telephony ending the call mid-typing keeps every word, and only the counsellor closes the record', async () => {
  const { url, passwords } = fixture.info;
  const desk = await newPage(browser, problems);
  const patches = []; // every save the desk sent, with the answer
  desk.on('response', (r) => {
    if (r.request().method() === 'PATCH') patches.push({ at: Date.now(), status: r.status() });
  });
  await signIn(desk, url, 'demo.counsellor', passwords['demo.counsellor']);
  await desk.waitForURL(/\/desk$/);
  await desk.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();
  const board = await newPage(browser, problems);
  await signIn(board, url, 'demo.supervisor', passwords['demo.supervisor']);
  await board.goto(`${url}/wallboard`);
  await board.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();

  // The caller's line sends audio for 12 s, then goes silent: the server ends the call RTP_TIMEOUT_S later
  // ("failed"). (A counsellor's phone going silent would not end it: the caller would go back to the queue.)
  await fixture.send({ cmd: 'register', user: 'demo.counsellor', ring_ms: 1000, talk_ms: 240000, send_seconds: 240 });
  await desk.getByTestId('my-state').filter({ hasText: 'Available' }).waitFor({ timeout: 10000 });
  await fixture.send({ cmd: 'call', talk_ms: 240000, digit: '2', send_seconds: 12 });
  await desk.getByTestId('contact-panel').waitFor({ timeout: 20000 });

  await desk.getByLabel('Name the caller wishes to use').fill('Alex (e2e fictional)');
  await desk.getByLabel('Who is calling').selectOption('police_officer');
  // Typing goes on while the call ends under it: a few words at a time, until the desk shows the end.
  const notes = desk.getByLabel('Notes', { exact: true });
  const ended = desk.getByTestId('call-ended');
  let typed = '';
  const saved = desk.getByTestId('save-status').filter({ hasText: 'Saved' });
  for (let i = 0; i < 400 && (await ended.count()) === 0; i += 1) {
    const words = `word${i} `;
    await notes.pressSequentially(words, { delay: 30 });
    typed += words;
    // Now and then the counsellor pauses long enough for a save, so saves go out as the call ends.
    if (i % 6 === 5) await saved.waitFor({ timeout: 10000 });
  }
  assert.ok(await ended.count(), 'the call never ended: is the caller still sending audio?');
  // And on after the end, without a pause.
  for (let i = 0; i < 5; i += 1) {
    const words = `after${i} `;
    await notes.pressSequentially(words, { delay: 15 });
    typed += words;
  }
  await screenshot(desk, 'call-end-01-typing-through-the-end');

  // The end reached the desk through the live feed (data-shown-at is set only by the feed's call.ended, never by
  // a save or a reload), with no edit needed, within the second the service promises. The figure is recorded
  // (typically under 20 ms here; the 1 s bound held 10 runs of each of the http and https variants in a row under
  // ctest -j2 at load average 8-10 on 2 cores, 2026-12-07).
  const endedAt = Date.parse(await ended.getAttribute('data-ended-at'));
  const shownAt = Date.parse(await ended.getAttribute('data-shown-at'));
  const endLatencyMs = shownAt - endedAt;
  writeFileSync(`${artifacts}/desk-call-end-latency.json`, JSON.stringify({ shown_after_ms: endLatencyMs }));
  console.log(`call end shown ${endLatencyMs} ms after the server ended the call`);
  assert.ok(endLatencyMs >= 0 && endLatencyMs < 1000, `the desk learnt of the end ${endLatencyMs} ms after the server ended it`);
  // The talk time stops at the end (checked again below, seconds later, and against the stored record).
  const timer = desk.getByTestId('call-timer');
  const talk = seconds(await timer.textContent());
  await desk.getByTestId('my-state').filter({ hasText: 'Wrap-up' }).waitFor({ timeout: 5000 });

  // Everything is saved, on the still-open contact, without a refusal; no save went out in a loop.
  await saved.waitFor({ timeout: 10000 });
  assert.deepEqual(patches.filter((p) => p.status >= 400 && p.status !== 409).map((p) => p.status), []);
  const conflicts = patches.filter((p) => p.status === 409).length;
  assert.ok(conflicts <= 2, `${conflicts} saves were refused as stale (one re-read each is expected)`);

  // The phone goes away during the wrap-up: the wrap-up goes on (it is not the counsellor's choice).
  await fixture.send({ cmd: 'unregister', user: 'demo.counsellor' });
  await desk.getByTestId('no-phone').waitFor({ timeout: 5000 });
  assert.match(await desk.getByTestId('my-state').textContent(), /Wrap-up/);

  const talkLater = seconds(await timer.textContent());
  assert.ok(Math.abs(talkLater - talk) <= 1, `the talk time kept counting after the call ended: ${talk} s, then ${talkLater} s`);

  // A reload restores every word: nothing typed was dropped.
  await desk.reload();
  await desk.getByTestId('contact-panel').waitFor({ timeout: 10000 });
  assert.equal(await notes.inputValue(), typed);
  assert.equal(await desk.getByLabel('Name the caller wishes to use').inputValue(), 'Alex (e2e fictional)');
  await desk.getByTestId('call-ended').waitFor();
  // (The record's end and the live event's may round to seconds either side of each other.)
  const talkAfterReload = seconds(await timer.textContent());
  assert.ok(Math.abs(talkAfterReload - talk) <= 1, `the talk time moved from ${talk} s to ${talkAfterReload} s after the end`);

  // Only the counsellor closes it, with their last words and outcome.
  await notes.pressSequentially('last words', { delay: 10 });
  typed += 'last words';
  await desk.getByLabel('Outcome', { exact: true }).selectOption('support_given');
  await desk.getByRole('button', { name: 'Finish wrap-up and close this contact' }).click();
  await desk.getByText('Contact closed. Thank you.').waitFor({ timeout: 10000 }).catch(async (e) => {
    await screenshot(desk, 'call-end-failed-close');
    const shown = await desk.locator('.field-error, .form-error, [data-testid=save-status]').allTextContents();
    throw new Error(`${e.message}\nthe desk shows: ${JSON.stringify(shown)}`);
  });
  const stored = await desk.evaluate(async () => {
    const list = await fetch('/api/v1/lines/police/contacts?status=closed').then((r) => r.json());
    const id = list.contacts[0].id;
    return fetch(`/api/v1/lines/police/contacts/${id}?purpose=wrap_up`).then((r) => r.json());
  });
  assert.equal(stored.status, 'closed');
  assert.equal(stored.notes, typed);
  assert.equal(stored.outcome, 'support_given');
  assert.equal(stored.call.end_reason, 'failed');
  assert.ok(Math.abs(stored.talk_seconds - talk) <= 1, `stored talk ${stored.talk_seconds} s, shown ${talk} s`);

  // Ready for the next call: back to Available, as chosen before the call (not Offline). With no phone the
  // desk says no call can reach them, and the wallboard does not count them as available.
  const ready = desk.getByRole('button', { name: 'Ready for the next call' });
  if (await ready.count()) await ready.click();
  await desk.getByTestId('my-state').filter({ hasText: 'Available' }).waitFor({ timeout: 10000 });
  await desk.getByTestId('no-phone').filter({ hasText: 'no call can reach you' }).waitFor();
  await board.getByText('Available, no phone: calls cannot reach them').waitFor({ timeout: 5000 });
  assert.equal((await board.getByTestId('count-available').textContent()).trim(), '0');
  await screenshot(board, 'call-end-02-wallboard-no-phone');
  assert.deepEqual(problems, []);
});

test('closing a contact mid-call asks first, and the desk keeps the call and the record apart', async () => {
  const { url, passwords } = fixture.info;
  const desk = await newPage(browser, problems);
  await signIn(desk, url, 'demo.welsh', passwords['demo.welsh']);
  await desk.waitForURL(/\/desk$/);
  await desk.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();
  await fixture.send({ cmd: 'register', user: 'demo.welsh', ring_ms: 1000, talk_ms: 240000, send_seconds: 240 });
  await desk.getByTestId('my-state').filter({ hasText: 'Available' }).waitFor({ timeout: 10000 });
  // demo.counsellor is available with no phone: ringing them fails at once and the call goes to Ceri.
  await fixture.send({ cmd: 'call', talk_ms: 40000, digit: '2' });
  await desk.getByTestId('contact-panel').waitFor({ timeout: 20000 });
  await desk.getByTestId('my-state').filter({ hasText: 'On a call' }).waitFor();

  await desk.getByLabel('Who is calling').selectOption('police_officer');
  await desk.getByLabel('Outcome', { exact: true }).selectOption('support_given');
  await desk.getByRole('button', { name: 'Finish wrap-up and close this contact' }).click();
  const confirm = desk.getByRole('alertdialog');
  await confirm.waitFor();
  assert.match(await confirm.textContent(), /The call is still connected/);
  await desk.getByRole('button', { name: 'Keep it open' }).click();
  await confirm.waitFor({ state: 'detached' });
  const open = await desk.evaluate(async () =>
    (await fetch('/api/v1/lines/police/contacts?status=open').then((r) => r.json())).contacts.length);
  assert.equal(open, 1, 'nothing was closed without the confirmation');

  await desk.getByRole('button', { name: 'Finish wrap-up and close this contact' }).click();
  await desk.getByRole('button', { name: 'Close the contact while the call goes on' }).click();
  // The desk says both: on a call, and its contact closed; never "No call open" beside "On a call".
  await desk.getByTestId('closed-mid-call').waitFor({ timeout: 10000 });
  assert.match(await desk.getByTestId('my-state').textContent(), /On a call/);
  assert.equal(await desk.getByText('No call open').count(), 0);
  await screenshot(desk, 'call-end-03-closed-mid-call');

  // The caller hangs up: wrap-up, and the desk offers the next call.
  await desk.getByTestId('my-state').filter({ hasText: 'Wrap-up' }).waitFor({ timeout: 60000 });
  await desk.getByRole('button', { name: 'Ready for the next call' }).click();
  await desk.getByTestId('my-state').filter({ hasText: 'Available' }).waitFor({ timeout: 10000 });
  assert.deepEqual(problems, []);
});
