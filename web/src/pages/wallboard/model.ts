// Pure computations behind the supervisor wallboard: what each tile, row and
// alert shows, and how timings advance between updates. No DOM, no clock:
// `now` is always passed in, so every function here is unit-tested.
import type { Alert, LiveState } from '../../lib/liveState';
import type { CallLegs, CounsellorLive } from '../../lib/types';
import { clockTime, counted, duration, percent, stateName } from '../../lib/format';

// A timing the server measured at `receivedAt`, advanced to `now`. The reducer
// rebases values it changes by storing a negative offset, so clamp at zero.
export function elapsedMs(baseMs: number, receivedAt: number, now: number): number {
  return Math.max(0, baseMs + Math.max(0, now - receivedAt));
}

// ---- queues ----------------------------------------------------------------

export interface QueueTile {
  line: string;
  name: string;
  waiting: number | null; // null: no live picture yet
  longestWaitMs: number | null;
}

export function queueTiles(
  lines: string[],
  names: Record<string, string>,
  live: LiveState,
  now: number,
): QueueTile[] {
  const queues = live.picture?.queues;
  return lines.map((line) => {
    const q = queues?.[line];
    if (!live.picture) return { line, name: names[line] ?? line, waiting: null, longestWaitMs: null };
    const waiting = q?.waiting ?? 0;
    return {
      line,
      name: names[line] ?? line,
      waiting,
      longestWaitMs: waiting > 0 ? elapsedMs(q?.longest_wait_ms ?? 0, live.receivedAt, now) : 0,
    };
  });
}

export function waitingText(tile: QueueTile): string {
  return tile.waiting === null ? '–' : String(tile.waiting);
}

export function longestWaitText(tile: QueueTile): string {
  if (tile.longestWaitMs === null) return '–';
  return tile.waiting ? duration(tile.longestWaitMs) : '0:00';
}

// Longer than this is shown as a warning on the longest-wait tile.
export const LONG_WAIT_MS = 60_000;

export interface WaitingRow {
  call: string;
  line: string;
  position: number;
  language: string;
  waitMs: number;
  ringing: number;
  overflowed: boolean;
  offeredTo?: string;     // a supervisor's offer rings this counsellor now (reassign)
  offeredToName?: string;
}

export function waitingRows(live: LiveState, now: number): WaitingRow[] {
  const names = Object.fromEntries((live.picture?.counsellors ?? []).map((c) => [c.counsellor, c.display_name]));
  return (live.picture?.waiting ?? [])
    .map((w) => ({
      call: w.call,
      line: w.line,
      position: w.position,
      language: w.language,
      waitMs: elapsedMs(w.wait_ms, live.receivedAt, now),
      ringing: w.ringing?.length ?? 0,
      overflowed: !!w.overflowed,
      ...(w.offered_to ? { offeredTo: w.offered_to, offeredToName: names[w.offered_to] } : {}),
    }))
    .sort((a, b) => a.line.localeCompare(b.line) || a.position - b.position);
}

export function languageName(code: string): string {
  return code === 'cy' ? 'Welsh' : code === 'en' ? 'English' : code;
}

// ---- counsellors -----------------------------------------------------------

export interface Flags {
  cause_for_concern: boolean;
  imminent_risk: boolean;
}

export interface CounsellorRow {
  id: string;
  name: string;
  state: string;
  stateText: string;
  inStateMs: number;
  phoneRegistered: boolean;
  browserPhone: boolean; // they answer in the browser
  quality: QualityCell | null; // browser: their latest call quality
  flags: Flags | null; // of the call they are wrapping up, if any
}

// A browser phone's latest call quality, in words (the grade) and figures.
export interface QualityCell {
  grade: string;
  words: string;   // "Good", "Fair", "Poor"
  figures: string; // "lost 0.5 %, jitter 12 ms, round trip 40 ms"
}

const GRADE_NAMES: Record<string, string> = { good: 'Good', fair: 'Fair', poor: 'Poor' };

export function qualityCell(q: CounsellorLive['call_quality']): QualityCell | null {
  if (!q) return null;
  const figures = [`lost ${q.loss_percent.toFixed(1)} %`, `jitter ${Math.round(q.jitter_ms)} ms`];
  if (q.rtt_ms !== null) figures.push(`round trip ${Math.round(q.rtt_ms)} ms`);
  return { grade: q.grade, words: GRADE_NAMES[q.grade] ?? q.grade, figures: figures.join(', ') };
}

const reasonText: Record<string, string> = {
  chosen: '',
  missed_call: 'missed a call',
  phone_failed: 'phone problem',
};

export function counsellorStateText(c: Pick<CounsellorLive, 'state' | 'reason'>): string {
  const base = stateName(c.state);
  const reason = c.state === 'break' && c.reason ? reasonText[c.reason] ?? c.reason.replace(/_/g, ' ') : '';
  return reason ? `${base} (${reason})` : base;
}

export function counsellorRows(live: LiveState, now: number): CounsellorRow[] {
  return (live.picture?.counsellors ?? [])
    .map((c) => ({
      id: c.counsellor,
      name: c.display_name || c.counsellor,
      state: c.state,
      // Available with no phone registered: no call can reach them, so the wallboard says so.
      stateText: c.state === 'available' && !c.phone_registered ? 'Available, no phone: calls cannot reach them'
        : counsellorStateText(c),
      inStateMs: elapsedMs(c.in_state_ms, live.receivedAt, now),
      phoneRegistered: c.phone_registered,
      browserPhone: c.phone_registered && c.browser_phone === true,
      quality: c.phone_registered && c.browser_phone ? qualityCell(c.call_quality) : null,
      flags: c.call && (c.state === 'on_call' || c.state === 'wrap_up') ? live.flags[c.call] ?? null : null,
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

export const STATE_ORDER = ['available', 'ringing', 'on_call', 'wrap_up', 'break', 'offline'] as const;

export function stateCounts(rows: CounsellorRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of STATE_ORDER) counts[s] = 0;
  for (const r of rows) {
    // Only a counsellor a call can reach counts as available (the console itself is not a phone yet).
    const state = r.state === 'available' && !r.phoneRegistered ? 'available_no_phone' : r.state;
    counts[state] = (counts[state] ?? 0) + 1;
  }
  return counts;
}

// ---- active calls ----------------------------------------------------------

export interface ActiveRow {
  call: string;
  line: string;
  counsellor: string;
  counsellorName: string;
  talkMs: number;
  flags: Flags;
  heldMs: number | null; // on hold from the counsellor's desk: for how long; null when not held
  monitor: { supervisor: string; supervisorName: string; mode: string; state: string } | null;
  // the counsellor consults a colleague about it (the caller on hold): whom, and whether they have answered
  consult: { to: string; toName: string; state: 'ringing' | 'connected' } | null;
  // a third party the counsellor added: its kind, and for a colleague who (a service is named by its kind only)
  conference: { kind: string; state: string; toName: string | null } | null;
  encrypted: boolean; // both legs' media encrypted (SRTP or DTLS-SRTP)
  legs: CallLegs | null; // how each leg is protected, when the server said
}

// Calls in progress with their talk time and flags: ids and timings only. A call whose
// counsellor is known to have moved on (wrap-up, available…) is left out even if the
// picture has not caught up yet.
export function activeRows(live: LiveState, now: number): ActiveRow[] {
  const counsellors = new Map((live.picture?.counsellors ?? []).map((c) => [c.counsellor, c]));
  return (live.picture?.active ?? [])
    .filter((a) => {
      const c = counsellors.get(a.counsellor);
      return !c || c.state === 'on_call';
    })
    .map((a) => ({
      call: a.call,
      line: a.line,
      counsellor: a.counsellor,
      counsellorName: counsellors.get(a.counsellor)?.display_name || a.counsellor || 'Partner service',
      talkMs: elapsedMs(a.talk_ms, live.receivedAt, now),
      flags: live.flags[a.call] ?? { cause_for_concern: false, imminent_risk: false },
      heldMs: a.call in (live.held ?? {}) ? Math.max(0, now - live.held[a.call]) : null,
      monitor: live.monitors?.[a.call]
        ? { ...live.monitors[a.call], supervisorName: counsellors.get(live.monitors[a.call].supervisor)?.display_name || 'A supervisor' }
        : null,
      consult: consultOf(live, a.call, counsellors),
      conference: conferenceOf(live, a.call, counsellors),
      encrypted: a.encrypted === true,
      legs: a.legs ?? null,
    }))
    .sort((a, b) => b.talkMs - a.talkMs || a.call.localeCompare(b.call));
}

// A consult still under way on a call (one that ended is no longer shown on the floor).
function consultOf(live: LiveState, call: string, counsellors: Map<string, { display_name?: string }>): ActiveRow['consult'] {
  const c = live.consults?.[call];
  if (!c || c.state === 'ended') return null;
  return { to: c.to, toName: counsellors.get(c.to)?.display_name || 'A colleague', state: c.state };
}

// A three-party call still under way (one that ended is no longer shown on the floor); a colleague by name.
function conferenceOf(live: LiveState, call: string, counsellors: Map<string, { display_name?: string }>): ActiveRow['conference'] {
  const c = live.conferences?.[call];
  if (!c || c.state === 'ended') return null;
  const colleague = c.kind === 'colleague' && c.to.startsWith('counsellor:') ? c.to.slice('counsellor:'.length) : null;
  return { kind: c.kind, state: c.state, toName: colleague ? counsellors.get(colleague)?.display_name || 'a colleague' : null };
}

// The wallboard's words for a call's encryption: "Encrypted", or "Not encrypted" and which legs are plain.
export function encryptionText(row: Pick<ActiveRow, 'encrypted' | 'legs'>): string {
  if (row.encrypted) return 'Encrypted';
  const plain = row.legs ? (['caller', 'counsellor'] as const).filter((side) => row.legs?.[side] === 'rtp') : [];
  if (plain.length === 0) return 'Not encrypted';
  return `Not encrypted (${plain.join(' and ')} ${plain.length > 1 ? 'legs' : 'leg'} plain)`;
}

// ---- escalation alerts -----------------------------------------------------

export function pendingAlerts(alerts: Alert[], acknowledgedHere: ReadonlySet<number>): Alert[] {
  return alerts.filter((a) => !a.acknowledged && !acknowledgedHere.has(a.seq)).sort((a, b) => a.seq - b.seq);
}

export function alertText(alert: Alert, counsellorNames: Record<string, string>, lineNames: Record<string, string>): string {
  const who = counsellorNames[alert.counsellor] || 'A counsellor';
  const line = lineNames[alert.line] || alert.line || 'a line';
  const at = clockTime(alert.at);
  return `${who} escalated a call on ${line}${at ? ` at ${at}` : ''}.`;
}

// ---- today's figures -------------------------------------------------------

export interface Today {
  from: string;
  offered: number;
  answered: number;
  abandoned: number;
  overflowed: number;
  answer_rate: number | null;
  average_speed_of_answer_s: number | null;
  answered_within_20s: number;
  answered_within_60s: number;
  service_level_20s: number | null;
  service_level_60s: number | null;
  follow_ups_overdue: number;
}

export interface Tile {
  key: string;
  label: string;
  value: string;
  detail?: string;
  warn?: boolean;
}

function count(n: number | null | undefined): string {
  return typeof n === 'number' && Number.isFinite(n) ? String(n) : '–';
}

export function secondsText(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '–';
  return duration(Math.round(s) * 1000);
}

export function todayTiles(t: Today): Tile[] {
  return [
    { key: 'offered', label: 'Calls offered', value: count(t.offered) },
    { key: 'answered', label: 'Answered', value: count(t.answered) },
    { key: 'abandoned', label: 'Abandoned', value: count(t.abandoned), warn: t.abandoned > 0 },
    { key: 'overflowed', label: 'Overflowed', value: count(t.overflowed) },
    { key: 'answer_rate', label: 'Answer rate', value: percent(t.answer_rate) },
    { key: 'asa', label: 'Average time to answer', value: secondsText(t.average_speed_of_answer_s) },
    {
      key: 'sl20',
      label: 'Answered within 20 s',
      value: percent(t.service_level_20s),
      detail: counted(t.answered_within_20s, 'call', 'calls'),
    },
    {
      key: 'sl60',
      label: 'Answered within 60 s',
      value: percent(t.service_level_60s),
      detail: counted(t.answered_within_60s, 'call', 'calls'),
    },
  ];
}


export function sinceText(from: string | undefined): string {
  const t = clockTime(from);
  return t ? `since ${t}` : '';
}
