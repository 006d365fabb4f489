// The browser phone's microphone: which one (this browser's audio inputs, the choice remembered here) and a
// live input level, so a counsellor sees their headset works before a call and while on one.
import { useEffect, useState } from 'preact/hooks';
import type { BrowserPhone } from '../../lib/browserPhone';
import { LevelMeter } from '../../lib/levelMeter';

// Reads the level ten times a second while `stream` is open. `makeMeter` is the seam for tests.
export function MicrophoneLevel({ stream, makeMeter = (s) => new LevelMeter(s) }: {
  stream: MediaStream | null;
  makeMeter?: (stream: MediaStream) => Pick<LevelMeter, 'read' | 'close'>;
}) {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    setLevel(0);
    if (!stream) return;
    let meter: Pick<LevelMeter, 'read' | 'close'>;
    try {
      meter = makeMeter(stream);
    } catch {
      return; // no Web Audio here: no meter, the phone still works
    }
    const timer = setInterval(() => setLevel(meter.read()), 100);
    return () => {
      clearInterval(timer);
      meter.close();
    };
  }, [stream]);
  const words = level === 0 ? 'silent' : level < 30 ? 'quiet' : level < 85 ? 'speaking' : 'loud';
  return (
    <p class="mic-level">
      <span id="mic-level-label">Microphone level</span>{' '}
      <meter role="meter" aria-labelledby="mic-level-label" min={0} max={100} low={30} high={85} optimum={60}
        value={level} aria-valuemin={0} aria-valuemax={100} aria-valuenow={level} aria-valuetext={`${level} of 100, ${words}`}
        data-testid="mic-level" />
    </p>
  );
}

export function MicrophoneChoice({ phone, onProblem }: { phone: BrowserPhone; onProblem: (message: string) => void }) {
  const [busy, setBusy] = useState(false);
  if (phone.microphones.length === 0) return null;
  // The browser's default when nothing was chosen: the stream's own device is the one in use.
  const inUse = phone.microphoneId ?? phone.microphone?.getAudioTracks()[0]?.getSettings?.().deviceId ?? '';
  const choose = async (deviceId: string) => {
    onProblem('');
    setBusy(true);
    try {
      await phone.chooseMicrophone(deviceId);
    } catch (e) {
      onProblem(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <p class="mic-choice">
      <label for="mic-choice">Microphone</label>{' '}
      <select id="mic-choice" value={inUse} disabled={busy} data-testid="mic-choice"
        onChange={(e) => void choose((e.target as HTMLSelectElement).value)}>
        {phone.microphones.map((m) => <option key={m.deviceId} value={m.deviceId}>{m.label}</option>)}
      </select>
    </p>
  );
}
