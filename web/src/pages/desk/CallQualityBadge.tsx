// The call-quality badge of a browser call: the grade in words (colour only adds to it), announced politely
// when it changes, the numbers beside it; measured from getStats() every 2 s, reported to the server at
// most every 5 s (the wallboard shows supervisors each counsellor's latest grade).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { BrowserPhone, CallQuality } from '../../lib/browserPhone';
import { type CallSample, classify, GRADE_WORDS, gradeAdvice, type Grade, type Measurement, measure } from '../../lib/callQuality';

export const SAMPLE_MS = 2000;
export const REPORT_MS = 5000;

export function CallQualityBadge({ phone, callId, connected, sampleMs = SAMPLE_MS }: {
  phone: BrowserPhone;
  callId: string;
  connected: boolean;
  sampleMs?: number; // a test's shorter interval
}) {
  const [shown, setShown] = useState<{ grade: Grade; m: Measurement } | null>(null);
  const lastSample = useRef<CallSample | null>(null);
  const lastReport = useRef<{ sample: CallSample | null; at: number }>({ sample: null, at: 0 });
  useEffect(() => {
    setShown(null);
    lastSample.current = null;
    lastReport.current = { sample: null, at: 0 };
    if (!connected) return;
    let alive = true;
    const tick = async () => {
      const q: CallQuality | null = await phone.quality().catch(() => null);
      if (!alive || !q) return;
      const m = measure(lastSample.current, q);
      lastSample.current = q;
      setShown({ grade: classify(m), m });
      const now = Date.now();
      if (now - lastReport.current.at >= REPORT_MS) {
        // The report covers the time since the last report, however many samples lie between.
        const reported = measure(lastReport.current.sample, q);
        lastReport.current = { sample: q, at: now };
        phone.reportQuality(callId, reported, classify(reported)).catch(() => undefined);
      }
    };
    const timer = setInterval(() => void tick(), sampleMs);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [callId, connected]);

  return (
    <div class="call-quality" data-testid="browser-call-quality" data-grade={shown?.grade ?? ''}>
      {/* Only the grade's sentence is live: it changes with the grade, not with every sample. */}
      <p aria-live="polite" class={shown && shown.grade !== 'good' ? 'notice' : 'muted'}>
        {shown ? <><strong class={`quality-badge quality-${shown.grade}`}>Call quality: {GRADE_WORDS[shown.grade]}</strong>
          {shown.grade !== 'good' && ` ${gradeAdvice(shown.grade)}`}</> : 'Call quality: measuring…'}
      </p>
      {shown && (
        <p class="muted">
          Lost {shown.m.lossPercent.toFixed(1)} %, jitter {Math.round(shown.m.jitterMs)} ms
          {shown.m.rttMs !== null ? `, round trip ${Math.round(shown.m.rttMs)} ms` : ''} (last {Math.round(sampleMs / 1000)} s)
        </p>
      )}
    </div>
  );
}
