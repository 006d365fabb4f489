import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { Wallboard } from '../Wallboard';
import { SessionContext, type SessionContextValue } from '../../lib/session';
import { emptyLive, type LiveState } from '../../lib/liveState';
import type { SessionInfo } from '../../lib/types';

const session: SessionInfo = {
  staff: {
    id: 'st_sup',
    username: 'jo',
    display_name: 'Jo',
    roles: ['supervisor'],
    lines: ['police'],
    languages: ['en'],
    specialisms: [],
  },
  csrf_token: 't',
  mfa_complete: true,
};

function liveState(now: number, extra: Partial<LiveState> = {}): LiveState {
  return {
    ...emptyLive,
    receivedAt: now,
    events: 1,
    lastEventType: 'counsellor.state',
    picture: {
      at: new Date(now).toISOString(),
      queues: { police: { waiting: 3, longest_wait_ms: 95_000 } },
      me: null,
      waiting: [
        { call: 'ct_w1', line: 'police', language: 'en', position: 1, wait_ms: 95_000, ringing: ['st_a'], overflowed: false },
      ],
      active: [{ call: 'ct_live', line: 'police', counsellor: 'st_b', wait_ms: 4_000, talk_ms: 61_000 }],
      counsellors: [
        { counsellor: 'st_a', display_name: 'Alex', state: 'available', in_state_ms: 5_000, phone_registered: true },
        { counsellor: 'st_b', display_name: 'Sam', state: 'on_call', in_state_ms: 61_000, phone_registered: true, call: 'ct_live' },
        { counsellor: 'st_c', display_name: 'Ceri', state: 'break', reason: 'chosen', in_state_ms: 600_000, phone_registered: false },
      ],
    },
    flags: { ct_live: { cause_for_concern: true, imminent_risk: true } },
    ...extra,
  };
}

const today = {
  from: '2027-01-15T00:00:00.000Z',
  offered: 14,
  answered: 12,
  abandoned: 1,
  overflowed: 1,
  answer_rate: 0.857,
  average_speed_of_answer_s: 12,
  answered_within_20s: 11,
  answered_within_60s: 12,
  service_level_20s: 0.917,
  service_level_60s: 1,
  follow_ups_overdue: 2,
};

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

let todayStatus = 200;
let announcements: unknown[] = [];
let rosteredNow: unknown = { line: 'police', rostered: 0, not_signed_in: [] };
let fetchMock: ReturnType<typeof vi.fn>;

beforeEach(() => {
  todayStatus = 200;
  announcements = [];
  rosteredNow = { line: 'police', rostered: 0, not_signed_in: [] };
  fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
    if (url === '/api/v1/lines') return json(200, { lines: [{ id: 'police', name: 'Police Crisis Line' }] });
    if (url === '/api/v1/lines/police/announcements') return json(200, { announcements });
    if (url === '/api/v1/lines/police/rota/now') return json(200, rosteredNow);
    if (url.endsWith('/acknowledge') && init?.method === 'POST') return new Response(null, { status: 204 });
    if (url.endsWith('/today'))
      return todayStatus === 200 ? json(200, today) : json(todayStatus, { error: { code: 'not_found', message: 'no' } });
    return json(404, { error: { code: 'not_found', message: 'no' } });
  });
  vi.stubGlobal('fetch', fetchMock);
  history.replaceState(null, '', '/wallboard');
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

function board(live: LiveState, props: { large?: boolean } = {}, extra: Record<string, unknown> = {}) {
  const value = { session, live, signOut: async () => undefined, acknowledge: () => undefined, ...extra } as SessionContextValue;
  return (
    <SessionContext.Provider value={value}>
      <Wallboard {...props} />
    </SessionContext.Provider>
  );
}

describe('Wallboard', () => {
  it('names who is rostered now but not signed in (staff only)', async () => {
    rosteredNow = {
      line: 'police', rostered: 3,
      not_signed_in: [{ staff_id: 'st_kit', display_name: 'Kit (fictional)', start: '2027-01-15T08:00:00.000Z', end: '2027-01-15T16:00:00.000Z' }],
    };
    render(board(liveState(Date.now())));
    const panel = await screen.findByRole('region', { name: 'Rostered now, not signed in' });
    await waitFor(() => expect(panel.textContent).toContain('Kit (fictional), Police Crisis Line, shift 08:00 to 16:00'));
    expect(panel.querySelector('[data-staff="st_kit"]')).toBeTruthy();
  });

  it('shows no rota panel when nobody is rostered now', async () => {
    render(board(liveState(Date.now())));
    await waitFor(() => expect(fetchMock).toHaveBeenCalledWith('/api/v1/lines/police/rota/now', expect.anything()));
    expect(screen.queryByRole('region', { name: 'Rostered now, not signed in' })).toBeNull();
  });

  it('announces a new content reader of the line until a supervisor acknowledges it', async () => {
    announcements = [{
      id: 'an_1', line: 'police', kind: 'content_reader_added', staff_id: 'st_new', display_name: 'Robin (fictional)',
      role: 'counsellor', at: '2027-01-15T09:30:00.000Z', expires_at: '2027-01-22T09:30:00.000Z',
    }];
    render(board(liveState(Date.now())));
    const panel = await screen.findByRole('region', { name: 'New access to contacts' });
    await waitFor(() => expect(panel.textContent).toContain('Robin (fictional) can now read contacts of Police Crisis Line as counsellor'));
    const ack = screen.getByRole('button', { name: /^Mark as seen\W+Robin \(fictional\) can read contacts$/ });
    ack.focus();
    expect(document.activeElement).toBe(ack);
    fireEvent.click(ack);
    await waitFor(() => expect(screen.queryByRole('region', { name: 'New access to contacts' })).toBeNull());
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/lines/police/announcements/an_1/acknowledge', expect.objectContaining({ method: 'POST' }));
  });

  it('reads the announcements again when the live feed says one was added', async () => {
    const { rerender } = render(board(liveState(Date.now())));
    const reads = () => fetchMock.mock.calls.filter(([u]) => String(u).endsWith('/announcements')).length;
    await waitFor(() => expect(reads()).toBe(1));
    expect(screen.queryByRole('region', { name: 'New access to contacts' })).toBeNull();
    announcements = [{
      id: 'an_2', line: 'police', kind: 'content_reader_added', staff_id: 'st_new', display_name: 'Kit (fictional)',
      role: 'supervisor', at: '2027-01-15T09:30:00.000Z', expires_at: '2027-01-22T09:30:00.000Z',
    }];
    rerender(board(liveState(Date.now(), { announcementEvents: 1 })));
    await waitFor(() => expect(reads()).toBe(2));
    expect((await screen.findByRole('region', { name: 'New access to contacts' })).textContent).toContain('Kit (fictional)');
  });

  it('shows callers waiting, the longest wait and each counsellor state', async () => {
    render(board(liveState(Date.now())));
    expect(screen.getByRole('heading', { level: 1, name: 'Wallboard' })).toBeTruthy();
    expect(screen.getByTestId('waiting-police').textContent).toBe('3');
    expect(screen.getByTestId('longest-police').textContent).toBe('1:35');
    expect(screen.getByTestId('counsellor-st_a').textContent).toContain('Available');
    expect(screen.getByTestId('counsellor-st_b').textContent).toContain('On a call');
    expect(screen.getByTestId('counsellor-st_b').textContent).toContain('1:01');
    expect(screen.getByTestId('counsellor-st_c').textContent).toContain('On a break');
    expect(screen.getByTestId('counsellor-st_c').textContent).toContain('Not registered');
    expect(screen.getByTestId('count-available').textContent).toBe('1');
    await waitFor(() => expect(screen.getByRole('heading', { level: 2, name: 'Police Crisis Line' })).toBeTruthy());
  });

  it('shows who answers in the browser and their latest call quality in words', () => {
    const live = liveState(Date.now());
    live.picture!.counsellors![1] = { ...live.picture!.counsellors![1], browser_phone: true,
      call_quality: { call: 'ct_live', grade: 'fair', loss_percent: 1.5, jitter_ms: 12.4, rtt_ms: 40, at: '' } };
    live.picture!.counsellors![0] = { ...live.picture!.counsellors![0], browser_phone: true };
    render(board(live));
    expect(screen.getByTestId('counsellor-st_b').textContent).toContain('Ready (browser)');
    const quality = screen.getByTestId('quality-st_b');
    expect(quality.getAttribute('data-grade')).toBe('fair');
    expect(quality.textContent).toBe('Fair (lost 1.5 %, jitter 12 ms, round trip 40 ms)');
    expect(screen.getByTestId('quality-st_a').textContent).toBe('No call yet');
    expect(screen.getByTestId('quality-st_c').textContent).toBe('Not measured'); // no browser phone
    expect(screen.getByRole('columnheader', { name: 'Call quality' })).toBeTruthy();
  });

  it('ticks the longest wait and time in state every second', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
    const now = Date.now();
    render(board(liveState(now)));
    expect(screen.getByTestId('longest-police').textContent).toBe('1:35');
    await vi.advanceTimersByTimeAsync(3_000);
    expect(screen.getByTestId('longest-police').textContent).toBe('1:38');
    expect(screen.getByTestId('counsellor-st_b').textContent).toContain('1:04');
  });

  it('shows flag badges on calls in progress but never any content', () => {
    const live = liveState(Date.now());
    (live.picture!.active![0] as unknown as Record<string, unknown>).notes = 'Caller said something private';
    (live.picture!.counsellors![1] as unknown as Record<string, unknown>).notes = 'Caller said something private';
    render(board(live));
    const row = screen.getByTestId('active-ct_live');
    expect(row.textContent).toContain('Sam');
    expect(row.textContent).toContain('1:01');
    expect(row.textContent).toContain('cause for concern');
    expect(row.textContent).toContain('imminent risk');
    expect(document.body.textContent).not.toContain('something private');
  });

  it("shows today's figures and links the overdue follow-ups", async () => {
    render(board(liveState(Date.now())));
    await waitFor(() => expect(screen.getByTestId('today-offered').textContent).toBe('14'));
    expect(screen.getByTestId('today-answer_rate').textContent).toBe('86%');
    expect(screen.getByTestId('today-sl20').textContent).toContain('92%');
    const link = screen.getByRole('link', { name: /2 overdue follow-ups/ });
    expect(link.getAttribute('href')).toBe('/wallboard/follow-ups/police');
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/lines/police/today', expect.anything());
  });

  it("says when today's figures are not available (404)", async () => {
    todayStatus = 404;
    render(board(liveState(Date.now())));
    await waitFor(() => expect(screen.getByText("Today's figures are not available.")).toBeTruthy());
  });

  it('re-reads the figures, debounced, after call events', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    const now = Date.now();
    const { rerender } = render(board(liveState(now)));
    await vi.advanceTimersByTimeAsync(10);
    const reads = () => fetchMock.mock.calls.filter(([u]) => String(u).endsWith('/today')).length;
    expect(reads()).toBe(1);
    rerender(board(liveState(now, { events: 2, lastEventType: 'call.bridged', callEvents: 1 })));
    await vi.advanceTimersByTimeAsync(500);
    rerender(board(liveState(now, { events: 3, lastEventType: 'call.ended', callEvents: 2 })));
    // A state change right after does not hide the call event from the refresh.
    rerender(board(liveState(now, { events: 4, lastEventType: 'counsellor.state', callEvents: 2 })));
    await vi.advanceTimersByTimeAsync(500);
    expect(reads()).toBe(1);
    await vi.advanceTimersByTimeAsync(600);
    expect(reads()).toBe(2);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(reads()).toBe(3);
  });

  it('shows an escalation alert and acknowledges it', async () => {
    const acknowledge = vi.fn();
    const live = liveState(Date.now(), {
      alerts: [
        { seq: 7, at: new Date().toISOString(), line: 'police', contact: 'ct_live', counsellor: 'st_b', acknowledged: false },
      ],
    });
    render(board(live, {}, { acknowledge }));
    const alert = screen.getAllByRole('alert').find((a) => a.textContent);
    expect(alert?.textContent).toContain('imminent risk to life');
    expect(alert?.textContent).toContain('Sam escalated a call');
    expect(screen.getByRole('button', { name: 'Turn on alert sound' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Acknowledge' }));
    await waitFor(() => expect(screen.getByText('No escalation alerts.')).toBeTruthy());
    expect(screen.queryByRole('button', { name: 'Acknowledge' })).toBeNull();
    expect(acknowledge).toHaveBeenCalledWith(7);
  });

  it('does not show acknowledged alerts', () => {
    const live = liveState(Date.now(), {
      alerts: [{ seq: 3, at: new Date().toISOString(), line: 'police', contact: 'c', counsellor: 'st_b', acknowledged: true }],
    });
    render(board(live));
    expect(screen.getByText('No escalation alerts.')).toBeTruthy();
  });

  it('plays a tone for a new alert once sound has been turned on', async () => {
    const started: number[] = [];
    class FakeContext {
      state = 'running';
      currentTime = 0;
      destination = {};
      resume = async () => undefined;
      close = async () => undefined;
      createGain() {
        const param = { setValueAtTime() {}, exponentialRampToValueAtTime() {} };
        return { gain: param, connect() {} };
      }
      createOscillator() {
        return {
          type: 'sine',
          frequency: { setValueAtTime: (f: number) => started.push(f) },
          connect() {},
          start() {},
          stop() {},
        };
      }
    }
    vi.stubGlobal('AudioContext', FakeContext);
    const now = Date.now();
    const { rerender } = render(board(liveState(now)));
    fireEvent.click(screen.getByRole('button', { name: 'Turn on alert sound' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Turn off alert sound' })).toBeTruthy());
    const afterEnable = started.length;
    expect(afterEnable).toBe(1); // the confirmation tone
    rerender(
      board(
        liveState(now, {
          alerts: [{ seq: 9, at: new Date().toISOString(), line: 'police', contact: 'c', counsellor: 'st_b', acknowledged: false }],
        }),
      ),
    );
    await waitFor(() => expect(started.length).toBe(afterEnable + 2));
  });

  it('has a large-screen view and a link to it', () => {
    const { unmount } = render(board(liveState(Date.now())));
    expect(screen.getByRole('link', { name: 'Large-screen view' }).getAttribute('href')).toBe('/wallboard/large');
    unmount();
    render(board(liveState(Date.now()), { large: true }));
    expect(document.querySelector('main#main')?.classList.contains('large')).toBe(true);
    expect(screen.getByRole('link', { name: 'Leave large-screen view' })).toBeTruthy();
  });

  it('is only for supervisors and service managers', () => {
    const value = {
      session: { ...session, staff: { ...session.staff, roles: ['counsellor'] } },
      live: emptyLive,
      signOut: async () => undefined,
      acknowledge: () => undefined,
    } as SessionContextValue;
    render(
      <SessionContext.Provider value={value}>
        <Wallboard />
      </SessionContext.Provider>,
    );
    expect(screen.getByText('The wallboard is for supervisors and service managers.')).toBeTruthy();
  });
});
