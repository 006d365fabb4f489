// ICE restart after a simulated network change keeps the call (issue 12): a SIPp carrier call answered in
// Debian's Chromium, headless; the page then hears that its network changed (the window's `online` event,
// as after a Wi-Fi drop), and the console restarts ICE: a re-offer with new ICE credentials to
// .../calls/{call}/offer. The server answers with new credentials and the same certificate, keeps the
// DTLS-SRTP keys (no second handshake), moves the media to the newly nominated pair and refuses the old
// credentials from then on. Audio keeps flowing both ways, the metric counts one restart, and the call ends
// cleanly. The endpoint's refusals: 409 while the call only rings, 400 (sdp) for a bad offer or a changed
// certificate, 404 for no such call or one that is over; the same credentials again get the same answer.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, test } from 'node:test';
import { answerInThisBrowser, answerRingingCall, becomeAvailable, Fixture, launchPhoneBrowser, metric, newPage, screenshot, signIn,
  stunBindingRequest, trackPeerConnections, waitFor } from './lib.mjs';

const FILL = 0x5a; // every byte of the caller's audio payloads

let fixture;
let browser;
const problems = [];

let desk; // the counsellor's page

// The page's peer connection: inbound audio packets and the selected candidate pair's local address.
async function browserStats(page) {
  return page.evaluate(async () => {
    const pc = window.__connections.at(-1);
    const stats = await pc.getStats();
    const out = { packets: 0, level: 0, sent: 0, local: null, pair: null };
    let pairId = null;
    stats.forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'audio') {
        out.packets = r.packetsReceived;
        out.level = r.audioLevel ?? 0;
      }
      if (r.type === 'outbound-rtp' && r.kind === 'audio') out.sent = r.packetsSent;
      if (r.type === 'transport' && r.selectedCandidatePairId) pairId = r.selectedCandidatePairId;
    });
    const pair = pairId && stats.get(pairId);
    const local = pair && stats.get(pair.localCandidateId);
    if (local) {
      out.pair = pairId;
      out.local = `${local.address ?? local.ip}:${local.port}`;
    }
    return out;
  });
}

// A request the page makes itself under its session (cookie and CSRF token), as the console would.
async function postFromPage(page, path, body) {
  return page.evaluate(async ({ path: p, body: b }) => {
    const session = await (await fetch('/api/v1/session')).json();
    const r = await fetch(p, { method: 'POST', body: JSON.stringify(b),
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token } });
    return { status: r.status, body: await r.json().catch(() => null) };
  }, { path, body });
}

before(async () => {
  fixture = await Fixture.start();
  browser = await launchPhoneBrowser('browser-phone-ice-restart');
});

after(async () => {
  await browser?.close();
  await fixture?.stop();
});

test('a network change mid-call restarts ICE: new credentials, the same keys, audio both ways throughout', async () => {
  const { url, passwords } = fixture.info;
  desk = await newPage(browser, problems);
  const rung = []; // call ids of the rings this desk's live feed carried
  desk.on('websocket', (ws) => ws.on('framereceived', ({ payload }) => {
    try {
      const e = JSON.parse(String(payload));
      if (e.type === 'call.ringing' && typeof e.data?.call === 'string') rung.push(e.data.call);
    } catch {
      // not an event
    }
  }));
  await trackPeerConnections(desk);
  await signIn(desk, url, 'demo.counsellor', passwords['demo.counsellor']);
  await desk.waitForURL(/\/desk$/);
  await answerInThisBrowser(desk);
  await becomeAvailable(desk);

  await fixture.send({ cmd: 'call', talk_ms: 120000, digit: '2', fill: FILL, pt: 8, scenario: 'caller_await_bye.xml' });
  await desk.getByText('Incoming call: answer in this browser').waitFor({ timeout: 20000 });
  // While it only rings, there is no call in this browser to re-offer on.
  const ringing = await waitFor('the ring on the live feed', async () => rung.at(-1) ?? null);
  const early = await postFromPage(desk, `/api/v1/session/phone/calls/${ringing}/offer`, { sdp: 'v=0' });
  assert.equal(early.status, 409, JSON.stringify(early.body));
  assert.equal(early.body.error.field, 'call');
  const first = await answerRingingCall(desk);
  const offerPath = first.url().replace(/\/answer$/, '/offer').replace(/^https?:\/\/[^/]+/, '');
  const firstOffer = JSON.parse(first.request().postData()).sdp;
  const firstAnswer = (await first.json()).sdp;
  const connected = desk.locator('[data-testid=browser-call-state][data-connection=connected][data-reconnecting=false]');
  await connected.waitFor({ timeout: 20000 });
  const beforeRestart = await waitFor('audio in the browser before the restart', async () => {
    const s = await browserStats(desk);
    return s.packets > 50 && s.level > 0 && s.local ? s : null;
  });
  const handshakes = await metric(desk, fixture, 'crisisline_browser_handshakes_total');
  const restarts = await metric(desk, fixture, 'crisisline_browser_ice_restarts_total');

  // The network changes: the console restarts ICE and re-offers.
  const reoffered = desk.waitForResponse((r) => r.url().endsWith('/offer'));
  await desk.evaluate(() => window.dispatchEvent(new Event('online')));
  const second = await reoffered;
  assert.equal(second.status(), 200, await second.text());
  const restartOffer = JSON.parse(second.request().postData()).sdp;
  const restartAnswer = (await second.json()).sdp;
  const field = (sdp, name) => sdp.match(new RegExp(`a=${name}:(\\S+)`))?.[1];
  assert.notEqual(field(restartOffer, 'ice-ufrag'), field(firstOffer, 'ice-ufrag'), 'the re-offer is no ICE restart');
  assert.notEqual(field(restartAnswer, 'ice-ufrag'), field(firstAnswer, 'ice-ufrag'));
  assert.notEqual(field(restartAnswer, 'ice-pwd'), field(firstAnswer, 'ice-pwd'));
  assert.equal(field(restartAnswer, 'fingerprint'), field(firstAnswer, 'fingerprint'));
  assert.match(restartAnswer, /a=setup:passive/);
  assert.equal(restartAnswer.match(/m=audio .*/)[0], firstAnswer.match(/m=audio .*/)[0]);
  await waitFor('the restart counted', async () =>
    (await metric(desk, fixture, 'crisisline_browser_ice_restarts_total')) === restarts + 1);

  // The same credentials again: the same answer, no second restart. A bad or changed offer: 400 naming sdp.
  const again = await postFromPage(desk, offerPath, { sdp: restartOffer });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.sdp, restartAnswer);
  const fp = field(restartOffer, 'fingerprint') === 'sha-256' ? restartOffer.match(/a=fingerprint:sha-256 (\S+)/)[1] : '';
  assert.ok(fp, 'no sha-256 fingerprint in the re-offer');
  const otherFp = fp.replace(/^../, fp.startsWith('AA') ? 'BB' : 'AA');
  const changedCertificate = await postFromPage(desk, offerPath, { sdp: restartOffer.replace(fp, otherFp) });
  assert.equal(changedCertificate.status, 400, JSON.stringify(changedCertificate.body));
  assert.equal(changedCertificate.body.error.field, 'sdp');
  assert.match(changedCertificate.body.error.message, /fingerprint changed/);
  const notSdp = await postFromPage(desk, offerPath, { sdp: 'v=0' });
  assert.equal(notSdp.status, 400);
  assert.equal(notSdp.body.error.field, 'sdp');
  const noSuchCall = await postFromPage(desk, offerPath.replace(/calls\/[^/]+/, 'calls/ct_nosuchcall'), { sdp: restartOffer });
  assert.equal(noSuchCall.status, 404, JSON.stringify(noSuchCall.body));

  // The browser nominates a pair of the new generation, and the media follows it.
  const moved = await waitFor('a new candidate pair selected', async () => {
    const s = await browserStats(desk);
    return s.pair && s.pair !== beforeRestart.pair ? s : null;
  });
  console.log(`selected pair: ${beforeRestart.local} before the restart, ${moved.local} after`);
  await connected.waitFor({ timeout: 20000 });

  // Audio keeps flowing both ways on it: the browser receives, the caller hears the browser's tone.
  await waitFor('audio in the browser after the restart', async () => {
    const s = await browserStats(desk);
    return s.packets >= moved.packets + 100 && s.pair === moved.pair ? s : null;
  });
  const callerBefore = await fixture.send({ cmd: 'caller_stats' });
  const callerAfter = await waitFor('the browser\'s audio at the caller after the restart', async () => {
    const s = await fixture.send({ cmd: 'caller_stats' });
    return s.received_audio - callerBefore.received_audio >= 100 ? s : null;
  });
  const toneBytes = Object.keys(callerAfter.by_first_byte).filter((b) => ![0xd5, 0x55, 0xff, 0x7f].includes(Number(b)));
  assert.ok(toneBytes.length > 5, `the caller heard only silence: ${JSON.stringify(callerAfter.by_first_byte)}`);
  assert.equal(await metric(desk, fixture, 'crisisline_browser_handshakes_total'), handshakes, 'the restart made a new DTLS handshake');
  await screenshot(desk, 'browser-phone-ice-restart-01-after');

  // The old credentials are refused now, and counted as wrong credentials; the new ones are answered.
  const port = Number(restartAnswer.match(/m=audio (\d+)/)[1]);
  const sock = dgram.createSocket('udp4');
  await new Promise((r) => sock.bind(0, '127.0.0.1', r));
  sock.unref();
  const replies = [];
  sock.on('message', (m) => replies.push(m));
  const wrongBefore = await metric(desk, fixture, 'crisisline_browser_media_dropped_total', 'stun_wrong_credentials');
  sock.send(stunBindingRequest(`${field(firstAnswer, 'ice-ufrag')}:${field(firstOffer, 'ice-ufrag')}`,
    field(firstAnswer, 'ice-pwd')), port, '127.0.0.1');
  await waitFor('the old credentials refused and counted', async () =>
    (await metric(desk, fixture, 'crisisline_browser_media_dropped_total', 'stun_wrong_credentials')) > wrongBefore);
  assert.equal(replies.length, 0, 'a check with the old credentials was answered');
  sock.send(stunBindingRequest(`${field(restartAnswer, 'ice-ufrag')}:${field(restartOffer, 'ice-ufrag')}`,
    field(restartAnswer, 'ice-pwd')), port, '127.0.0.1');
  await waitFor('a binding success response to the new credentials', async () =>
    replies.some((m) => m.readUInt16BE(0) === 0x0101));
  sock.close();

  // The caller was never re-queued, and the call ends cleanly.
  assert.equal(await desk.getByText('Your connection to the caller was lost').count(), 0);
  await desk.getByRole('button', { name: 'Hang up' }).click();
  const ended = await fixture.send({ cmd: 'wait_call', timeout: 30 });
  assert.ok(ended.ok, ended.explain);
  await desk.getByTestId('my-state').filter({ hasText: 'Wrap-up' }).waitFor({ timeout: 10000 });
  // The call is over: nothing to re-offer on.
  const over = await postFromPage(desk, offerPath, { sdp: restartOffer });
  assert.equal(over.status, 404, JSON.stringify(over.body));
  assert.equal(await metric(desk, fixture, 'crisisline_browser_ice_restarts_total'), restarts + 1);
  assert.deepEqual(problems, []);
});
