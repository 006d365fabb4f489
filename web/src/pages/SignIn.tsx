// Sign-in: password, then the authenticator code; the first sign-in enrols an
// authenticator app from a QR code.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, setCsrfToken } from '../lib/api';
import type { CodeRequired, SessionInfo } from '../lib/types';
import { FormError, TextField } from '../components/Field';
import { QrCode } from '../components/QrCode';

export function SignIn({ onSignedIn, expired }: { onSignedIn: (s: SessionInfo) => void; expired?: boolean }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needCode, setNeedCode] = useState(false);
  const [enrolment, setEnrolment] = useState<SessionInfo | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  // When the code is asked for, the keyboard moves to it: a code typed on into Password would be a wrong
  // password, and count towards the account's lockout. (autofocus works only when a page loads.)
  useEffect(() => {
    if (needCode) document.getElementById('totp-code')?.focus();
    else document.getElementById('username')?.focus(); // also after signing out, or when a session ends
  }, [needCode]);
  useEffect(() => {
    if (enrolment) document.getElementById('enrol-code')?.focus();
  }, [enrolment]);

  const signIn = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const body: Record<string, string> = { username: username.trim(), password };
      if (code) body.totp_code = code.trim();
      const answer = await api<SessionInfo | CodeRequired>('POST', '/api/v1/session', body);
      if ('totp_required' in answer) {
        // The password was right; the authenticator code is the second step.
        setNeedCode(true);
        return;
      }
      const s = answer;
      setCsrfToken(s.csrf_token);
      if (s.totp_enrolment) {
        setEnrolment(s);
        setCode('');
      } else if (s.mfa_complete) {
        onSignedIn(s);
      } else {
        setNeedCode(true);
      }
    } catch (err) {
      if (err instanceof ApiError && err.field === 'totp_code') {
        setNeedCode(true);
        setErrors(code ? { totp_code: err.message } : {});
      } else if (err instanceof ApiError) {
        setErrors({ [err.field === 'username' || err.field === 'password' ? err.field : '_']: err.message });
      } else {
        setErrors({ _: String(err) });
      }
    } finally {
      setBusy(false);
    }
  };

  const confirm = async (e: Event) => {
    e.preventDefault();
    if (!enrolment) return;
    setBusy(true);
    setErrors({});
    try {
      await api('POST', '/api/v1/session/totp', { code: code.trim() });
      onSignedIn({ ...enrolment, mfa_complete: true, totp_enrolment: undefined });
    } catch (err) {
      setErrors({ code: err instanceof ApiError ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };

  if (enrolment?.totp_enrolment) {
    const t = enrolment.totp_enrolment;
    return (
      <main class="sign-in" id="main">
        <h1>Set up your authenticator</h1>
        <p>
          This is your first sign-in. Scan the code with an authenticator app (or type the key into it), then
          enter the six-digit code it shows.
        </p>
        <QrCode text={t.uri} label="QR code for your authenticator app" />
        <p>
          Key: <code class="secret" data-testid="totp-secret">{t.secret}</code>
        </p>
        <form onSubmit={confirm} noValidate>
          <TextField
            id="enrol-code"
            label="Six-digit code"
            value={code}
            onInput={setCode}
            inputMode="numeric"
            autocomplete="one-time-code"
            maxLength={6}
            error={errors.code}
          />
          <button class="primary" type="submit" disabled={busy}>
            Confirm and continue
          </button>
        </form>
      </main>
    );
  }

  return (
    <main class="sign-in" id="main">
      <h1>{expired ? 'Your session ended' : 'Sign in to crisisline'}</h1>
      {expired && <p>Sign in again to carry on. Nothing you typed has been lost.</p>}
      <form onSubmit={signIn} noValidate>
        <TextField
          id="username"
          label="Username"
          value={username}
          onInput={setUsername}
          autocomplete="username"
          error={errors.username}
        />
        <TextField
          id="password"
          label="Password"
          type="password"
          value={password}
          onInput={setPassword}
          autocomplete="current-password"
          error={errors.password}
        />
        {needCode && (
          <TextField
            id="totp-code"
            label="Authenticator code"
            value={code}
            onInput={setCode}
            inputMode="numeric"
            autocomplete="one-time-code"
            maxLength={6}
            hint="The six-digit code from your authenticator app."
            error={errors.totp_code}
          />
        )}
        <FormError error={errors._} />
        <button class="primary" type="submit" disabled={busy}>
          {needCode ? 'Sign in' : 'Continue'}
        </button>
      </form>
    </main>
  );
}
