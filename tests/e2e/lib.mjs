// Shared pieces of the browser tests: the fixture process (crisisline + SIPp, tests/e2e/fixture.py),
// Debian's Chromium through playwright-core, TOTP codes, axe-core and screenshots.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '..', '..');
// The console's packages (playwright-core, axe-core) live in web/node_modules.
const requireWeb = createRequire(join(root, 'web', 'package.json'));
export const { chromium } = requireWeb('playwright-core');
const axeSource = readFileSync(requireWeb.resolve('axe-core/axe.min.js'), 'utf8');

export const artifacts = process.env.E2E_ARTIFACTS ?? join(root, 'web', 'e2e-artifacts');
mkdirSync(artifacts, { recursive: true });

// E2E_HTTPS=1 runs every suite's console over HTTPS: the fixture's server gets a certificate from a test CA
// made for the run, and the browser trusts exactly that certificate's key (Chromium's
// --ignore-certificate-errors-spki-list), so the page is a secure origin with HSTS, Secure cookies and wss.
export const https = process.env.E2E_HTTPS === '1';
// The public-key hashes of the fixtures' certificates, for launchBrowser (start the fixture first).
const trustedSpki = [];

// crisisline and its SIPp peers, driven over JSON lines.
export class Fixture {
  // `rtpTimeoutS`: how long the server lets the caller's leg stay silent before it ends the call (default 30);
  // `counsellorMediaTimeoutS`: how long a counsellor's side may before the caller is requeued (default 10).
  // `turn`: a real coturn, and the browser phone's media only through it ([turn] relay_only).
  // `mediaAddress`: the server's media and ICE address (default 127.0.0.1).
  static async start({ rtpTimeoutS, counsellorMediaTimeoutS, turn, mediaAddress } = {}) {
    const dist = process.env.CONSOLE_DIST ?? join(root, 'web', 'dist');
    const args = [join(here, 'fixture.py'), dist];
    if (rtpTimeoutS) args.push('--rtp-timeout-s', String(rtpTimeoutS));
    if (counsellorMediaTimeoutS) args.push('--counsellor-media-timeout-s', String(counsellorMediaTimeoutS));
    if (turn) args.push('--turn');
    if (mediaAddress) args.push('--media-address', mediaAddress);
    if (https) args.push('--https');
    const proc = spawn('python3', args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const f = new Fixture(proc);
    // A fixture that dies before its ready line fails the test instead of leaving it waiting.
    f.info = await Promise.race([f.next(), new Promise((_, reject) => {
      proc.on('exit', (code) => reject(new Error(`the fixture exited (${code}) before it was ready`)));
    })]);
    if (!f.info.ready) throw new Error(`fixture did not start: ${JSON.stringify(f.info)}`);
    if (https) {
      assert.ok(f.info.url.startsWith('https://'), f.info.url);
      trustedSpki.push(f.info.spki);
    }
    return f;
  }

  constructor(proc) {
    this.proc = proc;
    this.waiting = [];
    this.lines = [];
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const value = JSON.parse(line);
      const w = this.waiting.shift();
      if (w) w(value);
      else this.lines.push(value);
    });
  }

  next() {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    return new Promise((res) => this.waiting.push(res));
  }

  async send(cmd) {
    this.proc.stdin.write(`${JSON.stringify(cmd)}\n`);
    const answer = await this.next();
    if (answer.error) throw new Error(`fixture ${cmd.cmd}: ${answer.error}`);
    return answer;
  }

  async stop() {
    try {
      this.proc.stdin.write('{"cmd":"quit"}\n');
    } catch {
      /* already gone */
    }
    await new Promise((res) => {
      const t = setTimeout(() => {
        this.proc.kill('SIGTERM');
        res();
      }, 20000);
      this.proc.on('exit', () => {
        clearTimeout(t);
        res();
      });
    });
  }
}

// crisisline alone, started as `make run` starts it (init --demo --demo-history, the built console, no SIP), on a
// free loopback port with a data folder of its own: for the pages that need no phones. `url` is the console's,
// `passwords` the demo users' (by username) that init printed.
export class DemoServer {
  // `name` names the data folder (crisisline-e2e-NAME-...). Resolves once /healthz answers 200 (30 s at most).
  static async start(name) {
    const binary = process.env.CRISISLINE_BINARY ?? join(root, 'build', 'apps', 'crisisline', 'crisisline');
    const dist = process.env.CONSOLE_DIST ?? join(root, 'web', 'dist');
    const s = new DemoServer();
    s.dataDir = mkdtempSync(join(tmpdir(), `crisisline-e2e-${name}-`));
    let out;
    try {
      out = execFileSync(binary, ['--data', s.dataDir, 'init', '--demo', '--demo-history'], { encoding: 'utf8' });
    } catch (e) {
      await s.stop();
      throw e;
    }
    s.passwords = Object.fromEntries([...out.matchAll(/^\s+(demo\.\w+)\s+.*password: (\S+)$/gm)].map((m) => [m[1], m[2]]));
    const port = await freePort();
    s.url = `http://127.0.0.1:${port}`;
    s.proc = spawn(binary, ['--data', s.dataDir, 'serve', '--listen', `127.0.0.1:${port}`, '--sip-listen', 'off',
      '--static', dist], { stdio: 'ignore' });
    try {
      await waitFor('the server to become ready', async () => {
        try {
          return (await fetch(`${s.url}/healthz`)).status === 200;
        } catch {
          return false;  // not listening yet
        }
      });
    } catch (e) {
      await s.stop();  // a server that never became ready leaves no process or folder behind
      throw e;
    }
    return s;
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      await new Promise((r) => this.proc.once('exit', r));
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

// `extraArgs`: more Chromium switches (the browser phone's test gives it a fake microphone).
export async function launchBrowser(extraArgs = []) {
  // launch() gives Chromium a fresh, empty profile directory of its own each time.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...(trustedSpki.length ? [`--ignore-certificate-errors-spki-list=${trustedSpki.join(',')}`] : []),
      ...extraArgs,
    ],
  });
  return browser;
}

// A page that fails the test on any CSP violation or uncaught error. `options` overrides the browser context's
// options (a viewport of 320 px, or 640 x 400 at a device scale of 2 for 1280 x 800 at 200 % zoom).
export async function newPage(browser, problems, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, ...options });
  const page = await context.newPage();
  page.on('console', (m) => {
    const text = m.text();
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  if (https) {
    // Over HTTPS nothing may go out in the clear: every request https:, the live feed wss:.
    page.on('request', (r) => {
      if (/^(http|ws):/.test(r.url())) problems.push(`plaintext request under HTTPS: ${r.url()}`);
    });
    page.on('websocket', (ws) => {
      if (!ws.url().startsWith('wss://')) problems.push(`plaintext WebSocket under HTTPS: ${ws.url()}`);
    });
  }
  return page;
}

export function totp(secretBase32, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretBase32.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = createHmac('sha1', Buffer.from(bytes)).update(counter).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// A code for a new sign-in: the server takes each code once, so wait for the next 30 s step if this
// secret's code for the current step was used already.
const usedSteps = new Map();
export async function freshCode(secret) {
  const step = () => Math.floor(Date.now() / 30000);
  while (usedSteps.get(secret) === step()) await new Promise((r) => setTimeout(r, 250));
  usedSteps.set(secret, step());
  return totp(secret);
}

// Signs in on the console's page; enrols the authenticator on the first sign-in. Returns the TOTP secret.
// `onEnrol(page)` runs on the authenticator enrolment page (e.g. an accessibility check).
export async function signIn(page, url, username, password, secret, onEnrol) {
  await page.goto(url);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
  if (!secret) {
    const key = page.getByTestId('totp-secret');
    await key.waitFor();
    secret = (await key.textContent()).trim();
    if (onEnrol) await onEnrol(page);
    await page.getByLabel('Six-digit code').fill(await freshCode(secret));
    await page.getByRole('button', { name: 'Confirm and continue' }).click();
  } else {
    await page.getByLabel('Authenticator code').fill(await freshCode(secret));
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  if (https) {
    assert.ok(page.url().startsWith('https://'), page.url());
    const session = (await page.context().cookies()).find((c) => c.name === 'crisisline_session');
    assert.ok(session?.secure && session.httpOnly, `the session cookie over HTTPS: ${JSON.stringify(session)}`);
  }
  return secret;
}

// axe-core's WCAG 2.x A/AA rules on the page as it is now; returns the violations.
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol, which the page's CSP (no eval) does not govern.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  return result;
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

// A screenshot of the page as it is now, then axe-core: fails the test on any violation, naming the page.
export async function expectAccessible(page, name) {
  await screenshot(page, name);
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe-core violations on ${name}: ${JSON.stringify(violations, null, 1)}`);
}

// A 440 Hz tone, 48 kHz 16-bit mono WAV at `path`, for Chromium's fake microphone
// (--use-file-for-fake-audio-capture).
export function toneWav(path, seconds = 60) {
  const rate = 48000;
  const data = Buffer.alloc(rate * seconds * 2);
  for (let i = 0; i < rate * seconds; i += 1) data.writeInt16LE(Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([h, data]));
}

// Polls `check` every 200 ms until it returns something truthy (returned), or fails naming `what`.
export async function waitFor(what, check, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Keeps a hand on the page's RTCPeerConnections (window.__connections, newest last), for getStats(). Call before
// the page loads (an init script).
export async function trackPeerConnections(page) {
  await page.addInitScript(() => {
    const Original = window.RTCPeerConnection;
    window.__connections = [];
    window.RTCPeerConnection = class extends Original {
      constructor(...args) {
        super(...args);
        window.__connections.push(this);
      }
    };
  });
}

// The audio the page's newest peer connection receives, from getStats(): {packets, level} of its inbound-rtp
// audio stream, or null before there is one.
export async function inboundAudio(page) {
  return page.evaluate(async () => {
    const pc = window.__connections.at(-1);
    if (!pc) return null;
    const stats = await pc.getStats();
    let found = null;
    stats.forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'audio') found = { packets: r.packetsReceived, level: r.audioLevel ?? 0 };
    });
    return found;
  });
}

// Chromium switches for a browser phone with a fake microphone playing `wav` (toneWav), WebRTC on loopback,
// and remote audio that plays without a gesture.
export function fakeMicrophoneArgs(wav) {
  return [
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${wav}`,
    '--allow-loopback-in-peer-connection',
    '--autoplay-policy=no-user-gesture-required',
    '--disable-features=WebRtcHideLocalIpsWithMdns',
  ];
}

// The browser phone's Chromium: a fake microphone playing a tone made for the suite (artifacts/NAME-tone.wav).
export async function launchPhoneBrowser(name) {
  const wav = join(artifacts, `${name}-tone.wav`);
  toneWav(wav);
  return launchBrowser(fakeMicrophoneArgs(wav));
}

// On the desk (signed in, the page at /desk): once the live feed is up, makes this tab the counsellor's phone.
export async function answerInThisBrowser(desk, timeout = 10000) {
  await desk.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();
  await desk.getByRole('button', { name: 'Answer in this browser' }).click();
  await desk.getByText('Calls ring in this browser').waitFor({ timeout });
}

// The counsellor says they are ready, and the desk shows it.
export async function becomeAvailable(desk) {
  await desk.getByRole('group', { name: 'Set my status' }).getByRole('button', { name: 'Available' }).click();
  await desk.getByTestId('my-state').filter({ hasText: 'Available' }).waitFor({ timeout: 10000 });
}

// Answers the call ringing in this browser. Resolves with the server's response to the answer, once it was 200
// and the call's media is connected (`connectTimeout` ms at most); fails otherwise.
export async function answerRingingCall(desk, { connectTimeout = 20000 } = {}) {
  await desk.getByText('Incoming call: answer in this browser').waitFor({ timeout: 30000 });
  const answered = desk.waitForResponse((r) => r.url().endsWith('/answer'));
  await desk.getByRole('button', { name: 'Answer', exact: true }).click();
  const response = await answered;
  assert.equal(response.status(), 200, await response.text());
  await desk.locator('[data-testid=browser-call-state][data-connection=connected]').waitFor({ timeout: connectTimeout });
  return response;
}

// How many packets the caller received that are not G.711 silence (fixture's caller_stats): the counsellor's
// tone, or the server's hold chords.
export function soundsHeard(callerStats) {
  return Object.entries(callerStats.by_first_byte)
    .filter(([b]) => ![0xd5, 0x55, 0xff, 0x7f].includes(Number(b))).reduce((n, [, v]) => n + v, 0);
}

// A counter from the fixture's server (0 before it has a line), `reason` picking the {reason="..."} series. Read
// by `page`, so the same code runs when E2E_HTTPS=1 puts the console behind the test CA.
export async function metric(page, fixture, name, reason) {
  const text = await page.evaluate(async (token) =>
    (await fetch('/metrics', { headers: { Authorization: `Bearer ${token}` } })).text(), fixture.info.metrics_token);
  const label = reason ? `{reason="${reason}"}` : '';
  const line = text.split('\n').find((l) => l.startsWith(`${name}${label} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

// A STUN binding request (RFC 5389) with MESSAGE-INTEGRITY under `key` and FINGERPRINT, USE-CANDIDATE when
// `useCandidate`: written here to forge ICE checks at the server's media port.
export function stunBindingRequest(username, key, useCandidate = false) {
  const tid = randomBytes(12);
  const priority = Buffer.alloc(4);
  priority.writeUInt32BE(1853824767);
  let body = Buffer.concat([stunAttribute(0x0006, Buffer.from(username)), stunAttribute(0x0024, priority),
    stunAttribute(0x802a, randomBytes(8)), ...(useCandidate ? [stunAttribute(0x0025, Buffer.alloc(0))] : [])]);
  const header = (len) => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(0x0001, 0);
    h.writeUInt16BE(len, 2);
    h.writeUInt32BE(0x2112a442, 4);
    tid.copy(h, 8);
    return h;
  };
  const mi = createHmac('sha1', key).update(Buffer.concat([header(body.length + 24), body])).digest();
  body = Buffer.concat([body, stunAttribute(0x0008, mi)]);
  const fp = Buffer.alloc(4);
  fp.writeUInt32BE((crc32(Buffer.concat([header(body.length + 8), body])) ^ 0x5354554e) >>> 0);
  body = Buffer.concat([body, stunAttribute(0x8028, fp)]);
  return Buffer.concat([header(body.length), body]);
}

function stunAttribute(type, value) {
  const a = Buffer.alloc(4 + value.length + ((4 - (value.length % 4)) % 4));
  a.writeUInt16BE(type, 0);
  a.writeUInt16BE(value.length, 2);
  value.copy(a, 4);
  return a;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
