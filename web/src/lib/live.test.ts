import { afterEach, describe, expect, it, vi } from 'vitest';
import { feedUrl, LiveFeed, type FeedStatus, type Hello } from './live';
import type { LiveEvent } from './types';

// A stand-in for the browser's WebSocket (pure logic: no socket is opened).
class FakeSocket {
  static all: FakeSocket[] = [];
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  close() {
    this.closed = true;
  }
  receive(obj: unknown) {
    this.onmessage?.({ data: JSON.stringify(obj) });
  }
  drop(code = 1006) {
    this.onclose?.({ code });
  }
}

afterEach(() => {
  FakeSocket.all = [];
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

function feed() {
  const hellos: Hello[] = [];
  const events: LiveEvent[] = [];
  const statuses: FeedStatus[] = [];
  const f = new LiveFeed(
    { onHello: (h) => hellos.push(h), onEvent: (e) => events.push(e), onStatus: (s) => statuses.push(s) },
    (after) => `ws://test/api/v1/events${after ? `?after=${after}` : ''}`,
  );
  return { f, hellos, events, statuses };
}

const ev = (seq: number): LiveEvent => ({ seq, at: '', type: 'counsellor.state', data: {} });

describe('the live feed', () => {
  it('names the console tab in its address, so the server sees the browser phone\'s tab close', () => {
    expect(feedUrl(0, 'tab-aaaa-1111', 'ws://test')).toBe('ws://test/api/v1/events?tab=tab-aaaa-1111');
    expect(feedUrl(12, 'tab-aaaa-1111', 'ws://test')).toBe('ws://test/api/v1/events?after=12&tab=tab-aaaa-1111');
    expect(feedUrl(12, undefined, 'ws://test')).toBe('ws://test/api/v1/events?after=12');
  });

  it('reconnects after a drop and resumes after the last event seen, without repeating events', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', FakeSocket);
    const { f, hellos, events, statuses } = feed();
    f.start();
    FakeSocket.all[0].receive({ type: 'hello', epoch: 'e1', last_seq: 10, live: null, missed: [] });
    FakeSocket.all[0].receive(ev(11));
    FakeSocket.all[0].receive(ev(12));
    FakeSocket.all[0].drop();
    expect(statuses.at(-1)).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(FakeSocket.all[1].url).toBe('ws://test/api/v1/events?after=12');
    // The server sends what was missed; one of them the client already had.
    FakeSocket.all[1].receive({ type: 'hello', epoch: 'e1', last_seq: 14, live: null, missed: [ev(12), ev(13), ev(14)] });
    expect(events.map((e) => e.seq)).toEqual([11, 12, 13, 14]);
    expect(hellos).toHaveLength(2);
    expect(statuses.at(-1)).toBe('live');
    f.stop();
  });

  it('after a server restart (a new epoch) takes the new numbering instead of dropping its events', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', FakeSocket);
    const { f, events } = feed();
    f.start();
    FakeSocket.all[0].receive({ type: 'hello', epoch: 'before', last_seq: 250, live: null, missed: [] });
    FakeSocket.all[0].receive(ev(251));
    FakeSocket.all[0].drop(1001);
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.all[1].url).toBe('ws://test/api/v1/events?after=251');
    // The restarted server has published 3 events so far; the old number would have hidden them all.
    FakeSocket.all[1].receive({ type: 'hello', epoch: 'after', last_seq: 3, live: null, missed: [] });
    FakeSocket.all[1].receive(ev(4));
    FakeSocket.all[1].receive(ev(5));
    expect(events.map((e) => e.seq)).toEqual([251, 4, 5]);
    f.stop();
  });

  it('stops and reports a signed-out session instead of reconnecting', async () => {
    vi.useFakeTimers();
    vi.stubGlobal('WebSocket', FakeSocket);
    const { f, statuses } = feed();
    f.start();
    FakeSocket.all[0].drop(4401);
    await vi.advanceTimersByTimeAsync(20000);
    expect(statuses.at(-1)).toBe('signed_out');
    expect(FakeSocket.all).toHaveLength(1);
    f.resume();
    expect(FakeSocket.all).toHaveLength(2);
    f.stop();
  });
});
