import { act, cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { markSignedIn, markSignedOut, mayBeSignedIn } from './lib/signedInMark';

// The shell only: a stand-in for the browser's WebSocket that never connects (pure logic, no socket).
class QuietSocket {
  onmessage = null;
  onclose = null;
  close() {}
}

const session = {
  staff: { id: 'st_1', username: 'pat', display_name: 'Pat', roles: ['admin'], lines: [], languages: ['en'], specialisms: [] },
  csrf_token: 't',
  mfa_complete: true,
};

function json(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('the console shell', () => {
  it('routes service managers to Staffing from the navigation; counsellors have no such link', async () => {
    vi.stubGlobal('WebSocket', QuietSocket);
    markSignedIn();
    const manager = { ...session, staff: { ...session.staff, roles: ['service_manager'], lines: ['police'] } };
    vi.stubGlobal('fetch', vi.fn((url: string) => (url === '/api/v1/session' ? json(200, manager) : json(503, {}))));
    history.replaceState(null, '', '/staffing');
    render(<App />);
    const link = await screen.findByRole('link', { name: 'Staffing' });
    expect(link.getAttribute('aria-current')).toBe('page');
    expect(screen.getByRole('heading', { level: 1, name: 'Staffing' })).toBeTruthy();
    cleanup();
    const counsellor = { ...session, staff: { ...session.staff, roles: ['counsellor'], lines: ['police'] } };
    vi.stubGlobal('fetch', vi.fn((url: string) => (url === '/api/v1/session' ? json(200, counsellor) : json(200, {}))));
    history.replaceState(null, '', '/account');
    render(<App />);
    await screen.findByRole('heading', { name: 'My account' });
    expect(screen.queryByRole('link', { name: 'Staffing' })).toBeNull();
  });

  it('warns before the session idles out, and a click keeps it alive', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
    vi.stubGlobal('WebSocket', QuietSocket);
    markSignedIn();
    const fetch = vi.fn((url: string) => (url === '/api/v1/session' ? json(200, session) : json(200, { lines: [], staff: [] })));
    vi.stubGlobal('fetch', fetch);
    history.replaceState(null, '', '/account');
    render(<App />);
    await act(async () => { await vi.advanceTimersByTimeAsync(100); });
    expect(screen.getByRole('heading', { name: 'My account' })).toBeTruthy();
    expect(screen.queryByText(/You will be signed out soon/)).toBeNull();
    await act(async () => { await vi.advanceTimersByTimeAsync(28.5 * 60 * 1000); });
    expect(screen.getByText(/You will be signed out soon/)).toBeTruthy();
    const before = fetch.mock.calls.length;
    fireEvent.click(screen.getByRole('button', { name: 'Stay signed in' }));
    await act(async () => { await vi.advanceTimersByTimeAsync(6000); });
    expect(fetch.mock.calls.length).toBeGreaterThan(before);
    expect(screen.queryByText(/You will be signed out soon/)).toBeNull();
  });

  it('puts sign-in over the page when the session has ended, keeping the page underneath', async () => {
    vi.stubGlobal('WebSocket', QuietSocket);
    markSignedIn();
    // The session was valid when the page loaded; the administration page's next request finds it ended.
    vi.stubGlobal('fetch', vi.fn((url: string) =>
      url === '/api/v1/session'
        ? json(200, session)
        : json(401, { error: { code: 'unauthenticated', field: '', message: 'your session has ended' } })));
    history.replaceState(null, '', '/admin');
    render(<App />);
    expect(await screen.findByRole('dialog')).toBeTruthy();
    expect(screen.getByText('Your session ended')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Administration', hidden: true })).toBeTruthy();
  });

  it('shows sign-in without asking the server when this browser has not signed in', async () => {
    markSignedOut();
    const fetch = vi.fn(() => json(200, session));
    vi.stubGlobal('fetch', fetch);
    history.replaceState(null, '', '/');
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Sign in to crisisline' })).toBeTruthy();
    expect(fetch).not.toHaveBeenCalled();
  });

  it('forgets the mark when the server says the session is gone, so the next sign-in page asks nothing', async () => {
    markSignedIn();
    vi.stubGlobal('fetch', vi.fn(() =>
      json(401, { error: { code: 'unauthenticated', field: '', message: 'sign in first' } })));
    history.replaceState(null, '', '/');
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Sign in to crisisline' })).toBeTruthy();
    expect(mayBeSignedIn()).toBe(false);
  });
});
