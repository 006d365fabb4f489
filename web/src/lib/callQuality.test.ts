import { describe, expect, it } from 'vitest';
import { type CallSample, classify, gradeAdvice, measure } from './callQuality';

const sample = (packetsReceived: number, packetsLost: number, jitterMs = 5, roundTripMs: number | null = 20): CallSample =>
  ({ packetsReceived, packetsLost, jitterMs, roundTripMs });

describe('call quality', () => {
  it('grades each measure at its thresholds, and the worst of the three wins', () => {
    const cases: Array<[number, number, number | null, string]> = [
      [0, 0, null, 'good'],
      [1, 30, 300, 'good'],      // at a threshold is not above it
      [1.01, 0, 0, 'fair'],
      [3, 0, 0, 'fair'],
      [3.5, 0, 0, 'poor'],
      [0, 31, 0, 'fair'],
      [0, 50.5, 0, 'poor'],
      [0, 0, 301, 'fair'],
      [0, 0, 501, 'poor'],
      [2, 10, 600, 'poor'],      // loss Fair, round trip Poor: Poor
      [0.5, 40, 100, 'fair'],    // jitter alone makes it Fair
    ];
    for (const [lossPercent, jitterMs, rttMs, grade] of cases) {
      expect(classify({ lossPercent, jitterMs, rttMs }), JSON.stringify({ lossPercent, jitterMs, rttMs })).toBe(grade);
    }
  });

  it('counts loss over the last interval, not since the call began', () => {
    // 10 % lost in the first interval...
    const first = measure(null, sample(90, 10));
    expect(first.lossPercent).toBeCloseTo(10);
    expect(classify(first)).toBe('poor');
    // ...then a clean interval: the cumulative count (10 of 340) would still say Fair.
    const second = measure(sample(90, 10), sample(340, 10));
    expect(second.lossPercent).toBe(0);
    expect(classify(second)).toBe('good');
    // 5 of 250 in an interval is 2 %.
    expect(measure(sample(340, 10), sample(585, 15)).lossPercent).toBeCloseTo(2);
  });

  it('takes no packets as no loss and a falling lost count (duplicates) as none lost', () => {
    expect(measure(sample(100, 4), sample(100, 4)).lossPercent).toBe(0);
    expect(measure(sample(100, 4), sample(200, 2)).lossPercent).toBe(0);
  });

  it('says what to do in words, not colour alone', () => {
    expect(gradeAdvice('good')).toBe('');
    expect(gradeAdvice('fair')).toMatch(/breaks/);
    expect(gradeAdvice('poor')).toMatch(/not hear you clearly/);
  });
});
