import { describe, expect, it } from 'vitest';
import { applyEvent, emptyLive, withPicture } from './liveState';
import type { LiveEvent, LivePicture } from './types';

const me = 'st_me';
const onCall: LivePicture = {
  at: '2026-12-07T10:00:00.000Z',
  queues: { police: { waiting: 0, longest_wait_ms: 0 } },
  me: { counsellor: me, display_name: 'Sam', state: 'on_call', in_state_ms: 1000, phone_registered: true, call: 'ct_4' },
};

let seq = 0;
function ev(type: string, fields: Partial<LiveEvent> = {}): LiveEvent {
  seq += 1;
  return { seq, at: '2026-12-07T10:00:01.000Z', type, data: {}, ...fields };
}

describe('a three-party conference in the live picture', () => {
  it('follows my call from ringing to connected to dropped, and says why until the next one', () => {
    let s = withPicture(emptyLive, onCall, 0);
    s = applyEvent(s, ev('call.conference', { line: 'police', counsellor: me,
      data: { call: 'ct_4', to: 'counsellor:st_jo', kind: 'colleague', state: 'ringing' } }), me, 1000);
    expect(s.conferences.ct_4).toEqual({ to: 'counsellor:st_jo', kind: 'colleague', state: 'ringing' });
    expect(s.held).toEqual({});  // the caller is not held: they go on talking to the counsellor
    s = applyEvent(s, ev('call.conference', { line: 'police', counsellor: me,
      data: { call: 'ct_4', to: 'counsellor:st_jo', kind: 'colleague', state: 'connected' } }), me, 2000);
    expect(s.conferences.ct_4.state).toBe('connected');
    s = applyEvent(s, ev('call.conference', { line: 'police', counsellor: me,
      data: { call: 'ct_4', to: 'counsellor:st_jo', kind: 'colleague', state: 'ended', reason: 'dropped' } }), me, 3000);
    expect(s.conferences.ct_4).toEqual({ to: 'counsellor:st_jo', kind: 'colleague', state: 'ended', reason: 'dropped' });
    expect(s.callEnds).toEqual({});  // my own call goes on
    s = withPicture(s, onCall, 4000);  // a new picture without it keeps saying why
    expect(s.conferences.ct_4.reason).toBe('dropped');
    s = applyEvent(s, ev('call.ended', { line: 'police', counsellor: me, data: { call: 'ct_4', reason: 'completed' } }), me, 5000);
    expect(s.conferences).toEqual({});
  });

  it('reads a conference from the picture (a desk reloaded mid-call, and the floor)', () => {
    const picture: LivePicture = {
      ...onCall,
      me: { ...onCall.me!, conference: { to: 'external:ambulance', kind: 'emergency', state: 'connected' } },
      active: [{ call: 'ct_8', line: 'police', counsellor: 'st_al', wait_ms: 0, talk_ms: 10,
        conference: { to: 'external:partner', kind: 'partner', state: 'ringing' } }],
    };
    const s = withPicture(emptyLive, picture, 0);
    expect(s.conferences).toEqual({
      ct_4: { to: 'external:ambulance', kind: 'emergency', state: 'connected' },
      ct_8: { to: 'external:partner', kind: 'partner', state: 'ringing' },
    });
    expect(s.currentCall).toBe('ct_4');
    expect(s.conferencedInto).toBeNull();
  });

  it('knows when a colleague adds me to their call, without taking it as mine, and closes my leg when dropped', () => {
    const added: LivePicture = { ...onCall, me: { ...onCall.me!, call: 'ct_9',
      conference: { to: `counsellor:${me}`, kind: 'colleague', state: 'connected' } } };
    let s = withPicture(emptyLive, added, 0);
    expect(s.conferencedInto).toBe('ct_9');
    expect(s.currentCall).toBeNull();
    s = applyEvent(s, ev('call.conference', { line: 'police', counsellor: 'st_other',
      data: { call: 'ct_9', to: `counsellor:${me}`, kind: 'colleague', state: 'ended', reason: 'dropped' } }), me, 10);
    expect(s.conferencedInto).toBeNull();
    expect(s.callEnds.ct_9.reason).toBe('conference_ended');  // a browser phone on it closes
    // Rung again and left with the caller: the call carries on with me under its next id, my leg stays up.
    s = applyEvent(s, ev('call.conference', { line: 'police', counsellor: 'st_other',
      data: { call: 'ct_10', to: `counsellor:${me}`, kind: 'colleague', state: 'ringing' } }), me, 20);
    expect(s.conferencedInto).toBe('ct_10');
    s = applyEvent(s, ev('call.conference', { line: 'police', counsellor: 'st_other',
      data: { call: 'ct_10', to: `counsellor:${me}`, kind: 'colleague', state: 'ended', reason: 'left' } }), me, 30);
    expect(s.callEnds.ct_10).toBeUndefined();
    s = applyEvent(s, ev('call.bridged', { line: 'police', counsellor: me, data: { call: 'ct_11' } }), me, 40);
    expect(s.currentCall).toBe('ct_11');
    expect(s.conferencedInto).toBeNull();
  });
});
