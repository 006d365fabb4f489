import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { emptyLive } from '../lib/liveState';
import { SessionContext, type SessionContextValue } from '../lib/session';
import { Account } from './Account';

function json(status: number, body: unknown) {
  return Promise.resolve(new Response(body === null ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

const value = (signOut = vi.fn(async () => undefined)): SessionContextValue => ({
  session: {
    staff: { id: 'st_1', username: 'sam', display_name: 'Sam', roles: ['counsellor'], lines: ['police'], languages: ['en'], specialisms: [] },
    csrf_token: 't', mfa_complete: true,
  },
  live: emptyLive,
  signOut,
  acknowledge: () => undefined,
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('my account', () => {
  it('shows a refused new password beside its field', async () => {
    const fetch = vi.fn(() => json(400, { error: { code: 'invalid', field: 'new_password', message: 'must be 12–256 bytes' } }));
    vi.stubGlobal('fetch', fetch);
    render(<SessionContext.Provider value={value()}><Account /></SessionContext.Provider>);
    fireEvent.input(screen.getByLabelText('Current password'), { target: { value: 'old-password-123' } });
    fireEvent.input(screen.getByLabelText('New password'), { target: { value: 'short' } });
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    const field = screen.getByLabelText('New password');
    expect((await screen.findByText('must be 12–256 bytes')).id).toBe('new-password-error');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(JSON.parse(String((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].body)))
      .toEqual({ current_password: 'old-password-123', new_password: 'short' });
  });

  it('signs out everywhere, then here', async () => {
    const fetch = vi.fn(() => json(204, null));
    vi.stubGlobal('fetch', fetch);
    const signOut = vi.fn(async () => undefined);
    render(<SessionContext.Provider value={value(signOut)}><Account /></SessionContext.Provider>);
    fireEvent.click(screen.getByRole('button', { name: 'Sign out everywhere' }));
    await vi.waitFor(() => expect(signOut).toHaveBeenCalled());
    expect(String((fetch.mock.calls[0] as unknown as [string])[0])).toBe('/api/v1/session/sign-out-everywhere');
  });
});
