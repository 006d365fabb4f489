// Three-party conferences in the live picture: a pure reducer over `/api/v1/live` and the `call.conference`
// events (docs/api.md, "three-party conference"), kept apart from liveState.ts and tested on its own.
import type { LiveEvent, LivePicture } from './types';

// A third party the counsellor added to a call: a colleague ("counsellor:<staff id>") or one of the line's external
// services ("external:<id>"), ringing, talking with both, or just gone (with the server's reason). Ids only.
export interface Conference {
  to: string;
  kind: string;    // "colleague" | "emergency" | "partner"
  state: 'ringing' | 'connected' | 'ended';
  reason?: string; // when ended: "dropped", "hung_up", "no_answer", "declined", "left", ...
}

function stateOf(value: unknown): Conference['state'] {
  return value === 'connected' ? 'connected' : value === 'ended' ? 'ended' : 'ringing';
}

// The conferences the picture shows (my call, and the floor's calls for a supervisor), plus one of mine that
// has just ended, so the desk can keep saying why until the next.
export function conferencesOf(picture: LivePicture | null, before: Record<string, Conference> = {}): Record<string, Conference> {
  const out: Record<string, Conference> = {};
  const me = picture?.me;
  if (me?.call && me.conference) out[me.call] = { ...me.conference, state: stateOf(me.conference.state) };
  for (const a of picture?.active ?? []) {
    if (a.conference) out[a.call] = { ...a.conference, state: stateOf(a.conference.state) };
  }
  for (const [id, c] of Object.entries(before)) {
    if (c.state === 'ended' && me?.call === id && !out[id]) out[id] = c;
  }
  return out;
}

// The call a colleague has added me to (I am their third party), from the picture: my own entry names me.
export function conferencedInto(picture: LivePicture | null): string | null {
  const me = picture?.me;
  return me?.call && me.conference && me.conference.to === `counsellor:${me.counsellor}` ? me.call : null;
}

// Applies a call.conference event (anything else, and the end of the call, as the caller says).
export function applyConferenceEvent(conferences: Record<string, Conference>, e: LiveEvent): Record<string, Conference> {
  const data = e.data ?? {};
  const call = typeof data.call === 'string' ? data.call : '';
  if (!call) return conferences;
  if (e.type === 'call.ended' || e.type === 'call.abandoned') {
    if (!(call in conferences)) return conferences;
    const { [call]: _over, ...rest } = conferences;
    return rest;
  }
  if (e.type !== 'call.conference') return conferences;
  const next: Conference = { to: String(data.to ?? ''), kind: String(data.kind ?? ''), state: stateOf(data.state) };
  if (next.state === 'ended' && typeof data.reason === 'string') next.reason = data.reason;
  return { ...conferences, [call]: next };
}
