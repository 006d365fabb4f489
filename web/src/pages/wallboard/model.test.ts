import { describe, expect, it } from 'vitest';
import { emptyLive, type LiveState } from '../../lib/liveState';
import {
  activeRows,
  encryptionText,
  alertText,
  counsellorRows,
  counsellorStateText,
  elapsedMs,
  longestWaitText,
  pendingAlerts,
  queueTiles,
  secondsText,
  stateCounts,
  todayTiles,
  waitingRows,
  waitingText,
  type Today,
} from './model';
import { afterFailure } from './today';
import { ApiError } from '../../lib/api';

const T0 = 1_800_000_000_000;

function live(extra: Partial<LiveState> = {}): LiveState {
  return {
    ...emptyLive,
    receivedAt: T0,
    picture: {
      at: '2027-01-15T10:00:00.000Z',
      queues: { police: { waiting: 2, longest_wait_ms: 65_000 }, fire: { waiting: 0, longest_wait_ms: 0 } },
      me: null,
      waiting: [
        { call: 'ct_b', line: 'police', language: 'cy', position: 2, wait_ms: 5_000, ringing: [], overflowed: false },
        { call: 'ct_a', line: 'police', language: 'en', position: 1, wait_ms: 65_000, ringing: ['st_1'], overflowed: false },
      ],
      active: [
        { call: 'ct_on', line: 'police', counsellor: 'st_2', wait_ms: 3_000, talk_ms: 120_000 },
        { call: 'ct_gone', line: 'police', counsellor: 'st_3', wait_ms: 3_000, talk_ms: 10_000 },
      ],
      counsellors: [
        { counsellor: 'st_2', display_name: 'Sam', state: 'on_call', in_state_ms: 120_000, phone_registered: true, call: 'ct_on' },
        { counsellor: 'st_3', display_name: 'Ceri', state: 'wrap_up', in_state_ms: -2_000, phone_registered: true, call: 'ct_gone' },
        { counsellor: 'st_1', display_name: 'Alex', state: 'break', reason: 'missed_call', in_state_ms: 30_000, phone_registered: false },
      ],
    },
    ...extra,
  };
}

describe('elapsedMs', () => {
  it('advances a timing from when the picture arrived', () => {
    expect(elapsedMs(5_000, T0, T0 + 3_000)).toBe(8_000);
  });
  it('never goes below zero (rebased values are negative offsets)', () => {
    expect(elapsedMs(-4_000, T0, T0 + 1_000)).toBe(0);
    expect(elapsedMs(-4_000, T0, T0 + 6_000)).toBe(2_000);
  });
  it('ignores a clock that went backwards', () => {
    expect(elapsedMs(5_000, T0, T0 - 10_000)).toBe(5_000);
  });
});

describe('queue tiles', () => {
  it('shows waiting callers and the longest wait ticking', () => {
    const [police, fire] = queueTiles(['police', 'fire'], { police: 'Police line' }, live(), T0 + 5_000);
    expect(police).toMatchObject({ name: 'Police line', waiting: 2, longestWaitMs: 70_000 });
    expect(waitingText(police)).toBe('2');
    expect(longestWaitText(police)).toBe('1:10');
    expect(fire.name).toBe('fire');
    expect(longestWaitText(fire)).toBe('0:00');
  });
  it('shows dashes before the first picture', () => {
    const [t] = queueTiles(['police'], {}, emptyLive, T0);
    expect(waitingText(t)).toBe('–');
    expect(longestWaitText(t)).toBe('–');
  });
  it('a line without a queue entry has nobody waiting', () => {
    const [t] = queueTiles(['other'], {}, live(), T0);
    expect(t.waiting).toBe(0);
  });
  it('lists waiting callers in queue order with ticking waits', () => {
    const rows = waitingRows(live(), T0 + 1_000);
    expect(rows.map((r) => r.call)).toEqual(['ct_a', 'ct_b']);
    expect(rows[0]).toMatchObject({ waitMs: 66_000, ringing: 1, language: 'en' });
  });
});

describe('counsellors', () => {
  it('gives state, reason and ticking time in state, sorted by name', () => {
    const rows = counsellorRows(live(), T0 + 10_000);
    expect(rows.map((r) => r.name)).toEqual(['Alex', 'Ceri', 'Sam']);
    expect(rows[0]).toMatchObject({ stateText: 'On a break (missed a call)', inStateMs: 40_000, phoneRegistered: false });
    expect(rows[1]).toMatchObject({ stateText: 'Wrap-up', inStateMs: 8_000 });
    expect(rows[2].inStateMs).toBe(130_000);
  });
  it('describes a chosen break without a reason', () => {
    expect(counsellorStateText({ state: 'break', reason: 'chosen' })).toBe('On a break');
    expect(counsellorStateText({ state: 'on_call' })).toBe('On a call');
  });
  it('counts counsellors by state', () => {
    const counts = stateCounts(counsellorRows(live(), T0));
    expect(counts).toMatchObject({ on_call: 1, wrap_up: 1, break: 1, available: 0, offline: 0 });
  });
  it('does not count a counsellor with no phone as available, and says why', () => {
    const state = live();
    const counsellors = [
      { counsellor: 'st_a', display_name: 'Ash', state: 'available', in_state_ms: 0, phone_registered: true },
      { counsellor: 'st_b', display_name: 'Bo', state: 'available', in_state_ms: 0, phone_registered: false },
    ];
    const withPhones = { ...state, picture: { ...state.picture!, counsellors } };
    const rows = counsellorRows(withPhones, T0);
    expect(stateCounts(rows)).toMatchObject({ available: 1, available_no_phone: 1 });
    expect(rows.find((r) => r.id === 'st_b')?.stateText).toBe('Available, no phone: calls cannot reach them');
    expect(rows.find((r) => r.id === 'st_a')?.stateText).toBe('Available');
  });
  it('shows the flags of a call being wrapped up', () => {
    const state = live({ flags: { ct_gone: { cause_for_concern: true, imminent_risk: false } } });
    expect(counsellorRows(state, T0).find((r) => r.id === 'st_3')?.flags).toEqual({
      cause_for_concern: true,
      imminent_risk: false,
    });
  });
});

describe('active calls', () => {
  it('gives talk time and flags, leaving out calls whose counsellor has moved on', () => {
    const state = live({ flags: { ct_on: { cause_for_concern: true, imminent_risk: true } } });
    const rows = activeRows(state, T0 + 2_000);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual({
      call: 'ct_on',
      line: 'police',
      counsellor: 'st_2',
      counsellorName: 'Sam',
      talkMs: 122_000,
      flags: { cause_for_concern: true, imminent_risk: true },
      heldMs: null,
      monitor: null,
      conference: null,
      consult: null,
      encrypted: false,
      legs: null,
    });
  });
  it('says whether both legs are encrypted, and which leg is plain when one is', () => {
    const state = live();
    const active = state.picture!.active![0];
    Object.assign(active, { encrypted: true, legs: { caller: 'srtp', counsellor: 'dtls-srtp' } });
    const row = activeRows(state, T0)[0];
    expect(row).toMatchObject({ encrypted: true, legs: { caller: 'srtp', counsellor: 'dtls-srtp' } });
    expect(encryptionText(row)).toBe('Encrypted');
    expect(encryptionText({ encrypted: false, legs: { caller: 'srtp', counsellor: 'rtp' } })).toBe('Not encrypted (counsellor leg plain)');
    expect(encryptionText({ encrypted: false, legs: { caller: 'rtp', counsellor: 'rtp' } })).toBe('Not encrypted (caller and counsellor legs plain)');
    expect(encryptionText({ encrypted: false, legs: null })).toBe('Not encrypted');
  });
  it('shows a call on hold with its time on hold', () => {
    const state = live({ held: { ct_on: T0 - 30_000 } });
    expect(activeRows(state, T0 + 2_000)[0].heldMs).toBe(32_000);
  });
  it('names the supervisor monitoring a call', () => {
    const state = live({ monitors: { ct_on: { supervisor: 'st_2', mode: 'coach', state: 'connected' } } });
    expect(activeRows(state, T0)[0].monitor).toEqual({ supervisor: 'st_2', supervisorName: 'Sam', mode: 'coach', state: 'connected' });
  });
  it('names the colleague a counsellor consults about a call, ringing or connected, and drops an ended consult', () => {
    const ringing = live({ consults: { ct_on: { to: 'st_1', state: 'ringing' } } });
    expect(activeRows(ringing, T0)[0].consult).toEqual({ to: 'st_1', toName: 'Alex', state: 'ringing' });
    const talking = live({ consults: { ct_on: { to: 'st_1', state: 'connected' } } });
    expect(activeRows(talking, T0)[0].consult).toEqual({ to: 'st_1', toName: 'Alex', state: 'connected' });
    const ended = live({ consults: { ct_on: { to: 'st_1', state: 'ended', reason: 'cancelled' } } });
    expect(activeRows(ended, T0)[0].consult).toBeNull();
  });
  it('shows a three-party call with a service by its kind, with a colleague by name, and not once it has ended', () => {
    let state = live({ conferences: { ct_on: { to: 'external:ambulance', kind: 'emergency', state: 'connected' } } });
    expect(activeRows(state, T0)[0].conference).toEqual({ kind: 'emergency', state: 'connected', toName: null });
    state = live({ conferences: { ct_on: { to: 'counsellor:st_1', kind: 'colleague', state: 'ringing' } } });
    expect(activeRows(state, T0)[0].conference).toEqual({ kind: 'colleague', state: 'ringing', toName: 'Alex' });
    state = live({ conferences: { ct_on: { to: 'counsellor:st_gone', kind: 'colleague', state: 'connected' } } });
    expect(activeRows(state, T0)[0].conference?.toName).toBe('a colleague');
    state = live({ conferences: { ct_on: { to: 'external:ambulance', kind: 'emergency', state: 'ended', reason: 'hung_up' } } });
    expect(activeRows(state, T0)[0].conference).toBeNull();
  });
  it('copies only ids, timings and flags', () => {
    const state = live();
    (state.picture!.active![0] as unknown as Record<string, unknown>).notes = 'SECRET';
    const row = activeRows(state, T0)[0] as unknown as Record<string, unknown>;
    expect(Object.keys(row).sort()).toEqual(['call', 'conference', 'consult', 'counsellor', 'counsellorName', 'encrypted', 'flags', 'heldMs', 'legs', 'line', 'monitor', 'talkMs']);
  });
});

describe('alerts', () => {
  const alerts = [
    { seq: 9, at: '2027-01-15T10:01:00.000Z', line: 'police', contact: 'ct_x', counsellor: 'st_2', acknowledged: false },
    { seq: 4, at: '2027-01-15T10:00:00.000Z', line: 'police', contact: 'ct_y', counsellor: 'st_3', acknowledged: false },
    { seq: 2, at: '2027-01-15T09:00:00.000Z', line: 'police', contact: 'ct_z', counsellor: 'st_3', acknowledged: true },
  ];
  it('keeps the unacknowledged ones, oldest first', () => {
    expect(pendingAlerts(alerts, new Set()).map((a) => a.seq)).toEqual([4, 9]);
    expect(pendingAlerts(alerts, new Set([4])).map((a) => a.seq)).toEqual([9]);
  });
  it('names who, where and when, without content', () => {
    const s = alertText(alerts[0], { st_2: 'Sam' }, { police: 'Police line' });
    expect(s).toMatch(/^Sam escalated a call on Police line at \d\d:\d\d\.$/);
    expect(s).not.toContain('ct_x');
    expect(alertText({ ...alerts[0], counsellor: 'st_unknown' }, {}, {})).toMatch(/^A counsellor escalated a call on police/);
  });
});

describe("today's figures", () => {
  const today: Today = {
    from: '2027-01-15T00:00:00.000Z',
    offered: 12,
    answered: 10,
    abandoned: 1,
    overflowed: 1,
    answer_rate: 0.8333,
    average_speed_of_answer_s: 14.6,
    answered_within_20s: 8,
    answered_within_60s: 10,
    service_level_20s: 0.8,
    service_level_60s: 1,
    follow_ups_overdue: 2,
  };
  it('formats counts, rates and speed of answer', () => {
    const tiles = Object.fromEntries(todayTiles(today).map((t) => [t.key, t]));
    expect(tiles.offered.value).toBe('12');
    expect(tiles.answer_rate.value).toBe('83%');
    expect(tiles.asa.value).toBe('0:15');
    expect(tiles.sl20).toMatchObject({ value: '80%', detail: '8 calls' });
    expect(tiles.sl60.value).toBe('100%');
    expect(tiles.abandoned.warn).toBe(true);
  });
  it('says "1 call", not "1 calls"', () => {
    const tiles = Object.fromEntries(
      todayTiles({ ...today, answered_within_20s: 1, answered_within_60s: 0 }).map((t) => [t.key, t]),
    );
    expect(tiles.sl20.detail).toBe('1 call');
    expect(tiles.sl60.detail).toBe('0 calls');
  });
  it('shows a dash for rates not yet known', () => {
    const tiles = Object.fromEntries(
      todayTiles({ ...today, answer_rate: null, average_speed_of_answer_s: null, service_level_20s: null }).map((t) => [
        t.key,
        t,
      ]),
    );
    expect(tiles.answer_rate.value).toBe('–');
    expect(tiles.asa.value).toBe('–');
    expect(tiles.sl20.value).toBe('–');
    expect(secondsText(75)).toBe('1:15');
  });
  it('keeps figures already shown when a refresh fails, but not when the endpoint is missing', () => {
    const ok = { status: 'ok' as const, data: today, at: 1, stale: false };
    expect(afterFailure(ok, new ApiError(0, 'network', '', 'x'))).toEqual({ ...ok, stale: true });
    expect(afterFailure(ok, new ApiError(404, 'not_found', '', 'x'))).toEqual({ status: 'unavailable' });
    expect(afterFailure(undefined, new ApiError(503, 'unavailable', '', 'x'))).toEqual({ status: 'unavailable' });
  });
});
