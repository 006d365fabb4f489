// While a supervisor monitors a call in this browser: where its audio plays, and what state it is in.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MonitorPhone } from '../../lib/monitorPhone';

export function MonitorAudio({ phone, mode }: { phone: MonitorPhone; mode: string | null }) {
  const [, setTick] = useState(0);
  const audio = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const stop = phone.subscribe(() => setTick((n) => n + 1));
    return () => {
      stop();
    };
  }, [phone]);
  // The remote audio plays through an <audio> element (no inline script or style: the CSP holds).
  useEffect(() => {
    if (audio.current) audio.current.srcObject = phone.remote;
  }, [phone.remote]);
  if (!phone.callId) return null;
  const state = phone.state();
  const words = mode === 'listen' ? 'Listening in this browser: nobody hears you.'
    : mode === 'coach' ? 'Coaching in this browser: only the counsellor hears you.'
      : mode === 'join' ? 'Joined in this browser: the caller and the counsellor hear you.' : 'Monitoring in this browser.';
  return (
    <p class="wb-monitor-audio" role="status" data-testid="monitor-audio" data-connection={state}>
      {state === 'connected' ? words : 'Connecting the audio…'}
      <audio ref={audio} autoPlay />
    </p>
  );
}
