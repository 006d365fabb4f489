// The browser phone in Firefox (issue 12: "signs in as the demo counsellor in Chromium or Firefox"): Debian's
// firefox-esr, headless, driven over WebDriver BiDi, signs in as the demo counsellor, chooses "Answer in this
// browser", and answers a SIPp carrier call. Audio flows both ways through the server's relay: the page's
// getStats() counts the caller's packets, and the caller's RTP endpoint receives Firefox's fake microphone (a
// tone, not silence). Hanging up in the browser sends the caller the server's BYE.
//
// Driver: playwright-core 1.65 (the Chromium suites' driver) sends Firefox a BiDi command that ESR 153 does not
// know (emulation.setMediaFeaturesOverride), so no page opens; playwright-core 1.55's BiDi Firefox launcher
// (`_bidiFirefox`, installed as the npm alias playwright-core-firefox) works with it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Fixture, inboundAudio, root, screenshot, signIn, trackPeerConnections, waitFor } from './lib.mjs';

const requireWeb = createRequire(join(root, 'web', 'package.json'));
const firefox = requireWeb('playwright-core-firefox')._bidiFirefox;
const executablePath = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
const FILL = 0x5a;
const SILENCE = [0xd5, 0x55, 0xff, 0x7f]; // PCMA and PCMU silence

let fixture;
let browser;
const problems = [];

before(async () => {
  assert.ok(existsSync(executablePath), `${executablePath} is missing: scripts/bootstrap installs firefox-esr`);
  // Firefox gathers no candidate on 127.0.0.1 (media.peerconnection.ice.loopback notwithstanding), and nothing
  // from its own address reaches a loopback one: the server's media goes on this machine's own address.
  const own = Object.values(networkInterfaces()).flat().find((a) => a.family === 'IPv4' && !a.internal);
  assert.ok(own, 'this machine has no IPv4 address but loopback, and Firefox gathers no loopback candidate');
  fixture = await Fixture.start({ mediaAddress: own.address });
  browser = await firefox.launch({
    executablePath,
    headless: true,
    firefoxUserPrefs: {
      'media.navigator.streams.fake': true,             // a fake microphone (a tone) ...
      'media.navigator.permission.disabled': true,      // ... granted without a prompt
      'media.peerconnection.ice.obfuscate_host_addresses': false,
      'media.autoplay.default': 0,                      // the caller's audio plays without a gesture
      'media.autoplay.blocking_policy': 0,
      // No sound server here: without a stand-in audio device Firefox's media graph stays silent (the fake tone
      // is never produced, an AudioContext never runs, and resuming one ends the browser).
      'media.cubeb.force_mock_context': true,
    },
  });
});

after(async () => {
  await browser?.close();
  await fixture?.stop();
});

test('Firefox answers a carrier call in the browser, with audio both ways', async () => {
  const { url, passwords } = fixture.info;
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const desk = await context.newPage();
  desk.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await trackPeerConnections(desk);
  await signIn(desk, url, 'demo.counsellor', passwords['demo.counsellor']);
  await desk.waitForURL(/\/desk$/);
  await desk.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();
  assert.match(await desk.evaluate(() => navigator.userAgent), /Firefox\//);

  await desk.getByRole('button', { name: 'Answer in this browser' }).click();
  await desk.getByText('Calls ring in this browser').waitFor({ timeout: 15000 });
  await desk.getByRole('group', { name: 'Set my status' }).getByRole('button', { name: 'Available' }).click();
  await desk.getByTestId('my-state').filter({ hasText: 'Available' }).waitFor({ timeout: 10000 });
  await desk.getByText('Phone connected.').waitFor();

  await fixture.send({ cmd: 'call', talk_ms: 120000, digit: '2', fill: FILL, pt: 8, scenario: 'caller_await_bye.xml' });
  await desk.getByText('Incoming call: answer in this browser').waitFor({ timeout: 20000 });
  const answered = desk.waitForResponse((r) => r.url().endsWith('/answer'));
  await desk.getByRole('button', { name: 'Answer', exact: true }).click();
  const response = await answered;
  assert.equal(response.status(), 200); // (BiDi gives no response bodies: the answer is read from the page below)
  await desk.locator('[data-testid=browser-call-state][data-connection=connected]').waitFor({ timeout: 20000 });
  // The server's answer as Firefox took it: ICE-lite, DTLS passive, its certificate's fingerprint.
  const answerSdp = await desk.evaluate(() => window.__connections.at(-1).remoteDescription.sdp);
  assert.match(answerSdp, /a=ice-lite/);
  assert.match(answerSdp, /a=setup:passive/);
  assert.match(answerSdp, /a=fingerprint:sha-256 /);

  // The caller's audio reaches Firefox (its getStats() inbound-rtp audio packets).
  const inbound = await waitFor('the caller\'s audio in Firefox', async () => {
    const s = await inboundAudio(desk);
    return s && s.packets > 50 ? s : null;
  });
  console.log(`firefox inbound-rtp: ${inbound.packets} packets`);
  // Firefox's fake microphone reaches the caller through the relay: a 1 kHz tone, i.e. packets that are neither
  // silence nor one byte throughout (at 8 kHz each 20 ms packet holds 20 whole periods, so they all begin alike).
  const tonePackets = (s) => Object.entries(s.by_first_byte)
    .filter(([b]) => !SILENCE.includes(Number(b)))
    .reduce((n, [b, count]) => n + count - (s.uniform[b] ?? 0), 0);
  const start = tonePackets(await fixture.send({ cmd: 'caller_stats' }));
  const heard = await waitFor('Firefox\'s tone at the caller', async () => {
    const s = await fixture.send({ cmd: 'caller_stats' });
    return tonePackets(s) - start >= 50 ? s : null;
  });
  console.log(`the caller received ${heard.received_audio} packets: ${JSON.stringify(heard.by_first_byte)}`);
  await screenshot(desk, 'browser-phone-firefox-connected');

  await desk.getByRole('button', { name: 'Hang up' }).click();
  const ended = await fixture.send({ cmd: 'wait_call', timeout: 30 });
  assert.ok(ended.ok, ended.explain);
  await desk.getByTestId('my-state').filter({ hasText: 'Wrap-up' }).waitFor({ timeout: 10000 });
  assert.deepEqual(problems, []);
});
