// A supervisor who answers in the browser monitors a call from the wallboard (issue 16 + 12): the monitoring
// rings their browser phone, the tab answers with its WebRTC offer, and the DTLS-SRTP leg goes into the server's
// monitor mix. A SIPp caller (PCMU, every byte CALLER_FILL) talks to a counsellor's SIPp desk phone (every byte
// PHONE_FILL); the supervisor's fake microphone plays a tone. Listening, the supervisor's browser receives audio
// (getStats) and the caller hears the counsellor only: every packet still one byte repeated, none of the tone;
// joined, the caller hears the tone too (so the listen check could fail). The counsellor is told throughout.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { artifacts, expectAccessible, fakeMicrophoneArgs, Fixture, inboundAudio, launchBrowser, newPage, signIn,
  toneWav, trackPeerConnections, waitFor } from './lib.mjs';

const CALLER_FILL = 0x2a;
const PHONE_FILL = 0x55;

let fixture;
let browser;
const problems = [];

before(async () => {
  fixture = await Fixture.start();
  const wav = join(artifacts, 'browser-phone-monitor-tone.wav');
  toneWav(wav, 120);
  browser = await launchBrowser(fakeMicrophoneArgs(wav));
});

after(async () => {
  await browser?.close();
  await fixture?.stop();
});

// What the caller has received: audio packets, those whose payload is one byte repeated (a party's fill, or the
// mix of fills), and the others (a tone mixed in, or the hold audio).
async function callerHeard() {
  const s = await fixture.send({ cmd: 'caller_stats' });
  const all = Object.values(s.by_first_byte).reduce((a, b) => a + b, 0);
  const uniform = Object.values(s.uniform).reduce((a, b) => a + b, 0);
  return { all, uniform, other: all - uniform, phone: s.uniform[String(PHONE_FILL)] ?? 0 };
}

test('listen from the wallboard in the browser: the supervisor hears the call, the caller never hears them', async () => {
  const { url, passwords } = fixture.info;
  // The counsellor's desk phone answers a caller: the call to monitor.
  await fixture.send({ cmd: 'register', user: 'demo.counsellor', ring_ms: 300, talk_ms: 240000, send_seconds: 240,
    pt: 0, fill: PHONE_FILL });
  await fixture.send({ cmd: 'call', talk_ms: 180000, digit: '2', pt: 0, fill: CALLER_FILL });
  const desk = await newPage(browser, problems);
  await signIn(desk, url, 'demo.counsellor', passwords['demo.counsellor']);
  await desk.getByTestId('my-state').filter({ hasText: 'On a call' }).waitFor({ timeout: 20000 });

  // The supervisor (a counsellor of the line too) answers in this browser, then opens the wallboard in the tab.
  const board = await newPage(browser, problems);
  await trackPeerConnections(board);
  await signIn(board, url, 'demo.supervisor', passwords['demo.supervisor']);
  await board.waitForURL(/\/desk$/);
  await board.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();
  await board.getByRole('button', { name: 'Answer in this browser' }).click();
  await board.getByText('Calls ring in this browser').waitFor({ timeout: 10000 });
  await board.getByRole('link', { name: 'Wallboard' }).click();  // within the page: the tab keeps the phone
  await board.waitForURL(/\/wallboard$/);

  // Listen: the browser is rung and answers; the counsellor's desk says a supervisor is listening.
  const answered = board.waitForResponse((r) => r.url().endsWith('/answer') && r.request().method() === 'POST');
  await board.getByRole('button', { name: 'Listen' }).click();
  assert.equal((await answered).status(), 200);
  await board.locator('[data-testid=monitor-audio][data-connection=connected]').waitFor({ timeout: 20000 });
  await desk.getByTestId('monitor-state').filter({ hasText: 'A supervisor is listening to this call' })
    .waitFor({ timeout: 10000 });
  await board.getByTestId('monitor-audio').filter({ hasText: 'nobody hears you' }).waitFor();

  // The supervisor's browser receives the call's audio (the mix of the two fills is a steady sound).
  const inbound = await waitFor('audio in the supervisor\'s browser', async () => {
    const s = await inboundAudio(board);
    return s && s.packets > 100 && s.level > 0 ? s : null;
  });
  console.log(`supervisor inbound-rtp: ${inbound.packets} packets, audio level ${inbound.level}`);

  // Listening, the caller hears the counsellor only: every new packet one byte repeated, none of the tone.
  const start = await callerHeard();
  const listened = await waitFor('the caller to hear 150 more packets', async () => {
    const now = await callerHeard();
    return now.all - start.all >= 150 ? now : null;
  });
  assert.equal(listened.other - start.other, 0, `the caller heard something besides the counsellor: ${JSON.stringify(listened)}`);
  assert.ok(listened.phone - start.phone >= 140, `the caller stopped hearing the counsellor: ${JSON.stringify(listened)}`);
  await expectAccessible(board, 'browser-phone-monitor-01-listening');

  // Joined, the caller hears the supervisor's tone mixed in: the check above would have seen it.
  await board.getByRole('button', { name: 'Join' }).click();
  await desk.getByTestId('monitor-state').filter({ hasText: /joined|join/i }).waitFor({ timeout: 10000 });
  const joined = await callerHeard();
  await waitFor('the supervisor\'s tone at the caller', async () => (await callerHeard()).other - joined.other >= 50);

  // Stop: the browser's connection closes, the counsellor's desk no longer shows a supervisor.
  await board.getByRole('button', { name: 'Stop' }).click();
  await board.getByTestId('monitor-audio').waitFor({ state: 'detached', timeout: 10000 });
  await desk.getByTestId('monitor-state').waitFor({ state: 'detached', timeout: 10000 });
  const live = await board.evaluate(async () => (await fetch('/api/v1/live')).json());
  assert.ok(live.active.every((a) => !a.monitor), JSON.stringify(live.active));
  assert.deepEqual(problems, []);
});
