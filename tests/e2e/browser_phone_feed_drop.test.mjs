// Never lose the caller because of the counsellor's connection (issue 12), the other way round from
// browser_phone_requeue: in Debian's Chromium against the real server with a real SIPp caller, the console's live
// feed drops mid-call (its WebSocket closes and cannot come back for a while) while the call's audio goes on. A
// closed tab would be interrupted after the 5 s grace; a tab whose audio still arrives is a blip on the feed's
// connection, so the call goes on with audio both ways, and the feed comes back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { answerInThisBrowser, answerRingingCall, becomeAvailable, Fixture, inboundAudio, launchPhoneBrowser, metric, newPage,
  signIn, soundsHeard, trackPeerConnections, waitFor } from './lib.mjs';

const FILL = 0x5a; // every byte of the caller's audio payloads

let fixture;
let browser;
const problems = [];

before(async () => {
  fixture = await Fixture.start();
  browser = await launchPhoneBrowser('browser-phone-feed-drop');
});

after(async () => {
  await browser?.close();
  await fixture?.stop();
});

test('the live feed dropping mid-call while the audio goes on keeps the call', async () => {
  const { url, passwords } = fixture.info;
  const desk = await newPage(browser, problems);
  await trackPeerConnections(desk);
  await desk.addInitScript(() => {
    // The feed's WebSocket, with a switch that sends its reconnects to a path that does not exist (404).
    const OriginalWs = window.WebSocket;
    window.__sockets = [];
    window.__blockFeed = false;
    window.WebSocket = class extends OriginalWs {
      constructor(address, protocols) {
        super(window.__blockFeed ? String(address).replace('/api/v1/events', '/api/v1/no-feed-here') : address, protocols);
        window.__sockets.push(this);
      }
    };
  });
  await signIn(desk, url, 'demo.counsellor', passwords['demo.counsellor']);
  await desk.goto(`${url}/desk`);
  await answerInThisBrowser(desk);
  await becomeAvailable(desk);
  await fixture.send({ cmd: 'call', talk_ms: 180000, digit: '2', fill: FILL, pt: 8 });
  await answerRingingCall(desk);
  await waitFor('the caller\'s audio in the browser', async () => (await inboundAudio(desk))?.packets > 50);
  await waitFor('the counsellor at the caller', async () => soundsHeard(await fixture.send({ cmd: 'caller_stats' })) > 50);

  const kept = await metric(desk, fixture, 'crisisline_browser_feed_drops_kept_total');
  const interrupted = await metric(desk, fixture, 'crisisline_calls_interrupted_total');
  // The feed drops and cannot come back; the media goes on.
  await desk.evaluate(() => {
    window.__blockFeed = true;
    window.__sockets.filter((s) => s.url.includes('/api/v1/events')).forEach((s) => s.close());
  });
  await desk.getByTestId('feed-status').filter({ hasNotText: 'Live' }).waitFor({ timeout: 10000 });
  // Past the 5 s grace the server finds the call's audio still arriving and keeps the call.
  await waitFor('the server to keep the call', async () => (await metric(desk, fixture, 'crisisline_browser_feed_drops_kept_total')) === kept + 1, 30000);
  assert.equal(await metric(desk, fixture, 'crisisline_calls_interrupted_total'), interrupted, 'the call was interrupted');
  // Audio both ways still, after the grace.
  const inbound = (await inboundAudio(desk)).packets;
  const heard = soundsHeard(await fixture.send({ cmd: 'caller_stats' }));
  await waitFor('more of the caller in the browser', async () => (await inboundAudio(desk)).packets > inbound + 100);
  await waitFor('more of the counsellor at the caller', async () => soundsHeard(await fixture.send({ cmd: 'caller_stats' })) > heard + 100);
  // The feed comes back; the call is still the counsellor's.
  await desk.evaluate(() => { window.__blockFeed = false; });
  await desk.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor({ timeout: 30000 });
  const live = await desk.evaluate(() => fetch('/api/v1/live').then((r) => r.json()));
  assert.equal(live.me.state, 'on_call', JSON.stringify(live.me));
  assert.equal(await metric(desk, fixture, 'crisisline_calls_interrupted_total'), interrupted);
  await desk.getByRole('button', { name: 'Hang up' }).click();
  await desk.getByTestId('my-state').filter({ hasText: 'Wrap-up' }).waitFor({ timeout: 10000 });
  const ok = problems.filter((p) => !/no-feed-here|WebSocket connection/.test(p));
  assert.deepEqual(ok, []);
});
