import { cleanup, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BrowserPhone } from './browserPhone';
import { MonitorPhone } from './monitorPhone';
import { MonitorAudio } from '../pages/wallboard/MonitorAudio';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function json(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

describe('monitoring a call in this browser', () => {
  it('answers the ring with an offer by the browser phone’s path, sending the microphone, and hangs up', async () => {
    const track = { kind: 'audio', enabled: true, stop: vi.fn() };
    const mic = { getAudioTracks: () => [track], getTracks: () => [track] } as unknown as MediaStream;
    const phone = new BrowserPhone(undefined);
    phone.microphone = mic;
    const added: unknown[] = [];
    let remote: RTCSessionDescriptionInit | null = null;
    class FakeConnection {
      connectionState = 'connected';
      localDescription: RTCSessionDescriptionInit | null = null;
      ontrack: ((e: unknown) => void) | null = null;
      onconnectionstatechange: (() => void) | null = null;
      addTrack(t: unknown) { added.push(t); }
      async createOffer() { return { type: 'offer', sdp: 'v=0 offer' }; }
      async setLocalDescription(d: RTCSessionDescriptionInit) { this.localDescription = d; }
      async setRemoteDescription(d: RTCSessionDescriptionInit) { remote = d; }
      close = vi.fn();
    }
    vi.stubGlobal('RTCPeerConnection', FakeConnection);
    const calls: Array<[string, RequestInit]> = [];
    vi.stubGlobal('fetch', vi.fn((path: string, init: RequestInit) => {
      calls.push([path, init]);
      if (path.endsWith('/ice-servers')) return json(200, { ice_servers: [] });
      if (path.endsWith('/answer')) return json(200, { type: 'answer', sdp: 'v=0 answer' });
      return Promise.resolve(new Response(null, { status: 204 }));
    }));
    const monitor = new MonitorPhone(() => phone);
    render(<MonitorAudio phone={monitor} mode="listen" />);
    expect(screen.queryByTestId('monitor-audio')).toBeNull();
    await monitor.answer('ct_9');
    const answer = calls.find(([p]) => p === '/api/v1/session/phone/calls/ct_9/answer');
    expect(JSON.parse(String(answer?.[1].body))).toEqual({ sdp: 'v=0 offer' });
    expect(remote).toEqual({ type: 'answer', sdp: 'v=0 answer' });
    expect(added).toEqual([track]);  // the server decides who hears it: listen, nobody
    await waitFor(() => expect(screen.getByTestId('monitor-audio').textContent).toBe('Listening in this browser: nobody hears you.'));
    await monitor.hangUp();
    expect(calls.some(([p, i]) => p === '/api/v1/session/phone/calls/ct_9/hangup' && i.method === 'POST')).toBe(true);
    await waitFor(() => expect(screen.queryByTestId('monitor-audio')).toBeNull());
  });
});
