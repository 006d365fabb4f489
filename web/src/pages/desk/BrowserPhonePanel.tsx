// "Answer in this browser": the desk as the counsellor's phone. Choosing it checks the microphone first;
// then the microphone can be chosen and its level is shown; a ring here rings audibly and shows Answer /
// Decline; on a call, Mute and Hang up and the call-quality badge. Every control is a button or a select,
// reachable by keyboard, with the focus moved to Answer when a call rings.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../lib/api';
import type { BrowserPhone } from '../../lib/browserPhone';
import type { CallEnd, RingingCall } from '../../lib/liveState';
import { CallQualityBadge } from './CallQualityBadge';
import { MicrophoneChoice, MicrophoneLevel } from './MicrophoneControls';

// A soft two-tone ring through Web Audio, one burst every 3 s while `on`.
function useRingTone(on: boolean) {
  useEffect(() => {
    if (!on || typeof AudioContext === 'undefined') return;
    const context = new AudioContext();
    const burst = () => {
      const gain = context.createGain();
      gain.gain.value = 0.08;
      gain.connect(context.destination);
      for (const [freq, start] of [[440, 0], [480, 0]] as const) {
        const osc = context.createOscillator();
        osc.frequency.value = freq;
        osc.connect(gain);
        osc.start(context.currentTime + start);
        osc.stop(context.currentTime + 1.2);
      }
    };
    burst();
    const timer = setInterval(burst, 3000);
    return () => {
      clearInterval(timer);
      void context.close();
    };
  }, [on]);
}

function message(e: unknown): string {
  return e instanceof ApiError || e instanceof Error ? e.message : String(e);
}

export function BrowserPhonePanel({ phone, ringing, callEnds, takenFrom }: {
  phone: BrowserPhone;
  ringing: RingingCall | null;
  callEnds: Record<string, CallEnd>;
  takenFrom: string | null;
}) {
  const [, setVersion] = useState(0);
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);
  const audio = useRef<HTMLAudioElement>(null);
  const answerButton = useRef<HTMLButtonElement>(null);
  useEffect(() => phone.subscribe(() => setVersion((v) => v + 1)), [phone]);

  const ringsHere = phone.mode === 'browser' && ringing?.browser === true && !phone.callId;
  useRingTone(ringsHere);
  useEffect(() => {
    if (ringsHere) answerButton.current?.focus();
  }, [ringsHere, ringing?.call]);

  // The remote audio plays through an <audio> element (no inline script or style: the CSP holds).
  useEffect(() => {
    if (audio.current) audio.current.srcObject = phone.remote;
  }, [phone.remote]);

  // The server ended the call (the caller hung up, or it failed): close the connection here too.
  useEffect(() => {
    const end = phone.callId ? callEnds[phone.callId] : undefined;
    if (!end) return;
    phone.closeCall();
    if (end.reason === 'interrupted') {
      setProblem('Your connection to the caller was lost. They are back at the front of the queue for the next '
        + 'counsellor. Finish your notes; you are not ready for calls until you say you are available.');
    }
  }, [callEnds, phone.callId]);

  useEffect(() => {
    if (takenFrom && takenFrom === phone.tab && phone.mode === 'browser') {
      phone.lost();
      setProblem('Another tab took over your phone: calls ring there now.');
    }
  }, [takenFrom]);

  const run = async (what: () => Promise<void>) => {
    setProblem('');
    setBusy(true);
    try {
      await what();
    } catch (e) {
      setProblem(message(e));
    } finally {
      setBusy(false);
    }
  };

  const state = phone.connection?.connectionState ?? 'new';
  return (
    <section class="panel browser-phone" aria-labelledby="browser-phone-title" data-testid="browser-phone"
      data-mode={phone.mode}>
      <h2 id="browser-phone-title">My phone</h2>
      {phone.mode === 'desk' ? (
        <>
          <p data-testid="browser-phone-state">Calls ring your desk phone.</p>
          {phone.heldElsewhere ? (
            <>
              <p class="notice" role="alert">Another tab answers your calls in this browser.</p>
              <button type="button" disabled={busy} onClick={() => run(() => phone.useBrowser(true))}>
                Answer in this tab instead
              </button>
            </>
          ) : (
            <button type="button" disabled={busy} onClick={() => run(() => phone.useBrowser(false))}>
              Answer in this browser
            </button>
          )}
        </>
      ) : (
        <>
          <p data-testid="browser-phone-state">Calls ring in this browser. Microphone ready.</p>
          <MicrophoneChoice phone={phone} onProblem={setProblem} />
          <MicrophoneLevel stream={phone.microphone} />
          {/* While it rings, Answer and Decline take this row: the panel keeps its height, nothing below moves. */}
          {!phone.callId && !ringsHere && (
            <button type="button" disabled={busy} onClick={() => run(() => phone.useDesk())}>Use my desk phone</button>
          )}
        </>
      )}
      {ringsHere && ringing && (
        <div class="segmented" role="group" aria-label="Incoming call in this browser">
          <button type="button" class="primary" ref={answerButton} disabled={busy}
            onClick={() => run(() => phone.answer(ringing.call))}>
            Answer
          </button>
          <button type="button" disabled={busy} onClick={() => run(() => phone.decline(ringing.call))}>Decline</button>
        </div>
      )}
      {phone.callId && (
        <>
          <p role="status" data-testid="browser-call-state" data-connection={state}
            data-reconnecting={phone.reconnecting ? 'true' : 'false'}>
            {phone.reconnecting
              ? 'Reconnecting… the caller is still on the line.'
              : state === 'connected' ? 'Connected: the caller hears you.' : 'Connecting the audio…'}
            {phone.muted && ' You are muted.'}
          </p>
          <CallQualityBadge phone={phone} callId={phone.callId} connected={state === 'connected'} />
          <div class="segmented" role="group" aria-label="Call controls">
            <button type="button" aria-pressed={phone.muted} onClick={() => phone.setMuted(!phone.muted)}>
              {phone.muted ? 'Unmute' : 'Mute'}
            </button>
            <button type="button" class="danger" onClick={() => run(() => phone.hangUp())}>Hang up</button>
          </div>
        </>
      )}
      {problem && <p class="field-error" role="alert" data-testid="browser-phone-problem">{problem}</p>}
      <audio ref={audio} autoPlay data-testid="browser-phone-audio" />
    </section>
  );
}
