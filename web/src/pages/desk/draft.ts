// The counsellor's notes on a contact, saved to the server as they type (the
// contact's sealed fields are the draft: encrypted at rest with the line's key).
// Saves are debounced, retried, and never lose a keystroke: a stale version
// (telephony recorded the answer or the end meanwhile) is re-read and the
// counsellor's fields are saved on top; an expired session keeps everything in
// memory until they sign in again.
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
  | { kind: 'failed'; message: string; field: string };

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

  async function send(body: Record<string, unknown>): Promise<Contact> {
    try {
      return await api<Contact>('PATCH', path, { version, ...body });
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 409) throw e;
      const fresh = await api<Contact>('GET', `${path}?purpose=on_call`);
      if (fresh.status === 'closed') throw e;
      version = fresh.version;
      return api<Contact>('PATCH', path, { version, ...body });
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
    if (!pending || disposed) return;
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
        onState({ kind: 'failed', message: err.message, field: err.field });
      } finally {
        inFlight = null;
      }
    })();
    await inFlight;
    if (pending && !timer) timer = setTimeout(() => void flush(), debounceMs);
  }

  return {
    change(d: Draft) {
      pending = d;
      onState({ kind: 'pending' });
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void flush(), debounceMs);
    },
    flush,
    async close(d: Draft) {
      pending = d;
      await flush();
      if (pending) throw new ApiError(0, 'unsaved', '', 'Your notes could not be saved yet; try again in a moment.');
      const closed = await api<Contact>('POST', `${path}/close`, { version, ...bodyOf(d) });
      version = closed.version;
      return closed;
    },
    dispose() {
      disposed = true;
      clearInterval(retry);
      if (timer) clearTimeout(timer);
    },
  };
}
