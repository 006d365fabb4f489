import { describe, expect, it, vi } from 'vitest';
import { LevelMeter, levelOf } from './levelMeter';

const wave = (amplitude: number, n = 1024) =>
  Uint8Array.from({ length: n }, (_, i) => Math.round(128 + amplitude * 127 * Math.sin((2 * Math.PI * i) / 32)));

describe('the microphone level', () => {
  it('is 0 for silence, rises with the amplitude on a decibel scale, and tops out at 100', () => {
    expect(levelOf(new Uint8Array(1024).fill(128))).toBe(0);
    expect(levelOf(new Uint8Array(0))).toBe(0);
    const quiet = levelOf(wave(0.01));
    const speech = levelOf(wave(0.3));
    const loud = levelOf(wave(1));
    expect(quiet).toBeGreaterThan(0);
    expect(quiet).toBeLessThan(speech);
    expect(speech).toBeLessThan(loud);
    expect(loud).toBeLessThanOrEqual(100);
    expect(loud).toBeGreaterThan(90);
    expect(levelOf(new Uint8Array(1024).fill(0))).toBe(100); // full scale
  });

  it('reads the analyser of the microphone stream and closes its audio context', () => {
    const samples = wave(0.5);
    const analyser = {
      fftSize: 0,
      getByteTimeDomainData: vi.fn((into: Uint8Array) => into.set(samples.subarray(0, into.length))),
    };
    const source = { connect: vi.fn() };
    const context = {
      state: 'suspended',
      createAnalyser: () => analyser,
      createMediaStreamSource: vi.fn(() => source),
      resume: vi.fn(() => Promise.resolve()),
      close: vi.fn(() => Promise.resolve()),
    };
    const stream = {} as MediaStream;
    const meter = new LevelMeter(stream, context as unknown as AudioContext);
    expect(context.createMediaStreamSource).toHaveBeenCalledWith(stream);
    expect(source.connect).toHaveBeenCalledWith(analyser);
    expect(context.resume).toHaveBeenCalled(); // a context made before a gesture starts suspended
    expect(meter.read()).toBe(levelOf(samples));
    meter.close();
    expect(context.close).toHaveBeenCalled();
  });
});
