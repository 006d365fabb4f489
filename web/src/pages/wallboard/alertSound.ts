// The escalation alert tone: made with the Web Audio API (no audio files, so
// nothing extra to serve under the CSP). Browsers only let a page make sound
// after a user gesture, so `enable()` must be called from a click.

type AudioContextClass = new () => AudioContext;

function defaultContext(): AudioContext | null {
  const w = globalThis as unknown as { AudioContext?: AudioContextClass; webkitAudioContext?: AudioContextClass };
  const Ctor = w.AudioContext ?? w.webkitAudioContext;
  return Ctor ? new Ctor() : null;
}

export class AlertSound {
  private context: AudioContext | null = null;

  constructor(private readonly createContext: () => AudioContext | null = defaultContext) {}

  get enabled(): boolean {
    return this.context !== null;
  }

  // From a click: creates (or resumes) the audio context and plays one short
  // confirmation tone. Returns false when the browser has no Web Audio.
  async enable(): Promise<boolean> {
    try {
      if (!this.context) this.context = this.createContext();
      if (!this.context) return false;
      if (this.context.state === 'suspended') await this.context.resume();
      this.tone(660, 0, 0.15);
      return true;
    } catch {
      this.context = null;
      return false;
    }
  }

  disable(): void {
    const c = this.context;
    this.context = null;
    c?.close().catch(() => undefined);
  }

  // Two short tones, high then low (about 0.7 s), loud enough to be heard across a room.
  play(): void {
    if (!this.context) return;
    this.tone(880, 0, 0.25);
    this.tone(660, 0.35, 0.3);
  }

  private tone(frequency: number, startAfter: number, length: number): void {
    const c = this.context;
    if (!c) return;
    const start = c.currentTime + startAfter;
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = 'sine';
    osc.frequency.setValueAtTime(frequency, start);
    // A short ramp in and out avoids clicks.
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.4, start + 0.02);
    gain.gain.setValueAtTime(0.4, start + length - 0.05);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
    osc.connect(gain);
    gain.connect(c.destination);
    osc.start(start);
    osc.stop(start + length + 0.01);
  }
}
