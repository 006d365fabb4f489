import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BrowserPhone, DISCONNECTED_RESTART_MS } from '../../lib/browserPhone';
import type { RingingCall } from '../../lib/liveState';
import { BrowserPhonePanel } from './BrowserPhonePanel';

function json(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

// A microphone as getUserMedia gives it (one audio track), or the error a browser throws.
function microphone(fails?: string) {
  return {
    getUserMedia: vi.fn(() => {
      if (fails) return Promise.reject(Object.assign(new Error(fails), { name: fails }));
      const track = { enabled: true, stop: vi.fn() };
      return Promise.resolve({ getAudioTracks: () => [track], getTracks: () => [track] } as unknown as MediaStream);
    }),
  };
}

const ringing: RingingCall = { call: 'ct_1', line: 'police', language: 'en', wait_ms: 0, browser: true, since: 0, at: '' };

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('answering in the browser', () => {
  it('checks the microphone before holding the phone, and says what to do when it is refused or missing', async () => {
    const fetch = vi.fn(() => json(200, { mode: 'browser' }));
    vi.stubGlobal('fetch', fetch);
    for (const [error, words] of [['NotAllowedError', /refused the microphone/], ['NotFoundError', /No microphone/],
      ['NotReadableError', /in use by another/]] as const) {
      const phone = new BrowserPhone(microphone(error));
      render(<BrowserPhonePanel phone={phone} ringing={null} callEnds={{}} takenFrom={null} />);
      fireEvent.click(screen.getByRole('button', { name: 'Answer in this browser' }));
      expect((await screen.findByRole('alert')).textContent).toMatch(words);
      expect(phone.mode).toBe('desk');
      cleanup();
    }
    expect(fetch).not.toHaveBeenCalled(); // never available without a working microphone
  });

  it('holds the phone for this tab, rings with Answer and Decline, and offers to take over from another tab', async () => {
    let held = false;
    const bodies: unknown[] = [];
    vi.stubGlobal('fetch', vi.fn((path: string, init: RequestInit) => {
      bodies.push({ path, body: JSON.parse(String(init.body ?? 'null')) });
      if (path === '/api/v1/session/phone' && !held) {
        held = true;
        return json(409, { error: { code: 'conflict', field: 'tab', message: 'another tab answers your calls' } });
      }
      return path.endsWith('/hangup') ? Promise.resolve(new Response(null, { status: 204 })) : json(200, { mode: 'browser' });
    }));
    const phone = new BrowserPhone(microphone());
    const { rerender } = render(<BrowserPhonePanel phone={phone} ringing={null} callEnds={{}} takenFrom={null} />);
    fireEvent.click(screen.getByRole('button', { name: 'Answer in this browser' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Answer in this tab instead' }));
    await screen.findByText(/Calls ring in this browser/);
    expect(bodies.map((b) => (b as { body: { take_over: boolean } }).body.take_over)).toEqual([false, true]);
    expect(phone.mode).toBe('browser');

    rerender(<BrowserPhonePanel phone={phone} ringing={ringing} callEnds={{}} takenFrom={null} />);
    const answer = screen.getByRole('button', { name: 'Answer' });
    await waitFor(() => expect(document.activeElement).toBe(answer)); // the keyboard is on Answer at once
    expect(screen.queryByRole('button', { name: 'Use my desk phone' })).toBeNull(); // not while it rings
    fireEvent.click(screen.getByRole('button', { name: 'Decline' }));
    await waitFor(() => expect(bodies.some((b) => (b as { path: string }).path === '/api/v1/session/phone/calls/ct_1/hangup')).toBe(true));

    // Another tab takes the phone over: this one says so and goes back to the desk phone.
    rerender(<BrowserPhonePanel phone={phone} ringing={null} callEnds={{}} takenFrom={phone.tab} />);
    expect((await screen.findByRole('alert')).textContent).toMatch(/Another tab took over/);
    expect(phone.mode).toBe('desk');
  });

  it('does not ring for a call that rings a desk phone', () => {
    const phone = new BrowserPhone(microphone());
    phone.mode = 'browser';
    render(<BrowserPhonePanel phone={phone} ringing={{ ...ringing, browser: false }} callEnds={{}} takenFrom={null} />);
    expect(screen.queryByRole('button', { name: 'Answer' })).toBeNull();
  });

  it('answers with the ICE servers crisisline hands out, and says so when the connection was lost mid-call', async () => {
    const configs: RTCConfiguration[] = [];
    class FakeConnection {
      localDescription = { sdp: 'v=0 offer' };
      connectionState = 'connected';
      ontrack = null;
      onconnectionstatechange = null;
      constructor(config: RTCConfiguration) {
        configs.push(config);
      }
      addTrack() {}
      createOffer() { return Promise.resolve({ type: 'offer', sdp: 'v=0 offer' }); }
      setLocalDescription() { return Promise.resolve(); }
      setRemoteDescription() { return Promise.resolve(); }
      close() {}
    }
    vi.stubGlobal('RTCPeerConnection', FakeConnection);
    const turn = { urls: ['turn:turn.example.org:3478'], username: '1:st_a', credential: 'c2VjcmV0' };
    vi.stubGlobal('fetch', vi.fn((path: string) => {
      if (path === '/api/v1/session/ice-servers') return json(200, { ice_servers: [turn], ice_transport_policy: 'relay' });
      if (path.endsWith('/answer')) return json(200, { type: 'answer', sdp: 'v=0 answer' });
      return json(200, { mode: 'browser' });
    }));
    const phone = new BrowserPhone(microphone());
    phone.mode = 'browser';
    const { rerender } = render(<BrowserPhonePanel phone={phone} ringing={ringing} callEnds={{}} takenFrom={null} />);
    fireEvent.click(screen.getByRole('button', { name: 'Answer' }));
    await screen.findByText(/Connected: the caller hears you/);
    expect(configs).toEqual([{ iceServers: [turn], iceTransportPolicy: 'relay' }]);

    const end = { at: '', talk_ms: 1000, reason: 'interrupted', shown: 0 };
    rerender(<BrowserPhonePanel phone={phone} ringing={null} callEnds={{ ct_1: end }} takenFrom={null} />);
    expect((await screen.findByRole('alert')).textContent).toMatch(/connection to the caller was lost.*front of the queue/);
    expect(phone.callId).toBeNull();
  });
  it('restarts ICE when the connection fails, says "Reconnecting…" meanwhile, and re-offers to the call', async () => {
    let connection: FakeConnection | null = null;
    class FakeConnection {
      localDescription: { sdp: string } | null = null;
      connectionState = 'connected';
      iceConnectionState = 'connected';
      signalingState = 'stable';
      ontrack = null;
      onconnectionstatechange = null;
      oniceconnectionstatechange: (() => void) | null = null;
      onnegotiationneeded: (() => void) | null = null;
      offers = 0;
      restarted = false;
      constructor() {
        connection = this;
      }
      addTrack() {}
      createOffer() {
        this.offers += 1;
        return Promise.resolve({ type: 'offer', sdp: this.restarted ? 'v=0 restart offer' : 'v=0 offer' });
      }
      setLocalDescription(d: { type: string; sdp?: string }) {
        this.signalingState = d.type === 'rollback' ? 'stable' : 'have-local-offer';
        if (d.sdp) this.localDescription = { sdp: d.sdp };
        return Promise.resolve();
      }
      setRemoteDescription() {
        this.signalingState = 'stable';
        return Promise.resolve();
      }
      restartIce() {
        this.restarted = true;
        setTimeout(() => this.onnegotiationneeded?.(), 0);
      }
      close() {}
    }
    vi.stubGlobal('RTCPeerConnection', FakeConnection);
    const offers: string[] = [];
    let reply: (() => void) | null = null;
    vi.stubGlobal('fetch', vi.fn((path: string, init: RequestInit) => {
      if (path === '/api/v1/session/ice-servers') return json(200, { ice_servers: [] });
      if (path.endsWith('/answer')) return json(200, { type: 'answer', sdp: 'v=0 answer' });
      if (path.endsWith('/offer')) {
        offers.push(JSON.parse(String(init.body)).sdp);
        return new Promise<Response>((resolve) => {
          reply = () => resolve(new Response(JSON.stringify({ type: 'answer', sdp: 'v=0 restart answer' }),
            { status: 200, headers: { 'Content-Type': 'application/json' } }));
        });
      }
      return json(200, { mode: 'browser' });
    }));
    const phone = new BrowserPhone(microphone());
    phone.mode = 'browser';
    render(<BrowserPhonePanel phone={phone} ringing={ringing} callEnds={{}} takenFrom={null} />);
    fireEvent.click(screen.getByRole('button', { name: 'Answer' }));
    await screen.findByText(/Connected: the caller hears you/);
    expect(offers).toEqual([]); // the first offer goes to /answer, nothing re-offers by itself

    const pc = connection as unknown as FakeConnection;
    pc.iceConnectionState = 'failed';
    pc.oniceconnectionstatechange?.();
    await screen.findByText(/Reconnecting… the caller is still on the line/);
    await waitFor(() => expect(offers).toEqual(['v=0 restart offer']));
    reply!();
    await waitFor(() => expect(pc.signalingState).toBe('stable'));
    expect(phone.reconnecting).toBe(true); // answered, but ICE is not connected again yet
    pc.iceConnectionState = 'connected';
    pc.oniceconnectionstatechange?.();
    await screen.findByText(/Connected: the caller hears you/);
    expect(phone.reconnecting).toBe(false);
    expect(phone.callId).toBe('ct_1');
    phone.closeCall(); // its network watch goes with the call (the next test's events are not for it)
  });
  it('restarts ICE only after it has stayed disconnected for 2 s, and on a network change', async () => {
    const restarts: number[] = [];
    let connection: { iceConnectionState: string; oniceconnectionstatechange: (() => void) | null } | null = null;
    class FakeConnection {
      localDescription = { sdp: 'v=0 offer' };
      connectionState = 'connected';
      iceConnectionState = 'connected';
      signalingState = 'stable';
      ontrack = null;
      onconnectionstatechange = null;
      oniceconnectionstatechange: (() => void) | null = null;
      onnegotiationneeded = null;
      constructor() {
        connection = this;
      }
      addTrack() {}
      createOffer() { return Promise.resolve({ type: 'offer', sdp: 'v=0 offer' }); }
      setLocalDescription() { return Promise.resolve(); }
      setRemoteDescription() { return Promise.resolve(); }
      restartIce() { restarts.push(Date.now()); }
      close() {}
    }
    vi.stubGlobal('RTCPeerConnection', FakeConnection);
    vi.stubGlobal('fetch', vi.fn((path: string) => {
      if (path === '/api/v1/session/ice-servers') return json(200, { ice_servers: [] });
      return json(200, { type: 'answer', sdp: 'v=0 answer' });
    }));
    const phone = new BrowserPhone(microphone());
    await phone.answer('ct_1');
    const pc = connection!;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      // A blip: disconnected, then connected again within 2 s: no restart.
      pc.iceConnectionState = 'disconnected';
      pc.oniceconnectionstatechange?.();
      vi.advanceTimersByTime(DISCONNECTED_RESTART_MS - 100);
      pc.iceConnectionState = 'connected';
      pc.oniceconnectionstatechange?.();
      vi.advanceTimersByTime(DISCONNECTED_RESTART_MS * 2);
      expect(restarts).toEqual([]);
      expect(phone.reconnecting).toBe(false);
      // Disconnected for longer: restarted at 2 s, not before.
      pc.iceConnectionState = 'disconnected';
      pc.oniceconnectionstatechange?.();
      vi.advanceTimersByTime(DISCONNECTED_RESTART_MS - 1);
      expect(restarts).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(restarts.length).toBe(1);
      expect(phone.reconnecting).toBe(true);
    } finally {
      vi.useRealTimers();
    }
    // The network changed (or came back): restarted at once.
    window.dispatchEvent(new Event('online'));
    expect(restarts.length).toBe(2);
    // After the call, a network change restarts nothing.
    phone.closeCall();
    window.dispatchEvent(new Event('online'));
    expect(restarts.length).toBe(2);
  });
});
