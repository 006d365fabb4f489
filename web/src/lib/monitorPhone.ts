// A supervisor's listen / coach / join in this browser, when their phone is this tab (the browser phone): the
// server rings the tab for the monitoring (call.monitor with "browser": true) and the tab answers as it answers
// a call, with a WebRTC offer over the console's session (POST /api/v1/session/phone/calls/{call}/answer);
// the media is DTLS-SRTP into the server's monitor mix. The microphone always goes to the server: what anyone
// hears of the supervisor is the server's rule for the mode (listen: nobody), never this tab's.
import { api } from './api';
import { browserPhone, type BrowserPhone } from './browserPhone';

export class MonitorPhone {
  callId: string | null = null;
  connection: RTCPeerConnection | null = null;
  remote: MediaStream | null = null;
  private listeners = new Set<() => void>();

  // `phone`: the tab's browser phone, whose open microphone the monitoring sends (the shared one by default).
  constructor(private readonly phoneOf: () => BrowserPhone = browserPhone) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.listeners.forEach((l) => l());
  }

  // Answers the monitoring ring of `callId` in this tab. Throws (the monitoring is hung up) if it cannot.
  async answer(callId: string): Promise<void> {
    const phone = this.phoneOf();
    if (!phone.microphone) await phone.checkMicrophone();
    this.close();
    const pc = new RTCPeerConnection(await phone.iceConfiguration());
    this.connection = pc;
    this.callId = callId;
    const mic = phone.microphone!;
    for (const track of mic.getAudioTracks()) pc.addTrack(track, mic);
    pc.ontrack = (event) => {
      this.remote = event.streams[0] ?? new MediaStream([event.track]);
      this.changed();
    };
    pc.onconnectionstatechange = () => this.changed();
    try {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      const answer = await api<{ sdp: string }>('POST', `/api/v1/session/phone/calls/${encodeURIComponent(callId)}/answer`,
        { sdp: pc.localDescription?.sdp ?? offer.sdp });
      await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    } catch (e) {
      await this.hangUp();
      throw e;
    }
    this.changed();
  }

  state(): string {
    return this.connection?.connectionState ?? 'closed';
  }

  // Ends it from here (the server ends the monitoring, as a desk phone hanging up would).
  async hangUp(): Promise<void> {
    const id = this.callId;
    this.close();
    if (id) await api('POST', `/api/v1/session/phone/calls/${encodeURIComponent(id)}/hangup`).catch(() => undefined);
  }

  // The monitoring ended on the server's side (call.monitor "ended", or the call ended).
  close(): void {
    this.connection?.close();
    this.connection = null;
    this.remote = null;
    this.callId = null;
    this.changed();
  }
}

let shared: MonitorPhone | null = null;
export function monitorPhone(): MonitorPhone {
  shared ??= new MonitorPhone();
  return shared;
}
