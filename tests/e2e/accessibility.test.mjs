// The console's accessibility in a real browser (Debian's Chromium) against the real server: sign-in with the
// keyboard alone (authenticator code included), the desk at 320 px and at 200 % zoom, where focus goes after
// recording an escalation and after closing a contact, and the Welsh public page. axe-core checks each page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axeViolations, expectAccessible, Fixture, freshCode, launchBrowser, newPage, screenshot, signIn } from './lib.mjs';

let fixture;
let browser;
const problems = []; // CSP violations and page errors, on any page
const secrets = {};

before(async () => {
  fixture = await Fixture.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await fixture?.stop();
});

// What the browser logs as an error (a failed request is one: "Failed to load resource: ... 401") and every
// answer of 400 or more, from now on.
function watchErrors(page) {
  const seen = [];
  page.on('console', (m) => {
    if (m.type() === 'error') seen.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) seen.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  return seen;
}

async function waitForFocus(page, id) {
  await page.waitForFunction((want) => document.activeElement?.id === want, id, { timeout: 5000 }).catch(async () => {
    const at = await page.evaluate(() => `${document.activeElement?.tagName}#${document.activeElement?.id}`);
    throw new Error(`the keyboard is on ${at}, not #${id}`);
  });
}

// Nothing wider than the window: no sideways scrolling, no panel cut off at the right.
async function expectReflows(page, name) {
  const wide = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    if (document.documentElement.scrollWidth > width) out.push(`the page is ${document.documentElement.scrollWidth} px wide`);
    for (const el of document.querySelectorAll('.panel, main, header, input, select, textarea, button')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && (r.right > width + 0.5 || r.left < -0.5)) {
        out.push(`${el.tagName.toLowerCase()}.${el.className} spans ${Math.round(r.left)}–${Math.round(r.right)} px`);
      }
    }
    return { width, out: out.slice(0, 10) };
  });
  assert.deepEqual(wide.out, [], `${name} at ${wide.width} px`);
}

async function openContactWithoutCall(page) {
  await page.getByRole('button', { name: 'Record a contact without a call' }).click();
  await page.getByTestId('contact-panel').waitFor();
}

test('a keyboard alone signs in, authenticator code included, and the sign-in page logs no error', async () => {
  const { url, passwords } = fixture.info;
  const page = await newPage(browser, problems);
  const errors = watchErrors(page);
  await page.goto(url);
  await page.getByRole('heading', { name: 'Sign in to crisisline' }).waitFor();
  await page.waitForLoadState('networkidle');
  assert.deepEqual(errors, [], 'opening the sign-in page');
  const icon = await page.locator('link[rel=icon]').getAttribute('href');
  // Fetched by the page itself, so over HTTPS (E2E_HTTPS=1) it is the browser that checks the certificate.
  const iconStatus = await page.evaluate(async (href) => (await fetch(href)).status, new URL(icon, url).href);
  assert.equal(iconStatus, 200, `the favicon ${icon}`);
  await expectAccessible(page, 'a11y-01-sign-in');

  // First sign-in: username, Tab, password, Enter; the authenticator set-up has the keyboard in its code field.
  await waitForFocus(page, 'username');
  await page.keyboard.type('demo.counsellor');
  await page.keyboard.press('Tab');
  await waitForFocus(page, 'password');
  await page.keyboard.type(passwords['demo.counsellor']);
  await page.keyboard.press('Enter');
  const key = page.getByTestId('totp-secret');
  await key.waitFor();
  secrets['demo.counsellor'] = (await key.textContent()).trim();
  await waitForFocus(page, 'enrol-code');
  await page.keyboard.type(await freshCode(secrets['demo.counsellor']));
  await page.keyboard.press('Enter');
  const signOut = page.getByRole('button', { name: 'Sign out' });
  await signOut.waitFor();
  await signOut.focus();
  await page.keyboard.press('Enter');

  // Signed out: the sign-in page asks the server nothing, and the keyboard is back in Username.
  await page.getByRole('heading', { name: 'Sign in to crisisline' }).waitFor();
  await waitForFocus(page, 'username');
  errors.length = 0;
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in to crisisline' }).waitFor();
  await page.waitForLoadState('networkidle');
  assert.deepEqual(errors, [], 'reopening the sign-in page after signing out');

  // A later sign-in asks for the code after the password: the keyboard moves to the code, not left in Password.
  await waitForFocus(page, 'username');
  await page.keyboard.type('demo.counsellor');
  await page.keyboard.press('Tab');
  await page.keyboard.type(passwords['demo.counsellor']);
  await page.keyboard.press('Enter');
  await page.getByLabel('Authenticator code').waitFor();
  await waitForFocus(page, 'totp-code');
  // The password step is a step, not a failure: no 401 for the browser to log as an error.
  assert.deepEqual(errors, [], 'the password step of a sign-in with an authenticator');
  await expectAccessible(page, 'a11y-02-sign-in-code');
  const code = await freshCode(secrets['demo.counsellor']);
  await page.keyboard.type(code);
  assert.equal(await page.getByLabel('Password').inputValue(), passwords['demo.counsellor']);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.waitForURL(/\/desk$/);
  assert.deepEqual(problems, []);
});

test('the desk reflows at 320 px, and a heading jumped to is not hidden under the call bar', async () => {
  const { url, passwords } = fixture.info;
  const page = await newPage(browser, problems, { viewport: { width: 320, height: 640 } });
  secrets['demo.welsh'] = await signIn(page, url, 'demo.welsh', passwords['demo.welsh'], secrets['demo.welsh']);
  await page.waitForURL(/\/desk$/);
  await page.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();
  await expectReflows(page, 'the desk with no call');
  await expectAccessible(page, 'a11y-03-desk-320');

  await openContactWithoutCall(page);
  await expectReflows(page, 'the desk with a contact open');
  await expectAccessible(page, 'a11y-04-desk-320-contact');

  for (const name of ['Outcome and wrap-up', 'Signposting', 'Assessment', 'Caller']) {
    await page.getByRole('navigation', { name: 'Parts of this contact' }).getByRole('link', { name }).click();
    const target = (await page.getByRole('link', { name }).getAttribute('href')).slice(1);
    await page.waitForFunction((id) => {
      const heading = document.getElementById(id).getBoundingClientRect();
      const bar = document.querySelector('.call-facts').getBoundingClientRect();
      return heading.top >= bar.bottom - 0.5 && heading.bottom <= window.innerHeight;
    }, target, { timeout: 5000 }).catch(async () => {
      await screenshot(page, `failed-jump-${target}`);
      const at = await page.evaluate((id) => ({
        heading: document.getElementById(id).getBoundingClientRect().top,
        bar: document.querySelector('.call-facts').getBoundingClientRect().bottom,
      }), target);
      throw new Error(`"${name}" jumped to ${JSON.stringify(at)}: the heading is under the call bar or off screen`);
    });
  }
  assert.deepEqual(problems, []);
});

test('at 200 % zoom the call details are on the first screen', async () => {
  const { url, passwords } = fixture.info;
  // 1280 x 800 at 200 % zoom: the page is laid out in 640 x 400 CSS pixels.
  const page = await newPage(browser, problems, { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
  secrets['demo.supervisor'] = await signIn(page, url, 'demo.supervisor', passwords['demo.supervisor'],
    secrets['demo.supervisor']);
  await page.goto(`${url}/desk`);
  await page.getByTestId('feed-status').filter({ hasText: 'Live' }).waitFor();
  await openContactWithoutCall(page);
  await page.evaluate(() => window.scrollTo(0, 0));
  const facts = await page.evaluate(() => {
    const r = document.querySelector('.call-facts').getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, screen: window.innerHeight };
  });
  await screenshot(page, 'a11y-05-desk-200-percent');
  assert.ok(facts.top >= 0 && facts.bottom <= facts.screen,
    `the call details span ${Math.round(facts.top)}–${Math.round(facts.bottom)} px of a ${facts.screen} px screen`);
  assert.ok(await page.getByTestId('call-timer').isVisible(), 'the talk time is shown');
  await expectReflows(page, 'the desk at 200 %');
  await expectAccessible(page, 'a11y-05-desk-200-percent');
  assert.deepEqual(problems, []);
});

test('the keyboard stays with the work after recording an escalation and after closing the contact', async () => {
  const { url, passwords } = fixture.info;
  const page = await newPage(browser, problems);
  secrets['demo.counsellor'] = await signIn(page, url, 'demo.counsellor', passwords['demo.counsellor'],
    secrets['demo.counsellor']);
  await page.waitForURL(/\/desk$/);
  await openContactWithoutCall(page);

  await page.getByRole('button', { name: 'Imminent risk to life: escalate' }).click();
  await page.getByLabel('Supervisor').selectOption({ label: 'Jo (demo supervisor)' });
  await page.getByLabel('Emergency service contacted').selectOption('ambulance');
  await page.getByLabel('Why: the imminent risk to life').fill('Fictional: a keyboard test (e2e)');
  await page.getByLabel('What is disclosed to the service (only what is needed)').fill('Fictional (e2e)');
  await page.getByRole('button', { name: 'Record escalation and alert supervisor' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Escalation recorded' }).waitFor();
  await page.waitForFunction(() => /^Escalation recorded: your supervisor has been alerted/.test(
    document.activeElement?.textContent ?? ''), null, { timeout: 5000 });
  await expectAccessible(page, 'a11y-06-escalation-recorded');

  await page.getByLabel('Who is calling').selectOption('police_officer');
  await page.getByLabel('Outcome', { exact: true }).selectOption('escalated_emergency');
  await page.getByRole('button', { name: 'Finish wrap-up and close this contact' }).focus();
  await page.keyboard.press('Enter');
  await page.getByText('Contact closed. Thank you.').waitFor({ timeout: 10000 });
  await page.waitForFunction(() => document.activeElement?.textContent === 'Contact closed. Thank you.', null,
    { timeout: 5000 });
  await expectAccessible(page, 'a11y-07-contact-closed');
  assert.deepEqual(problems, []);
});

test('the Welsh public page is in Welsh from <html lang> down', async () => {
  const { url } = fixture.info;
  const page = await newPage(browser, problems);
  await page.goto(`${url}/info/police?lang=cy`);
  await page.getByRole('heading', { name: 'Ffoniwch ni' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'cy');
  // The demo line has a Welsh name and audience (init --demo), and the page shows them.
  await page.getByRole('heading', { level: 1, name: 'Llinell Argyfwng Iechyd Meddwl yr Heddlu (demo)' }).waitFor();
  await page.getByText(/ar gyfer swyddogion yr heddlu/).waitFor();
  assert.equal(await page.getByText(/police officers, police staff/).count(), 0);
  await expectAccessible(page, 'a11y-08-public-welsh');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Call us' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.deepEqual(problems, []);
});
