// A three-party call from the desk: the counsellor adds a colleague of the line (a supervisor or another counsellor
// who is available) or one of the line's external services (transfer_targets, set by an administrator) while the
// caller stays on the line, then drops them or leaves the caller with them. An emergency service is offered only
// once an escalation is recorded on the contact (the server's `allowed`); its number is dialled by the server,
// never shown here, and the caller's number is never sent.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import type { Conference } from '../../lib/conferences';
import { useCallRequest, useTargetPicker } from './targetPicker';

// GET /api/v1/session/calls/{call}/transfer-targets: the colleagues and services a call may have added now.
interface Targets {
  counsellors: Array<{ to: string; staff_id: string; name: string }>;
  external?: Array<{ to: string; id: string; name: string; kind: string; allowed: boolean }>;
}

const ENDED_TEXT: Record<string, string> = {
  dropped: 'was dropped from the call',
  hung_up: 'hung up',
  no_answer: 'did not answer',
  busy: 'was busy',
  declined: 'declined the call',
  no_audio: 'stopped sending audio and was dropped',
  refused: 'could not join',
  failed: 'could not be reached',
};

const KIND_FALLBACK: Record<string, string> = {
  colleague: 'your colleague',
  emergency: 'the emergency service',
  partner: 'the partner service',
};

function capitalised(words: string): string {
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function ConferenceControl({ call, conference, names: known, disabled }: {
  call: string;
  conference?: Conference;
  names?: Record<string, string>;  // "counsellor:<id>" or "external:<id>" -> name, as a start
  disabled?: boolean;              // the caller is on hold: the server refuses to add anyone meanwhile
}) {
  const path = `/api/v1/session/calls/${encodeURIComponent(call)}/conference`;
  const [names, setNames] = useState<Record<string, string>>(known ?? {});
  const request = useCallRequest();
  const { busy, error, run } = request;
  const picker = useTargetPicker<Targets>(call, request,
    (got) => got.counsellors[0]?.to ?? got.external?.find((e) => e.allowed)?.to ?? '',
    (got) => setNames((before) => ({
      ...before,
      ...Object.fromEntries(got.counsellors.map((c) => [c.to, c.name])),
      ...Object.fromEntries((got.external ?? []).map((e) => [e.to, e.name])),
    })));
  const { picking, targets, choice, setChoice, select, open: openPicker, close: closePicker } = picker;
  const dropButton = useRef<HTMLButtonElement>(null);
  const active = conference?.state === 'ringing' || conference?.state === 'connected';
  // The choice is gone once a party is added: the keyboard goes to what can be done next, as soon as Drop can be
  // pressed (the server's event may come before the answer to the request, while the buttons are still busy).
  const focusDrop = useRef(false);
  useEffect(() => {
    focusDrop.current = active;
  }, [active]);
  useEffect(() => {
    if (!active || busy || !focusDrop.current) return;
    focusDrop.current = false;
    dropButton.current?.focus();
  }, [active, busy]);

  const add = picker.submit((to) => api('POST', path, { to }));
  const party = (c: Conference) => names[c.to] ?? known?.[c.to] ?? KIND_FALLBACK[c.kind] ?? 'the third party';
  const external = targets?.external ?? [];
  const nobody = targets && targets.counsellors.length === 0 && !external.some((e) => e.allowed);

  return (
    <div class="conference-control" data-testid="conference-control">
      {conference && (
        <p class="notice" role="status" data-testid="conference-state">
          {conference.state === 'ringing' && `Adding ${party(conference)} to the call: ringing. You and the caller can go on talking.`}
          {conference.state === 'connected' && `Three-party call with ${party(conference)}: you, the caller and they all hear each other.`}
          {conference.state === 'ended' && conference.reason !== 'left'
            && `${capitalised(party(conference))} ${ENDED_TEXT[conference.reason ?? ''] ?? 'left the call'}: it is you and the caller again.`}
        </p>
      )}
      {active && conference ? (
        <div class="conference-actions">
          <button type="button" ref={dropButton} disabled={busy} onClick={() => run(() => api('DELETE', path))}>
            Drop {party(conference)}
          </button>
          <button type="button" disabled={busy || conference.state !== 'connected'}
            onClick={() => run(() => api('POST', `${path}/leave`))}>
            Leave the call to them
          </button>
        </div>
      ) : !picking ? (
        <button type="button" disabled={busy || disabled} onClick={openPicker}>Add to the call…</button>
      ) : (
        <form class="transfer-picker" onSubmit={add} onKeyDown={(e) => e.key === 'Escape' && closePicker()}
          aria-label="Add someone to the call">
          <label for="conference-to">Add to the call</label>
          <select id="conference-to" ref={select} value={choice} disabled={!targets}
            onChange={(e) => setChoice((e.target as HTMLSelectElement).value)}>
            {!targets && <option value="">Loading…</option>}
            {nobody && <option value="">Nobody can be added now</option>}
            {targets && targets.counsellors.length > 0 && (
              <optgroup label="Available colleagues">
                {targets.counsellors.map((c) => <option key={c.to} value={c.to}>{c.name}</option>)}
              </optgroup>
            )}
            {external.length > 0 && (
              <optgroup label="The line's services">
                {external.map((e) => (
                  <option key={e.to} value={e.to} disabled={!e.allowed}>
                    {e.allowed ? e.name : `${e.name} (only after an escalation is recorded)`}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
          <button type="submit" class="primary" disabled={busy || !choice}>Add them</button>
          <button type="button" onClick={closePicker}>Cancel</button>
        </form>
      )}
      {error && <p class="field-error" role="alert">{error}</p>}
    </div>
  );
}
