// The browser phone through TURN (issue 12): crisisline's `[turn]` names a real coturn on loopback with
// `relay_only = true`, the console takes its ICE servers (a fresh credential) from GET /api/v1/session/ice-servers,
// and a carrier call answered in Debian's Chromium carries audio both ways with the browser's selected candidate
// pair on a relay candidate (getStats()).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { answerInThisBrowser, answerRingingCall, becomeAvailable, Fixture, launchPhoneBrowser, newPage, screenshot, signIn,
  soundsHeard, waitFor } from './lib.mjs';

let fixture;
let browser;
const problems = [];

before(async () => {
  fixture = await Fixture.start({ turn: true });
  browser = await launchPhoneBrowser('browser-phone-turn');
});

after(async () => {
  await browser?.close();
  await fixture?.stop();
});

test('a call answered in the browser with media forced through coturn: relay candidates, audio both ways', async () => {
  const { url, passwords } = fixture.info;
  const desk = await newPage(browser, problems);
  await desk.addInitScript(() => {
    const Original = window.RTCPeerConnection;
    window.__connections = [];
    window.__configs = [];
    window.RTCPeerConnection = class extends Original {
      constructor(config, ...rest) {
        super(config, ...rest);
        window.__configs.push(JSON.parse(JSON.stringify(config ?? {})));
        window.__connections.push(this);
      }
    };
  });
  await signIn(desk, url, 'demo.counsellor', passwords['demo.counsellor']);
  await desk.waitForURL(/\/desk$/);
  await answerInThisBrowser(desk);
  await becomeAvailable(desk);

  await fixture.send({ cmd: 'call', talk_ms: 120000, digit: '2', fill: 0x5a, pt: 8, scenario: 'caller_await_bye.xml' });
  await answerRingingCall(desk, { connectTimeout: 30000 });

  // The console used the server's ICE servers, relay only.
  const [config] = await desk.evaluate(() => window.__configs);
  assert.equal(config.iceTransportPolicy, 'relay');
  assert.equal(config.iceServers.length, 1);
  assert.match(config.iceServers[0].urls[0], /^turn:127\.0\.0\.1:\d+/);
  assert.match(config.iceServers[0].username, /^\d+:st_/);

  // The selected pair's local candidate is coturn's relay, and the caller's audio arrives over it.
  const stats = await waitFor('audio over the relay', async () => {
    const s = await desk.evaluate(async () => {
      const report = await window.__connections.at(-1).getStats();
      const byId = new Map();
      report.forEach((r) => byId.set(r.id, r));
      let pair = null;
      let packets = 0;
      report.forEach((r) => {
        if (r.type === 'transport' && r.selectedCandidatePairId) pair = byId.get(r.selectedCandidatePairId);
        if (r.type === 'inbound-rtp' && r.kind === 'audio') packets = r.packetsReceived;
      });
      const local = pair ? byId.get(pair.localCandidateId) : null;
      const candidates = [];
      report.forEach((r) => {
        if (r.type === 'local-candidate') candidates.push(r.candidateType);
      });
      return { local: local?.candidateType ?? null, packets, candidates };
    });
    return s.local && s.packets > 50 ? s : null;
  });
  console.log(`selected local candidate: ${stats.local}; local candidates: ${stats.candidates.join(',')}; ${stats.packets} packets in`);
  assert.equal(stats.local, 'relay');
  assert.ok(stats.candidates.every((t) => t === 'relay'), `non-relay candidates gathered: ${stats.candidates}`);
  // And the browser's tone reaches the caller through coturn and the relay.
  await waitFor('the browser\'s audio at the caller', async () => {
    return soundsHeard(await fixture.send({ cmd: 'caller_stats' })) > 50;
  });
  await screenshot(desk, 'browser-phone-turn-01-connected');
  await desk.getByRole('button', { name: 'Hang up' }).click();
  const ended = await fixture.send({ cmd: 'wait_call', timeout: 30 });
  assert.ok(ended.ok, ended.explain);
  assert.deepEqual(problems, []);
});
