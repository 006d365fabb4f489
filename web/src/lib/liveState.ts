// The live picture kept up to date from the feed: a pure reducer, tested without a socket.
import { applyConferenceEvent, conferencedInto as conferencedIntoOf, conferencesOf, type Conference } from './conferences';
import type { CallLegs, CallQualityLive, CounsellorLive, LiveEvent, LivePicture } from './types';

export interface Alert {
  seq: number;
  at: string;
  line: string;
  contact: string;
  counsellor: string;
  acknowledged: boolean;
}

export interface RingingCall {
  call: string;
  line: string;
  language: string;
  wait_ms: number;
  repeat_count?: number;
  browser?: boolean; // it rings this counsellor's browser phone (answered on the desk), not a desk phone
  since: number; // Date.now() when it started ringing here
  at: string;    // when the server published it (the event's time)
}

// A call of mine that has ended, as the live feed said (before the contact record shows it).
export interface CallEnd {
  at: string;       // when the server ended it (the event's time)
  talk_ms: number | null;
  reason: string;   // "completed", "failed", ...
  shown: number;    // Date.now() when this console learnt of it
}

export interface LiveState {
  picture: LivePicture | null;
  receivedAt: number;     // Date.now() when `picture` arrived; timings advance from it
  ringing: RingingCall | null;  // a counsellor's own phone ringing
  currentCall: string | null;   // the call (= contact id) a counsellor is on or wrapping up
  flags: Record<string, { cause_for_concern: boolean; imminent_risk: boolean }>;
  alerts: Alert[];
  events: number;          // events applied: components re-render on change
  lastEventType: string;
  callEvents: number;      // call.bridged/ended/abandoned/overflow applied: today's figures are stale
  callEnds: Record<string, CallEnd>;  // my calls that have ended, by call (= contact) id
  announcementEvents: number;  // announcement.added/acknowledged applied: the new content readers are stale
  phoneTakenFrom: string | null;  // the browser tab whose phone another tab took over (phone.taken_over)
  held: Record<string, number>;   // calls on hold (the counsellor pressed Hold): Date.now() when the hold began
  monitors: Record<string, Monitor>;  // calls a supervisor monitors (or is being rung to), by call id
  transfers: Record<string, Transfer>;  // my calls' blind transfers to a colleague: ringing, or just failed
  consults: Record<string, Consult>;    // consults with a colleague: my calls' (ringing, connected, or just ended),
                                        // and on a supervisor's floor those of the calls in progress
  consultingFor: string | null;         // the call a colleague is consulting me about (I am their colleague)
  conferences: Record<string, Conference>;  // calls with a third party added (lib/conferences.ts), by call id
  conferencedInto: string | null;       // the call a colleague has added me to as its third party
}

// A consult (warm transfer) of a call with a colleague (staff id): their phone rings, they are talking to the
// counsellor (the caller on hold meanwhile), or it ended without the hand-over (with the server's reason).
export interface Consult {
  to: string;
  state: 'ringing' | 'connected' | 'ended';
  reason?: string;
  wasHeld?: boolean;  // the caller was on hold before the consult: still on hold after it
}

// A blind transfer of a call to a colleague (staff id): their phone rings ("ringing", the caller on hold), or it
// went unanswered and the call is the counsellor's again ("failed", with the server's reason).
export interface Transfer {
  to: string;
  state: 'ringing' | 'failed';
  reason?: string;
  wasHeld?: boolean;  // the caller was on hold before the transfer: still on hold if it fails
}

// A supervisor listening to, coaching on or joined to a call: ids and modes only.
export interface Monitor {
  supervisor: string;
  mode: string;   // "listen" | "coach" | "join"
  state: string;  // "ringing" | "connected"
}

export const emptyLive: LiveState = {
  picture: null,
  receivedAt: 0,
  ringing: null,
  currentCall: null,
  flags: {},
  alerts: [],
  events: 0,
  lastEventType: '',
  callEvents: 0,
  callEnds: {},
  announcementEvents: 0,
  phoneTakenFrom: null,
  held: {},
  monitors: {},
  transfers: {},
  consults: {},
  consultingFor: null,
  conferences: {},
  conferencedInto: null,
};

export function withPicture(state: LiveState, picture: LivePicture | null, now: number): LiveState {
  const me = picture?.me ?? null;
  let currentCall = state.currentCall;
  // Consulted by a colleague about their call: on a call, but not this counsellor's call to handle.
  const consultingFor = me?.call && me.consult && me.consult.to === me.counsellor ? me.call : null;
  // Added to a colleague's call as its third party: on it, but theirs to handle.
  const conferencedInto = conferencedIntoOf(picture);
  if (me?.call && (me.state === 'on_call' || me.state === 'wrap_up') && !consultingFor && !conferencedInto) {
    currentCall = me.call;
  }
  if (me?.wrapping_up && me.state === 'wrap_up') currentCall = me.wrapping_up; // a desk reloaded in wrap-up
  // Flags of calls in progress come with the picture too (a wallboard opened mid-call).
  const flags = { ...state.flags };
  for (const a of picture?.active ?? []) {
    if (a.cause_for_concern || a.imminent_risk) {
      flags[a.call] = {
        cause_for_concern: Boolean(a.cause_for_concern) || Boolean(flags[a.call]?.cause_for_concern),
        imminent_risk: Boolean(a.imminent_risk) || Boolean(flags[a.call]?.imminent_risk),
      };
    }
  }
  // Calls on hold: the picture is the whole truth (a counsellor's own call; a supervisor's floor).
  const held: Record<string, number> = {};
  if (me?.call && me.held) held[me.call] = now - (me.held_ms ?? 0);
  for (const a of picture?.active ?? []) {
    if (a.held) held[a.call] = now - (a.held_ms ?? 0);
  }
  const monitors: Record<string, Monitor> = {};
  if (me?.call && me.monitor) monitors[me.call] = me.monitor;
  for (const a of picture?.active ?? []) {
    if (a.monitor) monitors[a.call] = a.monitor;
  }
  const transfers: Record<string, Transfer> = {};
  if (me?.call && me.transfer) transfers[me.call] = { to: me.transfer.to, state: 'ringing' };
  for (const [id, t] of Object.entries(state.transfers)) {
    if (t.state === 'failed' && me?.call === id) transfers[id] = t;  // keep saying so until the next transfer
  }
  const consults: Record<string, Consult> = {};
  if (me?.call && me.consult && !consultingFor) {
    consults[me.call] = { to: me.consult.to, state: me.consult.state === 'connected' ? 'connected' : 'ringing' };
  }
  for (const a of picture?.active ?? []) {
    if (a.consult && !consults[a.call]) {
      consults[a.call] = { to: a.consult.to, state: a.consult.state === 'connected' ? 'connected' : 'ringing' };
    }
  }
  for (const [id, c] of Object.entries(state.consults)) {
    if (c.state === 'ended' && me?.call === id && !consults[id]) consults[id] = c;  // say so until the next one
  }
  return {
    ...state,
    flags,
    held,
    monitors,
    transfers,
    consults,
    consultingFor,
    conferences: conferencesOf(picture, state.conferences),
    conferencedInto,
    picture,
    receivedAt: now,
    ringing: me?.state === 'ringing' ? state.ringing : null,
    currentCall,
  };
}

function updateCounsellor(picture: LivePicture, id: string, change: Partial<CounsellorLive>): LivePicture {
  const apply = (c: CounsellorLive) => (c.counsellor === id ? { ...c, ...change } : c);
  return {
    ...picture,
    me: picture.me && picture.me.counsellor === id ? apply(picture.me) : picture.me,
    counsellors: picture.counsellors?.map(apply),
  };
}

// The legs of a call.bridged event, when it names them.
function legsOf(value: unknown): CallLegs | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { caller, counsellor } = value as Record<string, unknown>;
  return typeof caller === 'string' && typeof counsellor === 'string' ? { caller, counsellor } : undefined;
}

const CALL_FIGURE_EVENTS = new Set(['call.bridged', 'call.ended', 'call.abandoned', 'call.overflow']);

// Keeps a supervisor's lists of waiting and active calls current between pictures. Timings in the
// picture are relative to receivedAt, so a call that starts now gets -(now - receivedAt).
function trackCalls(picture: LivePicture, e: LiveEvent, call: string, rebase: (ms: number) => number): LivePicture {
  if (!picture.waiting || !picture.active || !call) return picture;
  let waiting = picture.waiting;
  let active = picture.active;
  const data = e.data ?? {};
  switch (e.type) {
    case 'call.queued':
      if (!waiting.some((w) => w.call === call)) {
        waiting = [...waiting, { call, line: e.line ?? '', language: String(data.language ?? 'en'),
          position: waiting.filter((w) => w.line === e.line).length + 1, wait_ms: rebase(0), ringing: [], overflowed: false }];
      }
      break;
    case 'call.ringing':
      waiting = waiting.map((w) => (w.call === call && e.counsellor && !w.ringing.includes(e.counsellor)
        ? { ...w, ringing: [...w.ringing, e.counsellor] } : w));
      break;
    case 'call.overflow':
      waiting = waiting.map((w) => (w.call === call ? { ...w, overflowed: true } : w));
      break;
    case 'call.offered': // a supervisor's offer rings e.counsellor for this waiting caller
      waiting = waiting.map((w) => (w.call === call ? { ...w, offered_to: e.counsellor } : w));
      break;
    case 'call.offer_ended':
      waiting = waiting.map((w) => {
        if (w.call !== call) return w;
        const { offered_to: _lapsed, ...rest } = w;
        return { ...rest, ringing: rest.ringing.filter((r) => r !== e.counsellor) };
      });
      break;
    case 'call.bridged':
      waiting = waiting.filter((w) => w.call !== call);
      if (!active.some((a) => a.call === call)) {
        active = [...active, { call, line: e.line ?? '', counsellor: e.counsellor ?? '', wait_ms: Number(data.wait_ms ?? 0), talk_ms: rebase(0),
          encrypted: data.encrypted === true, legs: legsOf(data.legs) }];
      }
      break;
    case 'call.ended':
    case 'call.abandoned':
      waiting = waiting.filter((w) => w.call !== call);
      active = active.filter((a) => a.call !== call);
      break;
    default:
      return picture;
  }
  const queues = { ...picture.queues };
  if (e.line) {
    const mine = waiting.filter((w) => w.line === e.line);
    queues[e.line] = { waiting: mine.length, longest_wait_ms: mine.reduce((m, w) => Math.max(m, w.wait_ms), 0) };
  }
  return { ...picture, waiting, active, queues };
}

// Applies one event. `myId` is the signed-in person's staff id.
export function applyEvent(state: LiveState, e: LiveEvent, myId: string, now: number): LiveState {
  let next: LiveState = {
    ...state,
    events: state.events + 1,
    lastEventType: e.type,
    callEvents: state.callEvents + (CALL_FIGURE_EVENTS.has(e.type) ? 1 : 0),
    announcementEvents: (state.announcementEvents ?? 0) + (e.type.startsWith('announcement.') ? 1 : 0),
  };
  const data = e.data ?? {};
  const call = typeof data.call === 'string' ? data.call : '';
  const rebase = (ms: number) => ms - (now - next.receivedAt);
  if (next.picture && e.type.startsWith('call.')) next.picture = trackCalls(next.picture, e, call, rebase);
  next.conferences = applyConferenceEvent(next.conferences ?? {}, e);
  switch (e.type) {
    case 'counsellor.state': {
      if (!next.picture || !e.counsellor) break;
      const change: Partial<CounsellorLive> = {
        state: String(data.state ?? ''),
        in_state_ms: 0,
        reason: typeof data.reason === 'string' ? data.reason : undefined,
      };
      if (typeof data.call === 'string') change.call = data.call;
      else if (['available', 'break', 'offline'].includes(String(data.state))) change.call = undefined;
      if (typeof data.wrap_up_ends === 'string') change.wrap_up_ends = data.wrap_up_ends;
      // Timings of the others are relative to receivedAt: rebase this one.
      change.in_state_ms = -(now - next.receivedAt);
      next.picture = updateCounsellor(next.picture, e.counsellor, change);
      if (e.counsellor === myId && change.state !== 'ringing') next.ringing = null;
      break;
    }
    case 'queue.summary': {
      if (!next.picture || !e.line) break;
      next.picture = {
        ...next.picture,
        queues: {
          ...next.picture.queues,
          [e.line]: { waiting: Number(data.waiting ?? 0), longest_wait_ms: rebase(Number(data.longest_wait_ms ?? 0)) },
        },
      };
      break;
    }
    case 'call.ringing':
      if (e.counsellor === myId) {
        next.ringing = {
          call,
          line: e.line ?? '',
          language: String(data.language ?? 'en'),
          wait_ms: Number(data.wait_ms ?? 0),
          repeat_count: typeof data.repeat_count === 'number' ? data.repeat_count : undefined,
          browser: data.browser === true,
          since: now,
          at: e.at,
        };
      }
      break;
    case 'browser.ring_stopped':
      if (e.counsellor === myId && next.ringing && next.ringing.call === call) next.ringing = null;
      break;
    case 'phone.taken_over':
      if (e.counsellor === myId) next.phoneTakenFrom = String(data.tab ?? '');
      break;
    case 'call.repeat_count':
      if (next.ringing && next.ringing.call === call) {
        next.ringing = { ...next.ringing, repeat_count: Number(data.repeat_count ?? 0) };
      }
      break;
    case 'call.bridged':
      if (e.counsellor === myId) {
        next.ringing = null;
        next.currentCall = call;
        next.consultingFor = null;  // a consult completed: the caller is mine now (under the new contact's id)
        next.conferencedInto = null;  // or the colleague left the caller with me
      } else if (next.ringing && next.ringing.call === call) {
        next.ringing = null; // someone else answered
      }
      break;
    case 'call.held':
      if (call) next.held = { ...next.held, [call]: now };
      break;
    case 'call.resumed':
      if (call && call in next.held) {
        const { [call]: _resumed, ...rest } = next.held;
        next.held = rest;
      }
      break;
    case 'call.transferring':
      if (call) {
        next.transfers = { ...next.transfers, [call]: { to: String(data.to ?? ''), state: 'ringing', wasHeld: call in next.held } };
        if (!(call in next.held)) next.held = { ...next.held, [call]: now };  // the caller hears the hold audio
      }
      break;
    case 'call.transfer_failed':
      if (call) {
        const wasHeld = next.transfers[call]?.wasHeld ?? false;
        next.transfers = { ...next.transfers, [call]: { to: String(data.to ?? ''), state: 'failed', reason: String(data.reason ?? '') } };
        if (!wasHeld && call in next.held) {
          const { [call]: _back, ...rest } = next.held;
          next.held = rest;
        }
      }
      break;
    case 'call.consulting':
      if (call && String(data.to ?? '') === myId) {
        next.consultingFor = call;  // a colleague consults me: it rings me, then we talk
        if (data.state === 'connected' && next.ringing?.call === call) next.ringing = null;
      }
      if (call) {  // (a supervisor consulted about a call still sees it on their floor)
        const wasHeld = next.consults[call]?.wasHeld ?? (call in next.held);
        next.consults = { ...next.consults, [call]: { to: String(data.to ?? ''), state: data.state === 'connected' ? 'connected' : 'ringing', wasHeld } };
        if (!(call in next.held)) next.held = { ...next.held, [call]: now };  // the caller hears the hold audio
      }
      break;
    case 'call.consult_ended':
      if (call && String(data.to ?? '') === myId) {
        if (next.consultingFor === call) next.consultingFor = null;
        if (next.ringing?.call === call) next.ringing = null;
        // My leg of it is gone: a browser phone that answered it closes its connection (BrowserPhonePanel).
        next.callEnds = { ...next.callEnds, [call]: { at: e.at, talk_ms: null, reason: 'consult_ended', shown: now } };
      }
      if (call) {
        const wasHeld = next.consults[call]?.wasHeld ?? false;
        next.consults = { ...next.consults, [call]: { to: String(data.to ?? ''), state: 'ended', reason: String(data.reason ?? '') } };
        if (!wasHeld && call in next.held) {
          const { [call]: _back, ...rest } = next.held;
          next.held = rest;
        }
      }
      break;
    case 'call.conference':
      if (call && String(data.to ?? '') === `counsellor:${myId}`) {
        if (data.state !== 'ended') {
          next.conferencedInto = call;  // a colleague adds me to their call: it rings me, then the three of us talk
          if (data.state === 'connected' && next.ringing?.call === call) next.ringing = null;
        } else {
          if (next.conferencedInto === call) next.conferencedInto = null;
          if (next.ringing?.call === call) next.ringing = null;
          // Dropped or gone: my leg of it ends, and a browser phone that answered it closes (BrowserPhonePanel).
          // Left to me, the call carries on with me under its next contact's id (call.bridged).
          if (data.reason !== 'left') {
            next.callEnds = { ...next.callEnds, [call]: { at: e.at, talk_ms: null, reason: 'conference_ended', shown: now } };
          }
        }
      }
      break;
    case 'call.monitor':
      if (call && data.state === 'ended') {
        const { [call]: _gone, ...rest } = next.monitors;
        next.monitors = rest;
      } else if (call) {
        next.monitors = {
          ...next.monitors,
          [call]: { supervisor: String(data.supervisor ?? ''), mode: String(data.mode ?? ''), state: String(data.state ?? '') },
        };
      }
      break;
    case 'call.ended':
    case 'call.abandoned':
      if (call && call in next.monitors) {
        const { [call]: _over, ...rest } = next.monitors;
        next.monitors = rest;
      }
      if (call && call in next.held) {
        const { [call]: _ended, ...rest } = next.held;
        next.held = rest;
      }
      if (call && call in next.transfers) {
        const { [call]: _handed, ...rest } = next.transfers;
        next.transfers = rest;
      }
      if (call && call in next.consults) {
        const { [call]: _over, ...rest } = next.consults;
        next.consults = rest;
      }
      if (call && next.consultingFor === call) next.consultingFor = null;
      if (call && next.conferencedInto === call) next.conferencedInto = null;
      if (next.ringing && next.ringing.call === call) next.ringing = null;
      if (e.type === 'call.ended' && call && (e.counsellor === myId || next.currentCall === call)) {
        next.callEnds = {
          ...next.callEnds,
          [call]: {
            at: e.at,
            talk_ms: typeof data.talk_ms === 'number' ? data.talk_ms : null,
            reason: String(data.reason ?? ''),
            shown: now,
          },
        };
      }
      break;
    case 'contact.flags': {
      const contact = String(data.contact ?? '');
      if (contact) {
        next.flags = {
          ...next.flags,
          [contact]: { cause_for_concern: data.cause_for_concern === true, imminent_risk: data.imminent_risk === true },
        };
      }
      break;
    }
    case 'phone.registered':
    case 'phone.unregistered':
      if (next.picture && e.counsellor) {
        const registered = e.type === 'phone.registered';
        const browser = registered && data.browser === true;
        next.picture = updateCounsellor(next.picture, e.counsellor, {
          phone_registered: registered,
          browser_phone: browser,
          ...(browser ? {} : { call_quality: undefined }),
        });
      }
      break;
    case 'phone.quality':
      // Sent when a browser call's grade changes: the wallboard's quality column follows.
      if (next.picture && e.counsellor) {
        const quality: CallQualityLive = {
          call,
          grade: String(data.grade ?? ''),
          loss_percent: Number(data.loss_percent ?? 0),
          jitter_ms: Number(data.jitter_ms ?? 0),
          rtt_ms: typeof data.rtt_ms === 'number' ? data.rtt_ms : null,
          at: e.at,
        };
        next.picture = updateCounsellor(next.picture, e.counsellor, { browser_phone: true, call_quality: quality });
      }
      break;
    case 'escalation.raised': {
      const contact = String(data.contact ?? '');
      if (contact) {
        next.flags = {
          ...next.flags,
          [contact]: { cause_for_concern: next.flags[contact]?.cause_for_concern ?? false, imminent_risk: true },
        };
      }
      next.alerts = [
        ...next.alerts,
        {
          seq: e.seq,
          at: e.at,
          line: e.line ?? '',
          contact: String(data.contact ?? ''),
          counsellor: e.counsellor ?? '',
          acknowledged: false,
        },
      ];
      break;
    }
    default:
      break;
  }
  return next;
}

export function acknowledge(state: LiveState, seq: number): LiveState {
  return { ...state, alerts: state.alerts.map((a) => (a.seq === seq ? { ...a, acknowledged: true } : a)) };
}
