// The counsellor's controls of the call they are on (desk phone or browser phone alike): hold and resume; and
// who, if anyone, is supervising it.
// While on hold the caller hears the line's hold audio and the counsellor hears nothing of them.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { duration } from '../../lib/format';
import type { Monitor } from '../../lib/liveState';

// What the counsellor is told of a supervisor on their call: always, and in plain words (no covert monitoring).
const MONITOR_TEXT: Record<string, string> = {
  listen: 'A supervisor is listening to this call. They hear you and the caller; nobody hears them.',
  coach: 'A supervisor is coaching you on this call. You hear them; the caller does not.',
  join: 'A supervisor has joined this call. You and the caller both hear them.',
};

export function CallControls({ call, heldSince, now, monitor }: {
  call: string;
  heldSince: number | undefined;
  now: number;
  monitor?: Monitor;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const held = heldSince !== undefined;
  const press = async () => {
    setBusy(true);
    setError('');
    try {
      await api('POST', `/api/v1/session/calls/${encodeURIComponent(call)}/${held ? 'resume' : 'hold'}`);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel call-controls" aria-labelledby="call-controls-title" data-testid="call-controls">
      <h2 id="call-controls-title">Call</h2>
      <p role="status" data-testid="hold-state">
        {held ? (
          <>
            <strong>Caller on hold</strong> <span class="num">for {duration(now - heldSince)}</span>: they hear the
            hold music and cannot hear you.
          </>
        ) : (
          'Connected to the caller.'
        )}
      </p>
      {monitor && (
        <p class="notice" role="status" data-testid="monitor-state">
          {monitor.state === 'ringing'
            ? `A supervisor's phone is ringing to ${monitor.mode === 'listen' ? 'listen to' : monitor.mode} this call.`
            : MONITOR_TEXT[monitor.mode] ?? 'A supervisor is on this call.'}
        </p>
      )}
      <button type="button" class={held ? 'primary' : ''} disabled={busy} onClick={press}>
        {held ? 'Resume the call' : 'Put the caller on hold'}
      </button>
      {error && <p class="field-error" role="alert">{error}</p>}
    </section>
  );
}
