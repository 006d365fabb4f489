// The call-quality grade the desk shows and reports (issue 12): pure, no browser API. A sample is what
// RTCPeerConnection.getStats() gives (cumulative counters); a measurement covers the interval between two
// samples, so a loss early in a long call does not colour the rest of it.

export type Grade = 'good' | 'fair' | 'poor';

// Above the first number a measure is Fair, above the second Poor. The worst of the three wins.
export const THRESHOLDS = {
  lossPercent: [1, 3],
  jitterMs: [30, 50],
  rttMs: [300, 500],
} as const;

// Cumulative figures of the inbound audio, and the nominated pair's current round trip.
export interface CallSample {
  packetsReceived: number;
  packetsLost: number;
  jitterMs: number;
  roundTripMs: number | null;
}

export interface Measurement {
  lossPercent: number;  // lost / expected over the interval, 0-100
  jitterMs: number;
  rttMs: number | null;
}

// Loss over the interval from `before` to `now` (both cumulative): lost / (lost + received) as a percentage.
// No packets expected (on hold, or nothing yet) is no loss; a falling lost count (duplicates) counts as none.
export function measure(before: CallSample | null, now: CallSample): Measurement {
  const received = Math.max(0, now.packetsReceived - (before?.packetsReceived ?? 0));
  const lost = Math.max(0, now.packetsLost - (before?.packetsLost ?? 0));
  const expected = received + lost;
  const lossPercent = expected === 0 ? 0 : Math.min(100, (lost / expected) * 100);
  return { lossPercent, jitterMs: Math.max(0, now.jitterMs), rttMs: now.roundTripMs };
}

const ORDER: Grade[] = ['good', 'fair', 'poor'];

function gradeOf(value: number | null, [fair, poor]: readonly [number, number]): Grade {
  if (value === null || !Number.isFinite(value)) return 'good'; // not known is not a fault
  if (value > poor) return 'poor';
  if (value > fair) return 'fair';
  return 'good';
}

export function classify(m: Measurement): Grade {
  const grades = [
    gradeOf(m.lossPercent, THRESHOLDS.lossPercent),
    gradeOf(m.jitterMs, THRESHOLDS.jitterMs),
    gradeOf(m.rttMs, THRESHOLDS.rttMs),
  ];
  return ORDER[Math.max(...grades.map((g) => ORDER.indexOf(g)))];
}

export const GRADE_WORDS: Record<Grade, string> = { good: 'Good', fair: 'Fair', poor: 'Poor' };

// What the counsellor should do about a grade (nothing for Good), read after "Call quality: Fair".
export function gradeAdvice(grade: Grade): string {
  switch (grade) {
    case 'good':
      return '';
    case 'fair':
      return 'The caller may hear some breaks. If it gets worse, move closer to the router or use a cable.';
    case 'poor':
      return 'The caller may not hear you clearly: tell them, then close other downloads, move closer to the router '
        + 'or use a cable.';
  }
}
