import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SignIn } from './SignIn';

function json(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('sign-in', () => {
  it('moves the keyboard to the authenticator code when the server asks for it', async () => {
    vi.stubGlobal('fetch', vi.fn(() =>
      json(200, { totp_required: true, message: 'enter the 6-digit code' })));
    render(<SignIn onSignedIn={() => undefined} />);
    fireEvent.input(screen.getByLabelText('Username'), { target: { value: 'pat' } });
    const password = screen.getByLabelText('Password');
    fireEvent.input(password, { target: { value: 'a long enough password' } });
    password.focus();
    fireEvent.submit(password.closest('form')!);
    const code = await screen.findByLabelText('Authenticator code');
    await waitFor(() => expect(document.activeElement).toBe(code));
  });

  it('moves the keyboard to the six-digit code when the first sign-in shows the authenticator to set up', async () => {
    vi.stubGlobal('fetch', vi.fn(() => json(200, {
      staff: { id: 'st_1', username: 'pat', display_name: 'Pat', roles: ['counsellor'], lines: [] },
      csrf_token: 't', mfa_complete: false,
      totp_enrolment: { secret: 'JBSWY3DPEHPK3PXP', uri: 'otpauth://totp/crisisline:pat?secret=JBSWY3DPEHPK3PXP' },
    })));
    render(<SignIn onSignedIn={() => undefined} />);
    fireEvent.input(screen.getByLabelText('Username'), { target: { value: 'pat' } });
    const password = screen.getByLabelText('Password');
    fireEvent.input(password, { target: { value: 'a long enough password' } });
    password.focus();
    fireEvent.submit(password.closest('form')!);
    const code = await screen.findByLabelText('Six-digit code');
    await waitFor(() => expect(document.activeElement).toBe(code));
  });
});
