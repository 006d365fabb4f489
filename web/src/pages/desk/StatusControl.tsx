// The counsellor's availability, matching the telephony's states.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { duration, stateName } from '../../lib/format';
import type { CounsellorLive } from '../../lib/types';

const reasons: Record<string, string> = {
  missed_call: 'You missed a call, so calls are paused. Choose Available when you are ready.',
  phone_failed: 'Your phone declined or could not be reached. Check it, then choose Available.',
};

export function StatusControl({ me, since, now }: { me: CounsellorLive | null; since: number; now: number }) {
  const [error, setError] = useState('');
  const set = async (state: string) => {
    setError('');
    try {
      await api('PUT', '/api/v1/me/availability', { state });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  if (!me) {
    return (
      <section class="panel status" aria-labelledby="status-title">
        <h2 id="status-title">My status</h2>
        <p>Telephony is not running, or you have no phone account yet: ask an administrator.</p>
      </section>
    );
  }
  const inState = me.in_state_ms + (now - since);
  const choices: Array<[string, string]> = [
    ['available', 'Available'],
    ['break', 'Break'],
    ['offline', 'Offline'],
  ];
  return (
    <section class="panel status" aria-labelledby="status-title">
      <h2 id="status-title">My status</h2>
      <p class="state-line">
        <strong class={`state state-${me.state}`} data-testid="my-state">{stateName(me.state)}</strong>
        <span class="muted num"> for {duration(inState)}</span>
        {me.after_call && <span class="muted"> · then {stateName(me.after_call)}</span>}
      </p>
      {me.reason && reasons[me.reason] && <p class="notice" role="alert">{reasons[me.reason]}</p>}
      {me.phone_registered ? (
        <p class="muted">Phone connected.</p>
      ) : me.state === 'available' || (!me.after_call && ['on_call', 'wrap_up'].includes(me.state)) ? (
        // Available is accepted without a phone, but no call can reach them: say so plainly, and the
        // wallboard does not count them as available either.
        <p class="notice" role="alert" data-testid="no-phone">
          Your phone is not connected, so no call can reach you{me.state === 'available' ? ' although you are available' : ' after this call'}.
          Connect your phone (it registers on its own when it starts), or choose Break or Offline.
        </p>
      ) : (
        <p class="notice">Your phone is not connected: calls cannot reach you.</p>
      )}
      <div class="segmented" role="group" aria-label="Set my status">
        {choices.map(([value, label]) => (
          <button key={value} type="button" aria-pressed={me.state === value || me.after_call === value}
            onClick={() => set(value)}>
            {label}
          </button>
        ))}
      </div>
      {error && <p class="field-error" role="alert">{error}</p>}
    </section>
  );
}
