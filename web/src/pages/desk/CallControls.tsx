// The counsellor's controls of the call they are on (desk phone or browser phone alike): hold and resume; blind
// transfer to an available colleague of the line or to a line's queue; a consult (warm transfer) with an available
// colleague, completed or abandoned; a third party added to the call (conference), dropped or left with the caller;
// and who, if anyone, is supervising it.
// While on hold (and while consulting) the caller hears the line's hold audio and nothing of the counsellor.
import { useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { duration } from '../../lib/format';
import type { Conference } from '../../lib/conferences';
import type { Consult, Monitor, Transfer } from '../../lib/liveState';
import { ConferenceControl } from './ConferenceControl';
import { ConsultControl } from './ConsultControl';
import { useCallRequest, useTargetPicker } from './targetPicker';

// GET /api/v1/session/calls/{call}/transfer-targets: whom the call may go to now.
interface TransferTargets {
  counsellors: Array<{ to: string; staff_id: string; name: string }>;
  lines: Array<{ to: string; line: string; name: string }>;
}

const FAILED_TEXT: Record<string, string> = {
  no_answer: 'did not answer',
  declined: 'declined the call',
};

// What the counsellor is told of a supervisor on their call: always, and in plain words (no covert monitoring).
const MONITOR_TEXT: Record<string, string> = {
  listen: 'A supervisor is listening to this call. They hear you and the caller; nobody hears them.',
  coach: 'A supervisor is coaching you on this call. You hear them; the caller does not.',
  join: 'A supervisor has joined this call. You and the caller both hear them.',
};

export function CallControls({ call, heldSince, now, monitor, transfer, consult, conference }: {
  call: string;
  heldSince: number | undefined;
  now: number;
  monitor?: Monitor;
  transfer?: Transfer;
  consult?: Consult;
  conference?: Conference;
}) {
  const request = useCallRequest();
  const { busy, error, run } = request;
  const held = heldSince !== undefined;
  const consulting = consult?.state === 'ringing' || consult?.state === 'connected';
  // A third party on the call (or being rung): the server refuses hold, transfer and consult until they go.
  const conferenced = conference?.state === 'ringing' || conference?.state === 'connected';
  const ringing = transfer?.state === 'ringing' || consulting || conferenced;  // hold and transfer wait meanwhile
  const [names, setNames] = useState<Record<string, string>>({});  // staff id -> name, from the last list
  const picker = useTargetPicker<TransferTargets>(call, request, (got) => got.counsellors[0]?.to ?? got.lines[0]?.to ?? '',
    (got) => setNames(Object.fromEntries(got.counsellors.map((c) => [c.staff_id, c.name]))));
  const { picking, targets, choice, setChoice, select, open: openPicker, close: closePicker } = picker;
  const submitTransfer = picker.submit((to) => api('POST', `/api/v1/session/calls/${encodeURIComponent(call)}/transfer`, { to }));
  const press = () => run(() => api('POST', `/api/v1/session/calls/${encodeURIComponent(call)}/${held ? 'resume' : 'hold'}`));
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
      {transfer && (
        <p class="notice" role="status" data-testid="transfer-state">
          {ringing
            ? `Transferring to ${names[transfer.to] ?? 'your colleague'}: their phone is ringing and the caller hears the hold music. If they do not answer, the call comes back to you.`
            : `${names[transfer.to] ?? 'Your colleague'} ${FAILED_TEXT[transfer.reason ?? ''] ?? 'could not take the call'}: the call is yours again.`}
        </p>
      )}
      {monitor && (
        <p class="notice" role="status" data-testid="monitor-state">
          {monitor.state === 'ringing'
            ? `A supervisor's phone is ringing to ${monitor.mode === 'listen' ? 'listen to' : monitor.mode} this call.`
            : MONITOR_TEXT[monitor.mode] ?? 'A supervisor is on this call.'}
        </p>
      )}
      <button type="button" class={held ? 'primary' : ''} disabled={busy || ringing} onClick={press}>
        {held ? 'Resume the call' : 'Put the caller on hold'}
      </button>
      {!ringing && !picking && (
        <button type="button" disabled={busy} onClick={openPicker}>
          Transfer…
        </button>
      )}
      {picking && (
        <form class="transfer-picker" onSubmit={submitTransfer} onKeyDown={(e) => e.key === 'Escape' && closePicker()}
          aria-label="Transfer the call">
          <label for="transfer-to">Transfer to</label>
          <select id="transfer-to" ref={select} value={choice} disabled={!targets}
            onChange={(e) => setChoice((e.target as HTMLSelectElement).value)}>
            {!targets && <option value="">Loading…</option>}
            {targets && targets.counsellors.length === 0 && targets.lines.length === 0 && (
              <option value="">Nobody can take it now</option>
            )}
            {targets && targets.counsellors.length > 0 && (
              <optgroup label="Available colleagues">
                {targets.counsellors.map((c) => <option key={c.to} value={c.to}>{c.name}</option>)}
              </optgroup>
            )}
            {targets && targets.lines.length > 0 && (
              <optgroup label="A line's queue (the caller goes first)">
                {targets.lines.map((l) => <option key={l.to} value={l.to}>{l.name}</option>)}
              </optgroup>
            )}
          </select>
          <button type="submit" class="primary" disabled={busy || !choice}>Transfer</button>
          <button type="button" onClick={closePicker}>Cancel</button>
        </form>
      )}
      {!picking && !(transfer?.state === 'ringing') && !conferenced && (
        <ConsultControl call={call} consult={consult} names={names} />
      )}
      {!picking && !(transfer?.state === 'ringing') && !consulting && (
        <ConferenceControl call={call} conference={conference} disabled={held}
          names={Object.fromEntries(Object.entries(names).map(([id, name]) => [`counsellor:${id}`, name]))} />
      )}
      {error && <p class="field-error" role="alert">{error}</p>}
    </section>
  );
}
