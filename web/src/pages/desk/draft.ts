// The counsellor's notes on a contact, saved to the server as they type (the
// contact's sealed fields are the draft: encrypted at rest with the line's key).
// Saves are debounced and never lose a keystroke: a stale version (telephony
// recorded the answer or the end meanwhile) is re-read and the counsellor's
// fields are saved on top; a save that could not reach the server (network,
// server busy, session expired) is kept in memory and tried again every 5 s;
// a save the server refuses (a field it will not take, a contact that is
// closed) is reported at once, with what to do, and not sent again until the
// counsellor changes something: the refusal would only repeat.
import { api, ApiError } from '../../lib/api';
import type { Assessment, Contact, Signpost } from '../../lib/types';

export interface Draft {
  addressed_as: string;
  caller_role: string;
  force: string;
  themes: string[];
  actions: string[];
  outcome: string;
  assessment: Assessment;
  actions_note: string;
  follow_up_plan: string;
  signposting: Signpost[];
  notes: string;
  // '' when not asked, else '0'..'10'.
  distress_start: string;
  distress_end: string;
}

export function draftOf(c: Contact & { cause_for_concern?: boolean | null; imminent_risk?: boolean | null }): Draft {
  const a: Assessment = { ...(c.assessment ?? {}) };
  if (c.cause_for_concern !== undefined && c.cause_for_concern !== null) a.cause_for_concern = c.cause_for_concern;
  if (c.imminent_risk !== undefined && c.imminent_risk !== null) a.imminent_risk = c.imminent_risk;
  return {
    addressed_as: c.addressed_as ?? '',
    caller_role: c.caller_role ?? '',
    force: c.force ?? '',
    themes: c.themes ?? [],
    actions: c.actions ?? [],
    outcome: c.outcome ?? '',
    assessment: a,
    actions_note: c.actions_note ?? '',
    follow_up_plan: c.follow_up_plan ?? '',
    signposting: c.signposting ?? [],
    notes: c.notes ?? '',
    distress_start: c.distress?.at_start === undefined ? '' : String(c.distress.at_start),
    distress_end: c.distress?.at_end === undefined ? '' : String(c.distress.at_end),
  };
}

// The PATCH body for a draft: coded fields only when chosen (the server refuses an empty code).
export function bodyOf(d: Draft): Record<string, unknown> {
  const body: Record<string, unknown> = {
    addressed_as: d.addressed_as,
    themes: d.themes,
    actions: d.actions,
    assessment: d.assessment,
    actions_note: d.actions_note,
    follow_up_plan: d.follow_up_plan,
    signposting: d.signposting,
    notes: d.notes,
    distress: {
      ...(d.distress_start === '' ? {} : { at_start: Number(d.distress_start) }),
      ...(d.distress_end === '' ? {} : { at_end: Number(d.distress_end) }),
    },
  };
  if (d.caller_role) body.caller_role = d.caller_role;
  if (d.force) body.force = d.force;
  if (d.outcome) body.outcome = d.outcome;
  return body;
}

export type SaveState =
  | { kind: 'saved'; at: number }
  | { kind: 'saving' }
  | { kind: 'pending' }
  // Not saved, kept here, tried again every 5 s (network, server unavailable, session expired).
  | { kind: 'failed'; message: string; field: string }
  // Not saved: the server refused it and would refuse it again. `advice` says what to do.
  | { kind: 'refused'; message: string; field: string; advice: string; closed: boolean };

// A refusal that sending again cannot change: any 4xx but an expired session (401), a timeout (408) or
// too many requests (429). A 409 about the version is retried once after a re-read before it gets here.
export function isRefusal(e: ApiError): boolean {
  return e.status >= 400 && e.status < 500 && ![401, 408, 429].includes(e.status);
}

function refusalOf(e: ApiError): SaveState {
  const closed = e.status === 409 && e.field !== 'version';
  const advice = closed
    ? 'This contact is closed, so it no longer takes changes. What you typed since the last save is still on this page: ' +
      'copy it before you leave the page, and ask your supervisor to add it.'
    : e.field
      ? 'Correct the field named, and it is saved again at once.'
      : 'Nothing is lost: it stays on this page. Change it and it is saved again, or ask your supervisor.';
  return { kind: 'refused', message: e.message, field: e.field, advice, closed };
}

export interface Saver {
  change(d: Draft): void;
  flush(): Promise<void>;
  // Saves and closes the contact (wrap-up), with the counsellor's latest draft.
  close(d: Draft): Promise<Contact>;
  dispose(): void;
}

export function createSaver(
  line: string,
  contact: Contact,
  onState: (s: SaveState) => void,
  onSaved: (c: Contact) => void,
  debounceMs = 500,
): Saver {
  const path = `/api/v1/lines/${encodeURIComponent(line)}/contacts/${encodeURIComponent(contact.id)}`;
  let version = contact.version;
  let pending: Draft | null = null;
  let inFlight: Promise<void> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let disposed = false;

  // Retries whatever is unsaved every 5 s (after a network error or an expired session).
  const retry = setInterval(() => {
    if (pending && !inFlight) void flush();
  }, 5000);

  let refused = false; // the last save was refused: wait for the counsellor's next change

  // A save (PATCH) or the close (POST .../close) on the current version. A stale version is re-read once
  // and the counsellor's fields sent again on top of it.
  async function send(body: Record<string, unknown>, closing = false): Promise<Contact> {
    const method = closing ? 'POST' : 'PATCH';
    const target = closing ? `${path}/close` : path;
    try {
      return await api<Contact>(method, target, { version, ...body });
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 409 || e.field !== 'version') throw e;
      const fresh = await api<Contact>('GET', `${path}?purpose=wrap_up`);
      if (fresh.status === 'closed') {
        throw new ApiError(409, 'conflict', '', 'this contact is closed and can no longer change');
      }
      version = fresh.version;
      return api<Contact>(method, target, { version, ...body });
    }
  }

  async function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    if (inFlight) {
      await inFlight;
      if (pending) return flush();
      return;
    }
    if (!pending || disposed || refused) return;
    const draft = pending;
    pending = null;
    onState({ kind: 'saving' });
    inFlight = (async () => {
      try {
        const saved = await send(bodyOf(draft));
        version = saved.version;
        onSaved(saved);
        if (!pending) onState({ kind: 'saved', at: Date.now() });
      } catch (e) {
        if (!pending) pending = draft; // keep it: nothing typed is dropped
        const err = e instanceof ApiError ? e : new ApiError(0, 'error', '', String(e));
        if (isRefusal(err)) {
          refused = true;
          onState(refusalOf(err));
        } else {
          onState({ kind: 'failed', message: err.message, field: err.field });
        }
      } finally {
        inFlight = null;
      }
    })();
    await inFlight;
  }

  return {
    change(d: Draft) {
      pending = d;
      refused = false;
      onState({ kind: 'pending' });
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void flush(), debounceMs);
    },
    flush,
    // Closing sends the latest draft with the close itself, so nothing typed is left behind, and says why
    // when the server refuses it (the wrap-up's gaps, a closed contact) or cannot be reached.
    async close(d: Draft) {
      if (timer) clearTimeout(timer);
      timer = null;
      if (inFlight) await inFlight;
      pending = null;
      refused = false;
      onState({ kind: 'saving' });
      try {
        const closed = await send(bodyOf(d), true);
        version = closed.version;
        onSaved(closed);
        onState({ kind: 'saved', at: Date.now() });
        return closed;
      } catch (e) {
        pending = d; // kept: a later change or retry saves it
        const err = e instanceof ApiError ? e : new ApiError(0, 'error', '', String(e));
        if (isRefusal(err) && err.status === 409) {
          refused = true;
          onState(refusalOf(err));
        } else if (isRefusal(err)) {
          // The wrap-up's own refusals (a gap the server found) are shown beside their field by the caller;
          // the notes themselves were not the problem, so they are saved as usual.
          onState({ kind: 'pending' });
          timer = setTimeout(() => void flush(), debounceMs);
        } else {
          onState({ kind: 'failed', message: err.message, field: err.field });
        }
        throw err;
      }
    },
    dispose() {
      disposed = true;
      clearInterval(retry);
      if (timer) clearTimeout(timer);
    },
  };
}
