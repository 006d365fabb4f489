// The console as the counsellor's phone (WebRTC). The server is the other peer: it rings this tab over the
// live feed, takes the browser's SDP offer when the counsellor answers and returns its answer (ICE-lite,
// DTLS-SRTP); nothing here holds a SIP password. One tab holds the phone at a time and renews it every 15 s,
// so a tab that sleeps or closes leaves routing within the server's 45 s, as a phone that stops registering.
// A network change mid-call (Wi-Fi drop, a new address) restarts ICE: a re-offer with new ICE credentials to
// .../offer, over the same session; the server keeps the call and its DTLS-SRTP keys meanwhile.
import { api, ApiError } from './api';
import type { Grade, Measurement } from './callQuality';
import { type Microphone, listMicrophones, microphoneConstraints, rememberedMicrophone, rememberMicrophone } from './microphones';

export type PhoneMode = 'desk' | 'browser';

// How long ICE may stay 'disconnected' before this tab restarts it ('failed' restarts at once).
export const DISCONNECTED_RESTART_MS = 2000;
// After a re-offer the server could not be asked (the network still down), the next try.
const RESTART_RETRY_MS = 3000;

type Media = Pick<MediaDevices, 'getUserMedia'> & Partial<Pick<MediaDevices, 'enumerateDevices' | 'addEventListener'>>;

// What went wrong with the microphone, in words a counsellor can act on: one message for each way it fails.
export function microphoneProblem(error: unknown): string {
  const name = (error as { name?: string } | null)?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return 'The browser refused the microphone. Allow it for this site (the icon in the address bar), then try again.';
  }
  if (name === 'NotFoundError') {
    return 'No microphone was found. Plug in a headset, then try again.';
  }
  if (name === 'OverconstrainedError') {
    return 'The chosen microphone is not connected any more. Plug it back in, or choose another microphone.';
  }
  if (name === 'NotReadableError' || name === 'AbortError') {
    return 'The microphone is in use by another program or tab. Close it there, then try again.';
  }
  return 'The microphone could not be started. Check the headset, then try again.';
}

function newTabId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface CallQuality {
  packetsReceived: number;
  packetsLost: number;
  jitterMs: number;
  audioLevel: number;
  roundTripMs: number | null;
}

// One per console tab. Listeners re-render the desk when anything changes.
export class BrowserPhone {
  readonly tab = newTabId();
  mode: PhoneMode = 'desk';
  heldElsewhere = false; // the server said another tab holds the phone
  callId: string | null = null;
  muted = false;
  reconnecting = false; // an ICE restart is under way: the panel says "Reconnecting…"
  connection: RTCPeerConnection | null = null;
  remote: MediaStream | null = null;
  microphones: Microphone[] = [];  // this browser's audio inputs, listed once the microphone is allowed
  microphoneId: string | null = rememberedMicrophone();  // the one chosen here (null: the browser's default)
  microphone: MediaStream | null = null;  // open while this tab holds the phone (the level meter reads it)
  private renewTimer: ReturnType<typeof setInterval> | null = null;
  private listeners = new Set<() => void>();
  private answered = false; // the server's answer to the first offer is applied: later negotiations re-offer
  private renegotiating = false;
  private renegotiateAgain = false;
  private disconnectedTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private networkWatch: AbortController | null = null;

  constructor(private readonly media: Media | undefined = globalThis.navigator?.mediaDevices) {
    // A headset plugged in or out: the list follows.
    media?.addEventListener?.('devicechange', () => {
      if (this.microphone) void this.listMicrophones();
    });
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.listeners.forEach((l) => l());
  }

  // Opens the microphone (kept open while this tab holds the phone, so a ring is answered at once): the one
  // chosen in this browser, or the default when that one is gone. Throws an Error whose message says what to do.
  async checkMicrophone(): Promise<void> {
    let stream: MediaStream;
    try {
      stream = await this.open(this.microphoneId);
    } catch (e) {
      const gone = (e as { name?: string }).name;
      if (!this.microphoneId || (gone !== 'OverconstrainedError' && gone !== 'NotFoundError')) throw e;
      this.microphoneId = null; // the remembered one is unplugged: the default, and forget it
      rememberMicrophone(null);
      stream = await this.open(null);
    }
    this.microphone?.getTracks().forEach((t) => t.stop());
    this.microphone = stream;
    await this.listMicrophones();
    this.changed();
  }

  private async open(deviceId: string | null): Promise<MediaStream> {
    if (!this.media?.getUserMedia) throw new Error('This browser cannot use a microphone here (it needs HTTPS or localhost).');
    try {
      const stream = await this.media.getUserMedia(microphoneConstraints(deviceId));
      if (stream.getAudioTracks().length === 0) throw Object.assign(new Error('no track'), { name: 'NotFoundError' });
      return stream;
    } catch (e) {
      throw Object.assign(new Error(microphoneProblem(e)), { name: (e as { name?: string }).name ?? 'Error' });
    }
  }

  private async listMicrophones(): Promise<void> {
    try {
      this.microphones = await listMicrophones(this.media);
    } catch {
      this.microphones = [];
    }
    this.changed();
  }

  // The counsellor picks another microphone: opened first (the old one stays if it fails), then swapped into
  // a call in progress without renegotiating (RTCRtpSender.replaceTrack), and remembered in this browser.
  async chooseMicrophone(deviceId: string): Promise<void> {
    const stream = await this.open(deviceId);
    const track = stream.getAudioTracks()[0];
    track.enabled = !this.muted;
    const senders = this.connection?.getSenders().filter((s) => s.track?.kind === 'audio' || s.track === null) ?? [];
    await Promise.all(senders.map((s) => s.replaceTrack(track)));
    this.microphone?.getTracks().forEach((t) => t.stop());
    this.microphone = stream;
    this.microphoneId = deviceId;
    rememberMicrophone(deviceId);
    this.changed();
  }

  // "Answer in this browser". A 409 means another tab holds it: heldElsewhere, until takeOver.
  async useBrowser(takeOver = false): Promise<void> {
    await this.checkMicrophone();
    try {
      await this.hold(takeOver);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && e.field === 'tab') {
        this.heldElsewhere = true;
        this.changed();
        return;
      }
      throw e;
    }
    this.heldElsewhere = false;
    this.mode = 'browser';
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = setInterval(() => {
      this.hold(false).catch((e) => {
        if (e instanceof ApiError && (e.status === 409 || e.status === 401)) this.lost();
      });
    }, 15000);
    this.changed();
  }

  private hold(takeOver: boolean): Promise<unknown> {
    return api('PUT', '/api/v1/session/phone', { mode: 'browser', tab: this.tab, take_over: takeOver });
  }

  // "Use my desk phone".
  async useDesk(): Promise<void> {
    await api('PUT', '/api/v1/session/phone', { mode: 'desk', tab: this.tab });
    this.lost();
  }

  // Another tab took the phone over (phone.taken_over naming this tab), or it could not be renewed.
  lost(): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    this.mode = 'desk';
    this.microphone?.getTracks().forEach((t) => t.stop());
    this.microphone = null;
    this.changed();
  }

  async answer(callId: string): Promise<void> {
    if (!this.microphone) await this.checkMicrophone();
    const pc = new RTCPeerConnection(await this.iceConfiguration());
    this.connection = pc;
    this.callId = callId;
    this.muted = false;
    for (const track of this.microphone!.getAudioTracks()) {
      track.enabled = true;
      pc.addTrack(track, this.microphone!);
    }
    pc.ontrack = (event) => {
      this.remote = event.streams[0] ?? new MediaStream([event.track]);
      this.changed();
    };
    pc.onconnectionstatechange = () => this.changed();
    pc.oniceconnectionstatechange = () => this.iceStateChanged(pc);
    // pc.restartIce() (ours below, or anyone's) asks for a negotiation: a re-offer with new ICE credentials.
    pc.onnegotiationneeded = () => {
      void this.renegotiate(pc);
    };
    this.answered = false;
    try {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const answer = await api<{ sdp: string }>('POST', `/api/v1/session/phone/calls/${encodeURIComponent(callId)}/answer`,
        { sdp: pc.localDescription?.sdp ?? offer.sdp });
      await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    } catch (e) {
      this.closeCall();
      throw e;
    }
    this.answered = true;
    this.watchNetwork(pc);
    this.changed();
  }

  // Restarts ICE on the call in progress (a network change): the browser gathers new candidates under new
  // credentials, re-offers them to the server, and moves the media to the pair it then nominates. The call,
  // its keys and the caller stay as they are meanwhile.
  restartIce(): void {
    const pc = this.connection;
    if (!pc || !this.answered || pc.signalingState === 'closed') return;
    this.reconnecting = true;
    this.changed();
    if (typeof pc.restartIce === 'function') {
      pc.restartIce(); // fires negotiationneeded: renegotiate below
    } else {
      void this.renegotiate(pc, true);
    }
  }

  private async renegotiate(pc: RTCPeerConnection, iceRestart = false): Promise<void> {
    if (pc !== this.connection || !this.answered || !this.callId) return;
    if (this.renegotiating) {
      this.renegotiateAgain = true;
      return;
    }
    this.renegotiating = true;
    const callId = this.callId;
    try {
      if (pc.signalingState !== 'stable') return;
      const offer = await pc.createOffer(iceRestart ? { iceRestart: true } : undefined);
      await pc.setLocalDescription(offer);
      try {
        const answer = await api<{ sdp: string }>('POST', `/api/v1/session/phone/calls/${encodeURIComponent(callId)}/offer`,
          { sdp: pc.localDescription?.sdp ?? offer.sdp });
        if (pc !== this.connection) return;
        await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
      } catch (e) {
        // (read again: it changed since the check above, which TypeScript's narrowing does not know)
        if ((pc.signalingState as RTCSignalingState) === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' });
        // The call is over on the server (404/409): call.ended closes it here. Otherwise try again shortly.
        if (!(e instanceof ApiError && (e.status === 404 || e.status === 409))) this.retryRestart(pc);
        return;
      }
    } catch {
      this.retryRestart(pc);
    } finally {
      this.renegotiating = false;
      if (this.renegotiateAgain) {
        this.renegotiateAgain = false;
        void this.renegotiate(pc);
      } else {
        this.settle(pc); // ICE may have stayed connected on the old pair throughout: no state change to wait for
      }
    }
  }

  private retryRestart(pc: RTCPeerConnection): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (pc === this.connection && this.reconnecting) this.restartIce();
    }, RESTART_RETRY_MS);
  }

  private iceStateChanged(pc: RTCPeerConnection): void {
    if (pc !== this.connection) return;
    const state = pc.iceConnectionState;
    if (state !== 'disconnected' && this.disconnectedTimer) {
      clearTimeout(this.disconnectedTimer);
      this.disconnectedTimer = null;
    }
    if (state === 'failed') {
      this.restartIce();
    } else if (state === 'disconnected' && !this.disconnectedTimer) {
      this.disconnectedTimer = setTimeout(() => {
        this.disconnectedTimer = null;
        if (pc === this.connection && pc.iceConnectionState === 'disconnected') this.restartIce();
      }, DISCONNECTED_RESTART_MS);
    }
    this.settle(pc);
  }

  // Reconnected once the restart's answer is applied and ICE is connected again.
  private settle(pc: RTCPeerConnection): void {
    const connected = pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed';
    if (this.reconnecting && connected && pc.signalingState === 'stable' && !this.renegotiating) this.reconnecting = false;
    this.changed();
  }

  // A new network (navigator.connection's change, the window coming back online) means new addresses: restart.
  private watchNetwork(pc: RTCPeerConnection): void {
    this.networkWatch?.abort();
    const watch = new AbortController();
    this.networkWatch = watch;
    const restart = () => {
      if (pc === this.connection) this.restartIce();
    };
    globalThis.addEventListener?.('online', restart, { signal: watch.signal });
    const connection = (globalThis.navigator as { connection?: EventTarget } | undefined)?.connection;
    connection?.addEventListener?.('change', restart, { signal: watch.signal });
  }

  // The TURN servers crisisline hands this counsellor (a fresh, time-limited credential for each call), and
  // whether media must go only through them. Without TURN (or if the list cannot be had) the call still goes
  // direct to crisisline's media address.
  async iceConfiguration(): Promise<RTCConfiguration> {
    try {
      const r = await api<{ ice_servers: RTCIceServer[]; ice_transport_policy?: RTCIceTransportPolicy }>(
        'GET', '/api/v1/session/ice-servers');
      return { iceServers: r.ice_servers ?? [], iceTransportPolicy: r.ice_transport_policy ?? 'all' };
    } catch {
      return { iceServers: [] };
    }
  }

  async decline(callId: string): Promise<void> {
    await api('POST', `/api/v1/session/phone/calls/${encodeURIComponent(callId)}/hangup`);
  }

  async hangUp(): Promise<void> {
    const id = this.callId;
    this.closeCall();
    if (id) await api('POST', `/api/v1/session/phone/calls/${encodeURIComponent(id)}/hangup`).catch(() => undefined);
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    this.microphone?.getAudioTracks().forEach((t) => {
      t.enabled = !muted;
    });
    this.changed();
  }

  // The call ended on the server's side (call.ended on the live feed).
  closeCall(): void {
    this.networkWatch?.abort();
    this.networkWatch = null;
    for (const t of [this.disconnectedTimer, this.retryTimer]) if (t) clearTimeout(t);
    this.disconnectedTimer = null;
    this.retryTimer = null;
    this.answered = false;
    this.reconnecting = false;
    this.connection?.close();
    this.connection = null;
    this.remote = null;
    this.callId = null;
    this.muted = false;
    this.changed();
  }

  // Tells the server what this call sounds like from here (the wallboard shows it to supervisors).
  async reportQuality(callId: string, m: Measurement, grade: Grade): Promise<void> {
    const round = (n: number) => Math.round(n * 10) / 10;
    await api('POST', `/api/v1/session/phone/calls/${encodeURIComponent(callId)}/quality`, {
      loss_percent: round(m.lossPercent),
      jitter_ms: round(m.jitterMs),
      rtt_ms: m.rttMs === null ? null : round(m.rttMs),
      grade,
    });
  }

  async quality(): Promise<CallQuality | null> {
    if (!this.connection) return null;
    const stats = await this.connection.getStats();
    let q: CallQuality | null = null;
    let rtt: number | null = null;
    stats.forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        q = {
          packetsReceived: Number(s.packetsReceived ?? 0),
          packetsLost: Number(s.packetsLost ?? 0),
          jitterMs: Number(s.jitter ?? 0) * 1000,
          audioLevel: Number(s.audioLevel ?? 0),
          roundTripMs: null,
        };
      }
      if (s.type === 'candidate-pair' && s.nominated && typeof s.currentRoundTripTime === 'number') {
        rtt = s.currentRoundTripTime * 1000;
      }
    });
    if (q) (q as CallQuality).roundTripMs = rtt;
    return q;
  }
}

let shared: BrowserPhone | null = null;
export function browserPhone(): BrowserPhone {
  shared ??= new BrowserPhone();
  return shared;
}
