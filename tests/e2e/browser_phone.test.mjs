// A call answered in the browser (issue 12): a SIPp carrier call whose audio is a known byte pattern is
// answered in Debian's Chromium, headless, with a fake microphone playing a tone. Audio flows both ways
// through the server's relay (the browser's getStats(), the caller's RTP endpoint), the browser leg on the
// wire (a loopback capture of the media ports) never carries the caller's pattern in clear while the plain
// caller leg does, and forged STUN and tampered SRTP sent at the server's port are dropped and counted. The
// desk's level meter moves with the fake tone, the call-quality badge shows a grade from getStats(), and the
// supervisor's wallboard (and /api/v1/live) shows that the counsellor answers in the browser, with that grade.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { answerInThisBrowser, answerRingingCall, artifacts, becomeAvailable, expectAccessible, Fixture, inboundAudio,
  launchPhoneBrowser, metric, newPage, screenshot, signIn, stunBindingRequest, trackPeerConnections, waitFor } from './lib.mjs';

const FILL = 0x5a; // every byte of the caller's audio payloads
const PATTERN = Buffer.alloc(24, FILL);

let fixture;
let browser;
let capture;
const problems = [];
const pcapPath = join(artifacts, 'browser-phone.pcap');

// ---- the capture: pcap (not pcapng) from dumpcap on loopback ----
function udpPackets(path) {
  const buf = readFileSync(path);
  const out = [];
  const linkType = buf.readUInt32LE(20);
  let at = 24;
  while (at + 16 <= buf.length) {
    const incl = buf.readUInt32LE(at + 8);
    const frame = buf.subarray(at + 16, at + 16 + incl);
    at += 16 + incl;
    const ip = linkType === 1 ? frame.subarray(14) : linkType === 113 ? frame.subarray(16) : frame;
    if (ip.length < 28 || ip[0] >> 4 !== 4 || ip[9] !== 17) continue;
    const udp = ip.subarray((ip[0] & 15) * 4);
    out.push({ src: udp.readUInt16BE(0), dst: udp.readUInt16BE(2), payload: udp.subarray(8, udp.readUInt16BE(4)) });
  }
  return out;
}

before(async () => {
  // Forged nominations below move the media away from the browser for moments: allow its side 20 s of silence.
  fixture = await Fixture.start({ rtpTimeoutS: 20, counsellorMediaTimeoutS: 20 });
  browser = await launchPhoneBrowser('browser-phone');
  const [lo, hi] = fixture.info.rtp_ports;
  capture = spawn('dumpcap', ['-P', '-i', 'lo', '-f', `udp portrange ${lo}-${hi}`, '-w', pcapPath],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  // dumpcap says so on stderr once it captures.
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('dumpcap did not start capturing')), 20000);
    createInterface({ input: capture.stderr }).on('line', (line) => {
      if (/Capturing on/.test(line)) {
        clearTimeout(t);
        resolve();
      }
    });
    capture.on('exit', (code) => reject(new Error(`dumpcap exited ${code}`)));
  });
});

after(async () => {
  if (capture && capture.exitCode === null) capture.kill('SIGTERM');
  await browser?.close();
  await fixture?.stop();
});

test('a carrier call answered in the browser: audio both ways, SRTP on the wire, forged packets dropped', async () => {
  const { url, passwords } = fixture.info;
  const desk = await newPage(browser, problems);
  await trackPeerConnections(desk);  // for getStats()
  await signIn(desk, url, 'demo.counsellor', passwords['demo.counsellor']);
  await desk.waitForURL(/\/desk$/);

  // The microphone is checked, then this tab holds the phone; the counsellor says they are ready.
  await answerInThisBrowser(desk);
  // The microphone: the fake devices are listed to choose from, and the fake tone moves the level meter.
  assert.ok((await desk.getByRole('combobox', { name: 'Microphone' }).locator('option').count()) >= 1);
  const meter = desk.getByRole('meter', { name: 'Microphone level' });
  const level = await waitFor('the microphone level above 0', async () => {
    const v = Number(await meter.getAttribute('aria-valuenow'));
    return v > 0 ? v : null;
  });
  console.log(`microphone level meter: ${level} of 100 (${await meter.getAttribute('aria-valuetext')})`);
  // A supervisor's wallboard, open before the call.
  const board = await newPage(browser, problems);
  await signIn(board, url, 'demo.supervisor', passwords['demo.supervisor']);
  await board.goto(`${url}/wallboard`);
  await board.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();
  await becomeAvailable(desk);
  await desk.getByText('Phone connected.').waitFor();

  const placed = await fixture.send({ cmd: 'call', talk_ms: 120000, digit: '2', fill: FILL, pt: 8,
    scenario: 'caller_await_bye.xml' });
  const callerPort = placed.rtp_port;
  await desk.getByText('Incoming call: answer in this browser').waitFor({ timeout: 20000 });
  await screenshot(desk, 'browser-phone-01-ringing');
  const answer = desk.getByRole('button', { name: 'Answer', exact: true });
  await answer.waitFor();
  assert.equal(await answer.evaluate((b) => b === document.activeElement), true, 'the focus is on Answer');
  const response = await answerRingingCall(desk);
  const offerSdp = JSON.parse(response.request().postData()).sdp;
  const answerSdp = (await response.json()).sdp;
  assert.match(answerSdp, /a=ice-lite/);
  assert.match(answerSdp, /a=setup:passive/);
  assert.match(answerSdp, /a=fingerprint:sha-256 /);

  // The caller's audio reaches the browser: packets, and a level (the pattern decodes to a steady sound).
  const inbound = await waitFor('audio in the browser', async () => {
    const s = await inboundAudio(desk);
    return s && s.packets > 50 && s.level > 0 ? s : null;
  });
  console.log(`browser inbound-rtp: ${inbound.packets} packets, audio level ${inbound.level}`);

  // The browser's tone reaches the caller through the relay (after the bridge nothing else is sent to them).
  const before = await fixture.send({ cmd: 'caller_stats' });
  const afterStats = await waitFor('the browser\'s audio at the caller', async () => {
    const s = await fixture.send({ cmd: 'caller_stats' });
    return s.received_audio - before.received_audio >= 50 ? s : null;
  });
  const toneBytes = Object.keys(afterStats.by_first_byte).filter((b) => ![0xd5, 0x55, 0xff, 0x7f].includes(Number(b)));
  assert.ok(toneBytes.length > 5, `the caller heard only silence: ${JSON.stringify(afterStats.by_first_byte)}`);

  // The call-quality badge grades what getStats() says, in words; the console reports it, and the supervisor
  // sees it: on the wallboard's counsellor row and in /api/v1/live (before the forged packets below).
  const graded = ':is([data-grade=good], [data-grade=fair], [data-grade=poor])';
  const badge = desk.locator(`[data-testid=browser-call-quality]${graded}`);
  await badge.waitFor({ timeout: 15000 });
  const grade = await badge.getAttribute('data-grade');
  assert.match(await badge.textContent(), /Call quality: (Good|Fair|Poor)/);
  const callId = decodeURIComponent(response.url().match(/\/calls\/([^/]+)\/answer$/)[1]);
  const onBoard = board.locator(`[data-testid^=quality-]${graded}`);
  await onBoard.waitFor({ timeout: 15000 });
  assert.match(await onBoard.textContent(), /^(Good|Fair|Poor) \(lost \d+\.\d %, jitter \d+ ms/);
  assert.match(await board.locator('tr', { has: onBoard }).textContent(), /Ready \(browser\)/);
  const seen = await waitFor('the quality in the supervisor\'s /api/v1/live', async () => {
    const live = await board.evaluate(async () => (await fetch('/api/v1/live')).json());
    return live.counsellors.find((c) => c.browser_phone && c.call_quality?.call === callId) ?? null;
  });
  assert.ok(['good', 'fair', 'poor'].includes(seen.call_quality.grade), JSON.stringify(seen));
  assert.equal(typeof seen.call_quality.loss_percent, 'number');
  console.log(`call quality: the desk says ${grade}; the supervisor's live picture ${JSON.stringify(seen.call_quality)}`);
  // The meter, the microphone choice, the badge and the wallboard's quality column pass axe-core.
  await expectAccessible(desk, 'browser-phone-03-quality');
  await expectAccessible(board, 'browser-phone-04-wallboard-quality');
  await screenshot(desk, 'browser-phone-02-connected');

  // Forged STUN at the browser leg's port: the right username, the wrong password: dropped, counted, unanswered.
  const serverUfrag = answerSdp.match(/a=ice-ufrag:(\S+)/)[1];
  const serverPwd = answerSdp.match(/a=ice-pwd:(\S+)/)[1];
  const port = Number(answerSdp.match(/m=audio (\d+)/)[1]);
  const browserUfrag = offerSdp.match(/a=ice-ufrag:(\S+)/)[1];
  const sock = dgram.createSocket('udp4');
  await new Promise((r) => sock.bind(0, '127.0.0.1', r));
  sock.unref(); // a failed assertion must not leave the test process waiting on it
  const replies = [];
  sock.on('message', (m) => replies.push(m));
  const wrongBefore = await metric(desk, fixture, 'crisisline_browser_media_dropped_total', 'stun_wrong_credentials');
  sock.send(stunBindingRequest(`${serverUfrag}:${browserUfrag}`, 'not-the-password-of-this-leg', false), port, '127.0.0.1');
  await waitFor('the wrong-credentials drop counted', async () =>
    (await metric(desk, fixture, 'crisisline_browser_media_dropped_total', 'stun_wrong_credentials')) > wrongBefore);
  assert.equal(replies.length, 0, 'a check with the wrong password was answered');
  // The same check with the leg's password is answered (so the silence above was the credentials' doing).
  sock.send(stunBindingRequest(`${serverUfrag}:${browserUfrag}`, serverPwd, false), port, '127.0.0.1');
  await waitFor('a binding success response', async () => replies.some((m) => m.readUInt16BE(0) === 0x0101));

  // Tampered SRTP from an address that passed a nominating check: refused by SRTP authentication, counted,
  // and never relayed to the caller (their endpoint never sees a payload of that byte throughout). The browser's own
  // nominating checks move the media back to it, so each burst follows a check of ours at once.
  const authBefore = await metric(desk, fixture, 'crisisline_browser_media_dropped_total', 'srtp_auth');
  let seq = 40000;
  await waitFor('the SRTP drops counted', async () => {
    sock.send(stunBindingRequest(`${serverUfrag}:${browserUfrag}`, serverPwd, true), port, '127.0.0.1');
    for (let i = 0; i < 5; i += 1, seq += 1) {
      const rtp = Buffer.alloc(12 + 160 + 10, 0x77);
      rtp.writeUInt8(0x80, 0);
      rtp.writeUInt8(8, 1);
      rtp.writeUInt16BE(seq, 2);
      rtp.writeUInt32BE(160 * seq, 4);
      rtp.writeUInt32BE(0xabcdef01, 8);
      sock.send(rtp, port, '127.0.0.1');
    }
    return (await metric(desk, fixture, 'crisisline_browser_media_dropped_total', 'srtp_auth')) >= authBefore + 10;
  });
  const callerNow = await fixture.send({ cmd: 'caller_stats' });
  // (A tone's packet may start with that byte; only the forged ones are that byte throughout.)
  assert.equal(callerNow.uniform[String(0x77)] ?? 0, 0, 'tampered SRTP reached the caller');
  sock.close();
  assert.ok((await metric(desk, fixture, 'crisisline_browser_handshakes_total')) >= 1);

  // The counsellor hangs up in the browser: the caller gets the server's BYE; the desk goes to wrap-up.
  await desk.getByRole('button', { name: 'Hang up' }).click();
  const ended = await fixture.send({ cmd: 'wait_call', timeout: 30 });
  assert.ok(ended.ok, ended.explain);
  await desk.getByTestId('my-state').filter({ hasText: 'Wrap-up' }).waitFor({ timeout: 10000 });

  // On the wire: the plain caller leg carries the pattern (so the capture would show it), the browser leg never.
  capture.kill('SIGTERM');
  await new Promise((r) => (capture.exitCode !== null ? r() : capture.on('exit', r)));
  const packets = udpPackets(pcapPath);
  const [lo, hi] = fixture.info.rtp_ports;
  const serverSide = (p) => p >= lo && p <= hi;
  const callerLeg = packets.filter((p) => p.src === callerPort || p.dst === callerPort);
  const browserLeg = packets.filter((p) => p.src !== callerPort && p.dst !== callerPort
    && !(serverSide(p.src) && serverSide(p.dst)) && (serverSide(p.src) || serverSide(p.dst)));
  const toBrowser = browserLeg.filter((p) => serverSide(p.src) && p.payload.length > 100 && p.payload[0] >> 6 === 2);
  const clearCaller = callerLeg.filter((p) => p.payload.includes(PATTERN)).length;
  console.log(`capture: ${callerLeg.length} caller-leg packets (${clearCaller} with the pattern in clear), `
    + `${browserLeg.length} browser-leg packets (${toBrowser.length} SRTP to the browser)`);
  assert.ok(clearCaller > 50, 'the capture did not see the caller\'s pattern on the plain leg: it proves nothing');
  assert.ok(toBrowser.length > 50, 'the capture saw no media going to the browser');
  const leaked = browserLeg.filter((p) => p.payload.includes(PATTERN) && !(p.payload[0] === 0x80 && p.payload.readUInt32BE(8) === 0xabcdef01));
  assert.equal(leaked.length, 0, `${leaked.length} browser-leg packets carry the caller's audio in clear`);
  assert.deepEqual(problems, []);
});
