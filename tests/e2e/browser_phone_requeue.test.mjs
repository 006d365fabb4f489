// Never lose the caller because of the counsellor's connection (issue 12), in Debian's Chromium against the real
// server with a real SIPp caller: a counsellor answering in the browser closes the tab mid-call. The server sees
// the tab's live feed close, and after the short grace for a reload the caller (who never stops hearing the
// server) goes back to the front of the queue; a second counsellor answering in their browser gets the call,
// with audio both ways. The first counsellor's contact says "interrupted" and they are not ready.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { answerInThisBrowser, answerRingingCall, becomeAvailable, Fixture, inboundAudio, launchPhoneBrowser, newPage, screenshot,
  signIn, soundsHeard, trackPeerConnections, waitFor } from './lib.mjs';

const FILL = 0x5a; // every byte of the caller's audio payloads

let fixture;
let browser;
const problems = [];

before(async () => {
  fixture = await Fixture.start();
  browser = await launchPhoneBrowser('browser-phone-requeue');
});

after(async () => {
  await browser?.close();
  await fixture?.stop();
});

// A counsellor's desk answering in this browser, not yet available.
async function browserDesk(username) {
  const { url, passwords } = fixture.info;
  const desk = await newPage(browser, problems);
  await trackPeerConnections(desk);
  await signIn(desk, url, username, passwords[username]);
  await desk.goto(`${url}/desk`);
  await answerInThisBrowser(desk);
  return desk;
}

// Answers the call ringing at `desk` in the browser; resolves with the call's id.
async function answer(desk) {
  return (await answerRingingCall(desk)).url().match(/calls\/([^/]+)\/answer/)[1];
}

test('a counsellor closing the tab mid-call: the caller is requeued at the front and a second browser answers', async () => {
  const first = await browserDesk('demo.counsellor');
  const second = await browserDesk('demo.supervisor'); // a counsellor on the line too
  await becomeAvailable(first);
  await fixture.send({ cmd: 'call', talk_ms: 180000, digit: '2', fill: FILL, pt: 8 });
  const firstCall = await answer(first);
  await waitFor('the caller\'s audio in the first browser', async () => (await inboundAudio(first))?.packets > 50);
  const heard = await waitFor('the first counsellor at the caller', async () => {
    const s = await fixture.send({ cmd: 'caller_stats' });
    return soundsHeard(s) > 50 ? s : null;
  });

  // The first counsellor's tab goes away mid-call (closed, crashed): its live feed and its media stop at once.
  await first.context().close();
  // After the grace for a reload the caller is back in the queue (the second counsellor, a supervisor too, sees it)...
  const waiting = await waitFor('the caller back in the queue', async () => {
    const live = await second.evaluate(() => fetch('/api/v1/live').then((r) => r.json()));
    return live.waiting?.length === 1 ? live.waiting[0] : null;
  });
  assert.notEqual(waiting.call, firstCall, 'the caller carries on in a new contact');
  assert.equal(waiting.position, 1);
  assert.ok(waiting.wait_ms > 5000, `the wait counts from the first arrival: ${waiting.wait_ms} ms`);
  // ...and keeps hearing the server (the reconnecting prompt, then hold audio), never hung up.
  const before = await fixture.send({ cmd: 'caller_stats' });
  await waitFor('the server\'s audio at the requeued caller', async () => {
    const s = await fixture.send({ cmd: 'caller_stats' });
    return s.received_audio - before.received_audio > 100;
  });
  // Available: the caller waiting at the front rings them at once (so the desk may show Ringing straight away).
  await second.getByRole('group', { name: 'Set my status' }).getByRole('button', { name: 'Available' }).click();
  const secondCall = await answer(second);
  assert.equal(secondCall, waiting.call);
  await waitFor('the caller\'s audio in the second browser', async () => (await inboundAudio(second))?.packets > 50);
  await waitFor('the second counsellor at the caller', async () => {
    const s = await fixture.send({ cmd: 'caller_stats' });
    return soundsHeard(s) - soundsHeard(heard) > 100 ? s : null;
  });
  await screenshot(second, 'browser-phone-requeue-01-second-counsellor');

  // The record: the first contact ended "interrupted", linked to the one the caller carries on in; the first
  // counsellor wraps it up and is then not ready. (The second counsellor is also a supervisor: they see both.)
  const seen = await second.evaluate(async ({ firstCall, secondCall }) => {
    const list = await fetch('/api/v1/lines/police/contacts?limit=50').then((r) => r.json());
    const live = await fetch('/api/v1/live').then((r) => r.json());
    return { interrupted: list.contacts.find((c) => c.id === firstCall), carried: list.contacts.find((c) => c.id === secondCall),
      counsellors: live.counsellors };
  }, { firstCall, secondCall });
  assert.equal(seen.interrupted.call.end_reason, 'interrupted');
  assert.equal(seen.interrupted.status, 'open');
  assert.equal(seen.interrupted.call.continued_in, secondCall);
  assert.equal(seen.carried.call.continues, firstCall);
  assert.equal(seen.carried.arrived_at, seen.interrupted.arrived_at);
  const firstCounsellor = seen.counsellors.find((c) => c.counsellor === seen.interrupted.counsellor_id);
  assert.equal(firstCounsellor.state, 'wrap_up');
  assert.equal(firstCounsellor.after_call, 'break');
  assert.equal(firstCounsellor.phone_registered, false, 'the closed tab still holds the phone');
  assert.deepEqual(problems, []);
  await second.getByRole('button', { name: 'Hang up' }).click();
  await second.getByTestId('my-state').filter({ hasText: 'Wrap-up' }).waitFor({ timeout: 10000 });
});
