// The microphone's input level for the desk's meter: Web Audio's AnalyserNode on the microphone's stream,
// read as the RMS of the last frames on a decibel scale, -60 dBFS (and below) to 0 dBFS as 0 to 100.

export const FLOOR_DB = -60;

// REQUIRES: `samples` are an AnalyserNode's time-domain bytes (128 is silence).
export function levelOf(samples: Uint8Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) {
    const v = (s - 128) / 128;
    sum += v * v;
  }
  const rms = Math.sqrt(sum / samples.length);
  if (rms === 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.round(Math.min(100, Math.max(0, ((db - FLOOR_DB) / -FLOOR_DB) * 100)));
}

type AudioContextLike = Pick<AudioContext, 'createMediaStreamSource' | 'createAnalyser' | 'close' | 'resume' | 'state'>;

// One per microphone stream; close() when the stream changes or the panel goes.
export class LevelMeter {
  private readonly analyser: AnalyserNode;
  private readonly buffer: Uint8Array<ArrayBuffer>;

  constructor(stream: MediaStream, private readonly context: AudioContextLike = new AudioContext()) {
    this.analyser = context.createAnalyser();
    this.analyser.fftSize = 1024;
    this.buffer = new Uint8Array(this.analyser.fftSize);
    context.createMediaStreamSource(stream).connect(this.analyser);
    if (context.state === 'suspended') void context.resume().catch(() => undefined);
  }

  // 0-100 (see levelOf).
  read(): number {
    this.analyser.getByteTimeDomainData(this.buffer);
    return levelOf(this.buffer);
  }

  close(): void {
    void this.context.close().catch(() => undefined);
  }
}
