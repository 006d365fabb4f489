// My account: change password, sign out everywhere.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { useSession } from '../lib/session';
import { FormError, Section, TextField } from '../components/Field';

export function Account() {
  const { session, signOut } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState('');

  const change = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    try {
      await api('POST', '/api/v1/session/password', { current_password: current, new_password: next });
      setDone('Password changed. You have been signed out everywhere; sign in with the new password.');
      setTimeout(() => void signOut(), 1500);
    } catch (err) {
      if (err instanceof ApiError) setErrors({ [err.field || '_']: err.message });
    }
  };

  return (
    <main id="main" class="page narrow">
      <h1>My account</h1>
      <p>
        Signed in as <strong>{session.staff.display_name}</strong> ({session.staff.username}); roles:{' '}
        {session.staff.roles.join(', ')}.
      </p>
      <Section title="Change password" id="password">
        <form onSubmit={change} noValidate>
          <TextField id="current-password" label="Current password" type="password" value={current}
            onInput={setCurrent} autocomplete="current-password" error={errors.current_password} />
          <TextField id="new-password" label="New password" type="password" value={next} onInput={setNext}
            autocomplete="new-password" hint="12 characters or more." error={errors.new_password} />
          <FormError error={errors._} />
          <button class="primary" type="submit">Change password</button>
          {done && <p role="status">{done}</p>}
        </form>
      </Section>
      <Section title="Sign out everywhere" id="everywhere">
        <p>Ends every session of yours, on every computer (for a lost or shared device).</p>
        <button type="button" onClick={async () => {
          await api('POST', '/api/v1/session/sign-out-everywhere').catch(() => undefined);
          await signOut();
        }}>Sign out everywhere</button>
      </Section>
    </main>
  );
}
