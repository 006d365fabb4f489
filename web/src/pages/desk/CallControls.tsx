// The counsellor's controls of the call they are on (desk phone or browser phone alike): hold and resume.
// While on hold the caller hears the line's hold audio and the counsellor hears nothing of them.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { duration } from '../../lib/format';

export function CallControls({ call, heldSince, now }: { call: string; heldSince: number | undefined; now: number }) {
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
      <button type="button" class={held ? 'primary' : ''} disabled={busy} onClick={press}>
        {held ? 'Resume the call' : 'Put the caller on hold'}
      </button>
      {error && <p class="field-error" role="alert">{error}</p>}
    </section>
  );
}
