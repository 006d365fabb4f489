import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BrowserPhone, DISCONNECTED_RESTART_MS } from '../../lib/browserPhone';
import type { RingingCall } from '../../lib/liveState';
import { MICROPHONE_KEY } from '../../lib/microphones';
import { BrowserPhonePanel } from './BrowserPhonePanel';
import { CallQualityBadge } from './CallQualityBadge';
import { MicrophoneLevel } from './MicrophoneControls';

function json(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

// A microphone as getUserMedia gives it (one audio track, named by the device asked for), or the error a
// browser throws; and the audio inputs enumerateDevices lists.
function microphone(fails?: string, devices: Array<[string, string]> = []) {
  return {
    getUserMedia: vi.fn((constraints: MediaStreamConstraints) => {
      if (fails) return Promise.reject(Object.assign(new Error(fails), { name: fails }));
      const audio = constraints.audio as { deviceId?: { exact: string } } | true;
      const deviceId = audio === true ? 'default' : audio.deviceId?.exact ?? 'default';
      const track = { kind: 'audio', enabled: true, stop: vi.fn(), deviceId, getSettings: () => ({ deviceId }) };
      return Promise.resolve({ getAudioTracks: () => [track], getTracks: () => [track] } as unknown as MediaStream);
    }),
    enumerateDevices: vi.fn(() => Promise.resolve(devices.map(([deviceId, label]) =>
      ({ kind: 'audioinput', deviceId, label, groupId: '' }) as MediaDeviceInfo))),
  };
}

const ringing: RingingCall = { call: 'ct_1', line: 'police', language: 'en', wait_ms: 0, browser: true, since: 0, at: '' };

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe('answering in the browser', () => {
  it('checks the microphone before holding the phone, and says what to do when it is refused or missing', async () => {
    const fetch = vi.fn(() => json(200, { mode: 'browser' }));
    vi.stubGlobal('fetch', fetch);
    const seen = new Set<string>();
    for (const [error, words] of [['NotAllowedError', /refused the microphone/], ['NotFoundError', /No microphone/],
      ['NotReadableError', /in use by another/], ['OverconstrainedError', /chosen microphone is not connected/]] as const) {
      const phone = new BrowserPhone(microphone(error));
      render(<BrowserPhonePanel phone={phone} ringing={null} callEnds={{}} takenFrom={null} />);
      fireEvent.click(screen.getByRole('button', { name: 'Answer in this browser' }));
      const text = (await screen.findByRole('alert')).textContent ?? '';
      expect(text, error).toMatch(words);
      seen.add(text);
      expect(phone.mode).toBe('desk');
      cleanup();
    }
    expect(seen.size).toBe(4); // a different message for each way it fails
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

describe('the microphone', () => {
  it('lists the inputs once allowed, opens the chosen one by its id and remembers it in this browser', async () => {
    vi.stubGlobal('fetch', vi.fn(() => json(200, { mode: 'browser' })));
    const media = microphone(undefined, [['default', 'Default'], ['usb-1', 'USB headset']]);
    const phone = new BrowserPhone(media);
    render(<BrowserPhonePanel phone={phone} ringing={null} callEnds={{}} takenFrom={null} />);
    expect(screen.queryByRole('combobox', { name: 'Microphone' })).toBeNull(); // nothing to list before permission
    fireEvent.click(screen.getByRole('button', { name: 'Answer in this browser' }));
    const choice = await screen.findByRole('combobox', { name: 'Microphone' }) as HTMLSelectElement;
    expect(Array.from(choice.options, (o) => o.textContent)).toEqual(['Default', 'USB headset']);
    expect(choice.value).toBe('default');
    fireEvent.change(choice, { target: { value: 'usb-1' } });
    await waitFor(() => expect(phone.microphoneId).toBe('usb-1'));
    expect(media.getUserMedia).toHaveBeenLastCalledWith({ audio: { deviceId: { exact: 'usb-1' } }, video: false });
    expect(localStorage.getItem(MICROPHONE_KEY)).toBe('usb-1');
    cleanup();

    // The next tab in this browser opens that one at once.
    const again = microphone(undefined, [['default', 'Default'], ['usb-1', 'USB headset']]);
    await new BrowserPhone(again).checkMicrophone();
    expect(again.getUserMedia).toHaveBeenCalledWith({ audio: { deviceId: { exact: 'usb-1' } }, video: false });
  });

  it('falls back to the default when the remembered one is unplugged, and forgets it', async () => {
    localStorage.setItem(MICROPHONE_KEY, 'gone');
    const media = microphone(undefined, [['default', 'Default']]);
    media.getUserMedia.mockImplementationOnce(() => Promise.reject(Object.assign(new Error('x'), { name: 'OverconstrainedError' })));
    const phone = new BrowserPhone(media);
    await phone.checkMicrophone();
    expect(media.getUserMedia).toHaveBeenLastCalledWith({ audio: true, video: false });
    expect(phone.microphoneId).toBeNull();
    expect(localStorage.getItem(MICROPHONE_KEY)).toBeNull();
  });

  it('switches the microphone during a call with replaceTrack, keeping it muted if it was', async () => {
    const replaced: unknown[] = [];
    const sender = { track: { kind: 'audio' }, replaceTrack: vi.fn((t: unknown) => { replaced.push(t); return Promise.resolve(); }) };
    const media = microphone(undefined, [['default', 'Default'], ['usb-1', 'USB headset']]);
    const phone = new BrowserPhone(media);
    await phone.checkMicrophone();
    const old = phone.microphone!.getAudioTracks()[0];
    phone.connection = { getSenders: () => [sender] } as unknown as RTCPeerConnection;
    phone.setMuted(true);
    await phone.chooseMicrophone('usb-1');
    const now = phone.microphone!.getAudioTracks()[0];
    expect(replaced).toEqual([now]);
    expect(now.enabled).toBe(false);
    expect(old.stop).toHaveBeenCalled();
    // A choice that cannot be opened leaves the one in use, and says why.
    media.getUserMedia.mockImplementationOnce(() => Promise.reject(Object.assign(new Error('x'), { name: 'NotReadableError' })));
    await expect(phone.chooseMicrophone('default')).rejects.toThrow(/in use by another/);
    expect(phone.microphone!.getAudioTracks()[0]).toBe(now);
    expect(phone.microphoneId).toBe('usb-1');
  });

  it('shows the input level as a labelled meter that moves with the sound', async () => {
    let level = 0;
    const closed = vi.fn();
    render(<MicrophoneLevel stream={{} as MediaStream} makeMeter={() => ({ read: () => level, close: closed })} />);
    const meter = screen.getByRole('meter', { name: 'Microphone level' });
    expect(meter.getAttribute('aria-valuenow')).toBe('0');
    level = 42;
    await waitFor(() => expect(meter.getAttribute('aria-valuenow')).toBe('42'));
    expect(meter.getAttribute('aria-valuetext')).toMatch(/42 of 100, speaking/);
    cleanup();
    await waitFor(() => expect(closed).toHaveBeenCalled()); // the panel gone, its audio context closed
  });
});

describe('the call-quality badge', () => {
  it('grades each interval in words, warns politely when it is not good, and reports at most every 5 s', async () => {
    // Cumulative inbound figures as getStats() gives them: a clean interval, then 10 % lost.
    const samples = [[100, 0], [200, 0], [290, 10], [390, 10]];
    let at = 0;
    const reports: Array<{ path: string; body: unknown }> = [];
    vi.stubGlobal('fetch', vi.fn((path: string, init: RequestInit) => {
      reports.push({ path, body: JSON.parse(String(init.body)) });
      return Promise.resolve(new Response(null, { status: 204 }));
    }));
    const phone = new BrowserPhone(microphone());
    phone.quality = () => {
      const [received, lost] = samples[Math.min(at, samples.length - 1)];
      at += 1;
      return Promise.resolve({ packetsReceived: received, packetsLost: lost, jitterMs: 4, audioLevel: 0.1, roundTripMs: 12 });
    };
    render(<CallQualityBadge phone={phone} callId="ct_1" connected sampleMs={40} />);
    const badge = screen.getByTestId('browser-call-quality');
    expect(badge.querySelector('[aria-live="polite"]')).not.toBeNull();
    await waitFor(() => expect(badge.getAttribute('data-grade')).toBe('good'));
    expect(badge.textContent).toMatch(/Call quality: Good/);
    await waitFor(() => expect(badge.getAttribute('data-grade')).toBe('poor'));
    expect(badge.textContent).toMatch(/Call quality: Poor.*not hear you clearly/);
    expect(badge.textContent).toMatch(/Lost 10\.0 %/);
    await waitFor(() => expect(badge.getAttribute('data-grade')).toBe('good')); // the next interval is clean again
    // Many samples, one report: the first, sent at once.
    expect(reports).toEqual([{ path: '/api/v1/session/phone/calls/ct_1/quality',
      body: { loss_percent: 0, jitter_ms: 4, rtt_ms: 12, grade: 'good' } }]);
  });
});
