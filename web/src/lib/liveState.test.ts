import { describe, expect, it } from 'vitest';
import { acknowledge, applyEvent, emptyLive, withPicture } from './liveState';
import type { LiveEvent, LivePicture } from './types';

const me = 'st_me';
const picture: LivePicture = {
  at: '2026-11-28T10:00:00.000Z',
  queues: { police: { waiting: 0, longest_wait_ms: 0 } },
  me: { counsellor: me, display_name: 'Sam', state: 'available', in_state_ms: 1000, phone_registered: true },
  counsellors: [
    { counsellor: me, display_name: 'Sam', state: 'available', in_state_ms: 1000, phone_registered: true },
    { counsellor: 'st_other', display_name: 'Jo', state: 'break', in_state_ms: 5000, phone_registered: true },
  ],
};

let seq = 0;
function ev(type: string, fields: Partial<LiveEvent> = {}): LiveEvent {
  seq += 1;
  return { seq, at: '2026-11-28T10:00:01.000Z', type, data: {}, ...fields };
}

describe('the live picture', () => {
  it('shows my ringing call with its language, wait and repeat count, then the answered call', () => {
    let s = withPicture(emptyLive, picture, 1000);
    s = applyEvent(s, ev('call.ringing', { line: 'police', counsellor: me, data: { call: 'ct_1', language: 'cy', wait_ms: 4200 } }), me, 1100);
    expect(s.ringing).toMatchObject({ call: 'ct_1', line: 'police', language: 'cy', wait_ms: 4200 });
    expect(s.ringing?.repeat_count).toBeUndefined();
    s = applyEvent(s, ev('call.repeat_count', { line: 'police', data: { call: 'ct_1', repeat_count: 2 } }), me, 1200);
    expect(s.ringing?.repeat_count).toBe(2);
    s = applyEvent(s, ev('call.bridged', { line: 'police', counsellor: me, data: { call: 'ct_1' } }), me, 1300);
    expect(s.ringing).toBeNull();
    expect(s.currentCall).toBe('ct_1');
  });

  it('rings my browser phone until the ring stops, and notes when another tab takes the phone', () => {
    let s = withPicture(emptyLive, picture, 1000);
    s = applyEvent(s, ev('call.ringing', { line: 'police', counsellor: me, data: { call: 'ct_2', browser: true } }), me, 1100);
    expect(s.ringing).toMatchObject({ call: 'ct_2', browser: true });
    s = applyEvent(s, ev('browser.ring_stopped', { line: 'police', counsellor: 'st_other', data: { call: 'ct_2' } }), me, 1150);
    expect(s.ringing).not.toBeNull(); // someone else's ring stopping is not mine
    s = applyEvent(s, ev('browser.ring_stopped', { line: 'police', counsellor: me, data: { call: 'ct_2' } }), me, 1200);
    expect(s.ringing).toBeNull();
    s = applyEvent(s, ev('phone.taken_over', { counsellor: me, data: { tab: 'tab-one-1234', by: 'tab-two-5678' } }), me, 1300);
    expect(s.phoneTakenFrom).toBe('tab-one-1234');
  });

  it('reopens the call being wrapped up from a fresh picture (a desk reloaded in wrap-up)', () => {
    const wrapping = { ...picture, me: { ...picture.me!, state: 'wrap_up', wrapping_up: 'ct_7' } };
    expect(withPicture(emptyLive, wrapping, 0).currentCall).toBe('ct_7');
  });

  it('records the end of my call at once, with its talk time and reason, and not the end of others\' calls', () => {
    let s = withPicture(emptyLive, picture, 0);
    s = applyEvent(s, ev('call.bridged', { line: 'police', counsellor: me, data: { call: 'ct_9' } }), me, 10);
    s = applyEvent(s, ev('call.ended', { line: 'police', counsellor: 'st_other', data: { call: 'ct_8', talk_ms: 5000, reason: 'completed' } }), me, 20);
    expect(s.callEnds).toEqual({});
    s = applyEvent(s, ev('call.ended', { at: '2026-11-28T10:00:21.000Z', line: 'police', counsellor: me,
      data: { call: 'ct_9', talk_ms: 20000, reason: 'failed' } }), me, 30);
    expect(s.callEnds.ct_9).toEqual({ at: '2026-11-28T10:00:21.000Z', talk_ms: 20000, reason: 'failed', shown: 30 });
    expect(s.currentCall).toBe('ct_9'); // still mine to wrap up
  });

  it('ignores another counsellor\'s ringing but clears mine when someone else answers', () => {
    let s = withPicture(emptyLive, picture, 0);
    s = applyEvent(s, ev('call.ringing', { line: 'police', counsellor: 'st_other', data: { call: 'ct_2' } }), me, 10);
    expect(s.ringing).toBeNull();
    s = applyEvent(s, ev('call.ringing', { line: 'police', counsellor: me, data: { call: 'ct_2' } }), me, 10);
    s = applyEvent(s, ev('call.bridged', { line: 'police', counsellor: 'st_other', data: { call: 'ct_2' } }), me, 20);
    expect(s.ringing).toBeNull();
    expect(s.currentCall).toBeNull();
  });

  it('updates a counsellor\'s state and restarts their time in state', () => {
    let s = withPicture(emptyLive, picture, 1000);
    s = applyEvent(s, ev('counsellor.state', { counsellor: 'st_other', data: { state: 'available' } }), me, 4000);
    const other = s.picture?.counsellors?.find((c) => c.counsellor === 'st_other');
    expect(other?.state).toBe('available');
    // in_state_ms is relative to receivedAt (1000): at 4000 it reads 0.
    expect((other?.in_state_ms ?? 0) + (4000 - s.receivedAt)).toBe(0);
    expect(s.picture?.me?.state).toBe('available');
  });

  it('keeps queue summaries, flags and escalation alerts', () => {
    let s = withPicture(emptyLive, picture, 0);
    s = applyEvent(s, ev('queue.summary', { line: 'police', data: { waiting: 3, longest_wait_ms: 61000 } }), me, 0);
    expect(s.picture?.queues.police).toEqual({ waiting: 3, longest_wait_ms: 61000 });
    s = applyEvent(s, ev('contact.flags', { line: 'police', data: { contact: 'ct_3', cause_for_concern: true, imminent_risk: false } }), me, 0);
    expect(s.flags.ct_3).toEqual({ cause_for_concern: true, imminent_risk: false });
    const raised = ev('escalation.raised', { line: 'police', counsellor: 'st_other', data: { contact: 'ct_3', escalation: 'es_1' } });
    s = applyEvent(s, raised, me, 0);
    expect(s.alerts).toHaveLength(1);
    expect(s.alerts[0].acknowledged).toBe(false);
    expect(s.flags.ct_3).toEqual({ cause_for_concern: true, imminent_risk: true });
    s = acknowledge(s, raised.seq);
    expect(s.alerts[0].acknowledged).toBe(true);
  });

  it('follows a phone registering and going away', () => {
    let s = withPicture(emptyLive, { ...picture, me: { ...picture.me!, phone_registered: false } }, 0);
    s = applyEvent(s, ev('phone.registered', { counsellor: me }), me, 0);
    expect(s.picture?.me?.phone_registered).toBe(true);
    s = applyEvent(s, ev('phone.unregistered', { counsellor: me, data: { why: 'expired' } }), me, 0);
    expect(s.picture?.me?.phone_registered).toBe(false);
  });

  it('follows who answers in the browser and the grade their browser reports', () => {
    let s = withPicture(emptyLive, picture, 0);
    s = applyEvent(s, ev('phone.registered', { counsellor: 'st_other', data: { browser: true } }), me, 0);
    expect(s.picture?.counsellors?.[1].browser_phone).toBe(true);
    s = applyEvent(s, ev('phone.quality', { counsellor: 'st_other', line: 'police',
      data: { call: 'ct_9', grade: 'poor', loss_percent: 4.2, jitter_ms: 20, rtt_ms: null } }), me, 0);
    expect(s.picture?.counsellors?.[1].call_quality).toEqual({ call: 'ct_9', grade: 'poor', loss_percent: 4.2,
      jitter_ms: 20, rtt_ms: null, at: '2026-11-28T10:00:01.000Z' });
    expect(s.picture?.counsellors?.[0].call_quality).toBeUndefined(); // only theirs
    // Back to the desk phone: no browser, no browser quality.
    s = applyEvent(s, ev('phone.registered', { counsellor: 'st_other', data: { browser: false } }), me, 0);
    expect(s.picture?.counsellors?.[1].browser_phone).toBe(false);
    expect(s.picture?.counsellors?.[1].call_quality).toBeUndefined();
  });

  it('takes the flags of calls in progress from a fresh picture (a wallboard opened mid-call)', () => {
    const s = withPicture(emptyLive, { ...picture, active: [
      { call: 'ct_7', line: 'police', counsellor: 'st_other', wait_ms: 0, talk_ms: 0, cause_for_concern: true, imminent_risk: false },
      { call: 'ct_8', line: 'police', counsellor: me, wait_ms: 0, talk_ms: 0, cause_for_concern: false, imminent_risk: false },
    ] }, 0);
    expect(s.flags).toEqual({ ct_7: { cause_for_concern: true, imminent_risk: false } });
  });

  it('restores the call a counsellor is on from a fresh picture (after a reload)', () => {
    const onCall: LivePicture = { ...picture, me: { ...picture.me!, state: 'on_call', call: 'ct_9' } };
    const s = withPicture(emptyLive, onCall, 0);
    expect(s.currentCall).toBe('ct_9');
  });
});

describe('a supervisor\'s waiting and active calls between pictures', () => {
  const board: LivePicture = { ...picture, waiting: [], active: [] };
  it('follows a call from the queue to a counsellor and to its end', () => {
    let s = withPicture(emptyLive, board, 1000);
    s = applyEvent(s, ev('call.queued', { line: 'police', data: { call: 'ct_5', language: 'cy' } }), me, 3000);
    expect(s.picture?.waiting).toHaveLength(1);
    expect(s.picture?.waiting?.[0]).toMatchObject({ call: 'ct_5', language: 'cy', position: 1, wait_ms: -2000 });
    expect(s.picture?.queues.police.waiting).toBe(1);
    s = applyEvent(s, ev('call.ringing', { line: 'police', counsellor: 'st_other', data: { call: 'ct_5' } }), me, 3500);
    expect(s.picture?.waiting?.[0].ringing).toEqual(['st_other']);
    s = applyEvent(s, ev('call.bridged', { line: 'police', counsellor: 'st_other', data: { call: 'ct_5', wait_ms: 2500,
      encrypted: true, legs: { caller: 'srtp', counsellor: 'dtls-srtp' } } }), me, 3500);
    expect(s.picture?.waiting).toHaveLength(0);
    expect(s.picture?.queues.police.waiting).toBe(0);
    expect(s.picture?.active?.[0]).toMatchObject({ call: 'ct_5', counsellor: 'st_other', wait_ms: 2500, encrypted: true,
      legs: { caller: 'srtp', counsellor: 'dtls-srtp' } });
    expect(s.callEvents).toBe(1);
    s = applyEvent(s, ev('call.ended', { line: 'police', counsellor: 'st_other', data: { call: 'ct_5' } }), me, 9000);
    expect(s.picture?.active).toHaveLength(0);
    expect(s.callEvents).toBe(2);
  });
  it('keeps the time on hold of a held call from the picture and the feed, and forgets it on resume or end', () => {
    const onCall: LivePicture = { ...picture, me: { ...picture.me!, state: 'on_call', call: 'ct_4', held: true, held_ms: 3000 } };
    let s = withPicture(emptyLive, onCall, 10_000);
    expect(s.held).toEqual({ ct_4: 7000 });
    s = applyEvent(s, ev('call.resumed', { line: 'police', counsellor: me, data: { call: 'ct_4', held_ms: 5000 } }), me, 12_000);
    expect(s.held).toEqual({});
    s = applyEvent(s, ev('call.held', { line: 'police', counsellor: me, data: { call: 'ct_4' } }), me, 13_000);
    expect(s.held).toEqual({ ct_4: 13_000 });
    s = applyEvent(s, ev('call.ended', { line: 'police', counsellor: me, data: { call: 'ct_4', reason: 'completed' } }), me, 14_000);
    expect(s.held).toEqual({});
    // A supervisor's floor: held calls in progress, as the picture shows them.
    const floor: LivePicture = { ...picture, active: [{ call: 'ct_9', line: 'police', counsellor: 'st_other', wait_ms: 0, talk_ms: 1000, held: true, held_ms: 500 }] };
    expect(withPicture(emptyLive, floor, 2000).held).toEqual({ ct_9: 1500 });
  });
  it('keeps who monitors a call from the picture and the feed until it ends', () => {
    const onCall: LivePicture = { ...picture, me: { ...picture.me!, state: 'on_call', call: 'ct_4', monitor: { supervisor: 'st_s', mode: 'listen', state: 'connected' } } };
    let s = withPicture(emptyLive, onCall, 0);
    expect(s.monitors.ct_4).toEqual({ supervisor: 'st_s', mode: 'listen', state: 'connected' });
    s = applyEvent(s, ev('call.monitor', { line: 'police', counsellor: me, data: { call: 'ct_4', supervisor: 'st_s', mode: 'join', state: 'connected' } }), me, 10);
    expect(s.monitors.ct_4.mode).toBe('join');
    s = applyEvent(s, ev('call.monitor', { line: 'police', counsellor: me, data: { call: 'ct_4', supervisor: 'st_s', mode: 'join', state: 'ended' } }), me, 20);
    expect(s.monitors).toEqual({});
  });
  it('keeps a transfer ringing a colleague with the caller on hold, and gives the call back when it fails', () => {
    const onCall: LivePicture = { ...picture, me: { ...picture.me!, state: 'on_call', call: 'ct_4' } };
    let s = withPicture(emptyLive, onCall, 0);
    s = applyEvent(s, ev('call.transferring', { line: 'police', counsellor: me, data: { call: 'ct_4', to: 'st_jo' } }), me, 1000);
    expect(s.transfers.ct_4).toMatchObject({ to: 'st_jo', state: 'ringing' });
    expect(s.held).toEqual({ ct_4: 1000 });
    s = applyEvent(s, ev('call.transfer_failed', { line: 'police', counsellor: me, data: { call: 'ct_4', to: 'st_jo', reason: 'no_answer' } }), me, 6000);
    expect(s.transfers.ct_4).toEqual({ to: 'st_jo', state: 'failed', reason: 'no_answer' });
    expect(s.held).toEqual({});
    s = withPicture(s, onCall, 7000);
    expect(s.transfers.ct_4.state).toBe('failed');  // still said until the next transfer
    // The second time the colleague answers: the call ends for me, transferred.
    s = applyEvent(s, ev('call.transferring', { line: 'police', counsellor: me, data: { call: 'ct_4', to: 'st_jo' } }), me, 8000);
    s = applyEvent(s, ev('call.ended', { line: 'police', counsellor: me, data: { call: 'ct_4', reason: 'transferred', continued_in: 'ct_5' } }), me, 9000);
    expect(s.transfers).toEqual({});
    expect(s.held).toEqual({});
    expect(s.callEnds.ct_4.reason).toBe('transferred');
  });
  it('keeps a consult with the caller on hold, and gives the call back when it ends', () => {
    const onCall: LivePicture = { ...picture, me: { ...picture.me!, state: 'on_call', call: 'ct_4' } };
    let s = withPicture(emptyLive, onCall, 0);
    s = applyEvent(s, ev('call.consulting', { line: 'police', counsellor: me, data: { call: 'ct_4', to: 'st_jo', state: 'ringing' } }), me, 1000);
    expect(s.consults.ct_4).toMatchObject({ to: 'st_jo', state: 'ringing' });
    expect(s.held).toEqual({ ct_4: 1000 });
    s = applyEvent(s, ev('call.consulting', { line: 'police', counsellor: me, data: { call: 'ct_4', to: 'st_jo', state: 'connected' } }), me, 2000);
    expect(s.consults.ct_4.state).toBe('connected');
    expect(s.held).toEqual({ ct_4: 1000 });
    s = applyEvent(s, ev('call.consult_ended', { line: 'police', counsellor: me, data: { call: 'ct_4', to: 'st_jo', reason: 'cancelled' } }), me, 3000);
    expect(s.consults.ct_4).toEqual({ to: 'st_jo', state: 'ended', reason: 'cancelled' });
    expect(s.held).toEqual({});
    // From the picture (a desk reloaded mid-consult).
    s = withPicture(s, { ...onCall, me: { ...onCall.me!, held: true, held_ms: 500, consult: { to: 'st_jo', state: 'connected' } } }, 4000);
    expect(s.consults.ct_4).toEqual({ to: 'st_jo', state: 'connected' });
    expect(s.consultingFor).toBeNull();
  });
  it('keeps the consults of the calls on a supervisor\'s floor, from the picture and the feed', () => {
    const floor: LivePicture = { ...picture, active: [{ call: 'ct_9', line: 'police', counsellor: 'st_other', wait_ms: 0, talk_ms: 1000, held: true, held_ms: 500, consult: { to: 'st_jo', state: 'ringing' } }] };
    let s = withPicture(emptyLive, floor, 2000);
    expect(s.consults).toEqual({ ct_9: { to: 'st_jo', state: 'ringing' } });
    s = applyEvent(s, ev('call.consulting', { line: 'police', counsellor: 'st_other', data: { call: 'ct_9', to: 'st_jo', state: 'connected' } }), me, 3000);
    expect(s.consults.ct_9.state).toBe('connected');
    s = applyEvent(s, ev('call.consult_ended', { line: 'police', counsellor: 'st_other', data: { call: 'ct_9', to: 'st_jo', reason: 'cancelled' } }), me, 4000);
    expect(s.consults.ct_9.state).toBe('ended');
    // The next picture without it: gone (an ended consult is remembered only on the counsellor's own call).
    s = withPicture(s, { ...floor, active: [{ ...floor.active![0], consult: undefined }] }, 5000);
    expect(s.consults).toEqual({});
  });
  it('knows when a colleague consults me, without taking their call as mine', () => {
    const consulted: LivePicture = { ...picture, me: { ...picture.me!, state: 'on_call', call: 'ct_9', consult: { to: me, state: 'connected' } } };
    let s = withPicture(emptyLive, consulted, 0);
    expect(s.consultingFor).toBe('ct_9');
    expect(s.currentCall).toBeNull();
    expect(s.consults).toEqual({});
    s = applyEvent(s, ev('call.consult_ended', { line: 'police', counsellor: 'st_other', data: { call: 'ct_9', to: me, reason: 'cancelled' } }), me, 10);
    expect(s.consultingFor).toBeNull();
    expect(s.callEnds.ct_9.reason).toBe('consult_ended');  // a browser phone on it closes
    s = applyEvent(s, ev('call.consulting', { line: 'police', counsellor: 'st_other', data: { call: 'ct_9', to: me, state: 'connected' } }), me, 20);
    expect(s.consultingFor).toBe('ct_9');
    expect(s.consults.ct_9).toMatchObject({ to: me, state: 'connected' });  // a supervisor's floor shows it too
    expect(s.currentCall).toBeNull();
    // Completed: the caller is put through to me under the next contact.
    s = applyEvent(s, ev('call.bridged', { line: 'police', counsellor: me, data: { call: 'ct_10', wait_ms: 0 } }), me, 30);
    expect(s.consultingFor).toBeNull();
    expect(s.currentCall).toBe('ct_10');
  });
});
