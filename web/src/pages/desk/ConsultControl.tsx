// A consult (warm transfer) from the desk: the counsellor chooses an available colleague of the line; the caller is
// put on hold (they hear the hold music and nothing of either of you) while the colleague's phone rings; once the
// colleague answers the two of you talk, then "Complete transfer" joins the caller to them and ends your part of
// the call, or "Return to caller" hangs up on the colleague and takes the caller off hold.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import type { Consult } from '../../lib/liveState';
import { useCallRequest, useTargetPicker } from './targetPicker';

interface Colleague {
  to: string;
  staff_id: string;
  name: string;
}

const ENDED_TEXT: Record<string, string> = {
  no_answer: 'did not answer',
  declined: 'declined the call',
  colleague_hung_up: 'hung up',
  cancelled: 'was hung up on',
};

export function ConsultControl({ call, consult, names: known }: {
  call: string;
  consult?: Consult;
  names?: Record<string, string>;  // staff id -> name (the transfer picker's list), as a start
}) {
  const path = `/api/v1/session/calls/${encodeURIComponent(call)}/consult`;
  const [names, setNames] = useState<Record<string, string>>(known ?? {});
  const request = useCallRequest();
  const { busy, error, run } = request;
  const picker = useTargetPicker<{ counsellors: Colleague[] }>(call, request, (got) => got.counsellors[0]?.to ?? '',
    (got) => setNames((before) => ({ ...before, ...Object.fromEntries(got.counsellors.map((c) => [c.staff_id, c.name])) })));
  const { picking, choice, setChoice, select, open: openPicker, close: closePicker } = picker;
  const colleagues = picker.targets?.counsellors ?? null;
  const completeButton = useRef<HTMLButtonElement>(null);
  const connected = consult?.state === 'connected';
  useEffect(() => {
    if (connected) completeButton.current?.focus();  // the keyboard goes to what can be done next
  }, [connected]);

  const start = picker.submit((to) => api('POST', path, { to }));
  const name = (id: string) => names[id] ?? known?.[id] ?? 'your colleague';
  const active = consult && consult.state !== 'ended';

  return (
    <div class="consult-control" data-testid="consult-control">
      {consult && (
        <p class="notice" role="status" data-testid="consult-state">
          {consult.state === 'ringing' && `Consulting ${name(consult.to)}: their phone is ringing. The caller is on hold and hears the hold music.`}
          {consult.state === 'connected' && `Consulting ${name(consult.to)}. The caller is on hold and cannot hear either of you.`}
          {consult.state === 'ended' && `${name(consult.to)} ${ENDED_TEXT[consult.reason ?? ''] ?? 'could not be reached'}: you are back with the caller.`}
        </p>
      )}
      {active ? (
        <div class="consult-actions">
          <button type="button" class="primary" ref={completeButton} disabled={busy || !connected}
            onClick={() => run(() => api('POST', `${path}/complete`))}>
            Complete transfer
          </button>
          <button type="button" disabled={busy} onClick={() => run(() => api('DELETE', path))}>
            Return to caller
          </button>
        </div>
      ) : !picking ? (
        <button type="button" disabled={busy} onClick={openPicker}>Consult…</button>
      ) : (
        <form class="transfer-picker" onSubmit={start} onKeyDown={(e) => e.key === 'Escape' && closePicker()}
          aria-label="Consult a colleague">
          <label for="consult-to">Consult</label>
          <select id="consult-to" ref={select} value={choice} disabled={!colleagues}
            onChange={(e) => setChoice((e.target as HTMLSelectElement).value)}>
            {!colleagues && <option value="">Loading…</option>}
            {colleagues && colleagues.length === 0 && <option value="">No colleague is available now</option>}
            {colleagues?.map((c) => <option key={c.to} value={c.to}>{c.name}</option>)}
          </select>
          <button type="submit" class="primary" disabled={busy || !choice}>Call them</button>
          <button type="button" onClick={closePicker}>Cancel</button>
        </form>
      )}
      {error && <p class="field-error" role="alert">{error}</p>}
    </div>
  );
}
