// Fail closed on the DTLS fingerprint (issue 12), in Debian's Chromium against the real server with a real SIPp
// caller: the counsellor's browser answers, but its offer reaches the server with a certificate fingerprint that is
// not the browser's own (as a man in the middle of the signalling would make it). The server's DTLS handshake
// refuses the browser's certificate, counts `fingerprint_mismatch`, and nothing of the browser reaches the caller;
// the caller is never the one who loses: the leg fails and the caller goes back to the queue.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { answerInThisBrowser, becomeAvailable, Fixture, launchPhoneBrowser, metric, newPage, signIn, waitFor } from './lib.mjs';

const FILL = 0x5a;

let fixture;
let browser;
const problems = [];

before(async () => {
  fixture = await Fixture.start();
  browser = await launchPhoneBrowser('browser-phone-fingerprint');
});

after(async () => {
  await browser?.close();
  await fixture?.stop();
});

test('an offer whose DTLS fingerprint is not the browser\'s own: refused, counted, nothing reaches the caller', async () => {
  const { url, passwords } = fixture.info;
  const desk = await newPage(browser, problems);
  await signIn(desk, url, 'demo.counsellor', passwords['demo.counsellor']);
  await desk.goto(`${url}/desk`);
  await answerInThisBrowser(desk);
  await becomeAvailable(desk);

  // The signalling is tampered with on its way: the offer's fingerprint becomes another certificate's.
  let tampered = 0;
  await desk.route('**/api/v1/session/phone/calls/*/answer', async (route) => {
    const body = JSON.parse(route.request().postData());
    const forged = body.sdp.replace(/a=fingerprint:sha-256 [0-9A-F:]+/,
      `a=fingerprint:sha-256 ${Array.from({ length: 32 }, (_, i) => (i * 7 + 3).toString(16).padStart(2, '0').toUpperCase()).join(':')}`);
    assert.notEqual(forged, body.sdp, 'the offer carries a sha-256 fingerprint');
    tampered += 1;
    await route.continue({ postData: JSON.stringify({ ...body, sdp: forged }) });
  });
  const mismatches = await metric(desk, fixture, 'crisisline_browser_media_dropped_total', 'fingerprint_mismatch');
  const interrupted = await metric(desk, fixture, 'crisisline_calls_interrupted_total');
  const handshakes = await metric(desk, fixture, 'crisisline_browser_handshakes_total');
  await fixture.send({ cmd: 'call', talk_ms: 120000, digit: '2', fill: FILL, pt: 8 });
  await desk.getByText('Incoming call: answer in this browser').waitFor({ timeout: 30000 });
  await desk.getByRole('button', { name: 'Answer', exact: true }).click();
  await waitFor('the server to refuse the browser\'s certificate', async () =>
    (await metric(desk, fixture, 'crisisline_browser_media_dropped_total', 'fingerprint_mismatch')) > mismatches, 30000);
  assert.equal(tampered, 1);
  // No keys, so no media either way: the caller never hears the browser, and the server, hearing nothing of the
  // counsellor's side, carries the caller back to the queue.
  await waitFor('the caller carried back to the queue', async () =>
    (await metric(desk, fixture, 'crisisline_calls_interrupted_total')) === interrupted + 1, 40000);
  assert.equal(await metric(desk, fixture, 'crisisline_browser_handshakes_total'), handshakes, 'a leg was keyed with the wrong certificate');
  const live = await waitFor('the counsellor off the call', async () => {
    const l = await desk.evaluate(() => fetch('/api/v1/live').then((r) => r.json()));
    return l.me && l.me.state !== 'on_call' ? l : null;
  });
  assert.equal(live.me.state, 'wrap_up', JSON.stringify(live.me));
  assert.deepEqual(problems.filter((p) => !/ICE|DTLS|connection|Failed to load resource/i.test(p)), []);
});
