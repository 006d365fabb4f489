// Scheduling a follow-up call when there is cause for concern: the window, the
// number (sealed on the server; never shown again in full) and the caller's consent.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import type { FollowUp } from '../../lib/types';
import { Checkbox, FormError, Select, TextArea, TextField } from '../../components/Field';

function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function FollowUpForm(props: { line: string; contact: string; onScheduled: (f: FollowUp) => void }) {
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
  tomorrow.setMinutes(0, 0, 0);
  const [earliest, setEarliest] = useState(localInput(tomorrow));
  const [latest, setLatest] = useState(localInput(new Date(tomorrow.getTime() + 4 * 3600 * 1000)));
  const [method, setMethod] = useState('phone');
  const [number, setNumber] = useState('');
  const [consent, setConsent] = useState(false);
  const [notes, setNotes] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const schedule = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    if (!consent) {
      setErrors({ consent: 'Ask the caller first: a follow-up needs their consent.' });
      return;
    }
    setBusy(true);
    try {
      const f = await api<FollowUp>('POST', `/api/v1/lines/${props.line}/contacts/${props.contact}/follow-ups`, {
        earliest: new Date(earliest).toISOString(),
        latest: new Date(latest).toISOString(),
        method,
        number,
        consent: true,
        notes: notes || undefined,
      });
      setNumber('');
      props.onScheduled(f);
    } catch (err) {
      if (err instanceof ApiError) setErrors({ [err.field || '_']: err.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="follow-up-form" onSubmit={schedule} noValidate aria-label="Schedule a follow-up call">
      <div class="two-col">
        <TextField id="fu-earliest" label="Call from" type="datetime-local" value={earliest} onInput={setEarliest}
          error={errors.earliest} />
        <TextField id="fu-latest" label="Call by" type="datetime-local" value={latest} onInput={setLatest}
          error={errors.latest} />
      </div>
      <div class="two-col">
        <Select id="fu-method" label="How" value={method} onChange={(v) => setMethod(v || 'phone')}
          options={[{ value: 'phone', label: 'Phone call' }, { value: 'sms', label: 'Text message (SMS)' }]} />
        <TextField id="fu-number" label="Number to call (the caller gave it for this)" type="tel" value={number}
          onInput={setNumber} autocomplete="off" error={errors.number} />
      </div>
      <Checkbox id="fu-consent" label="The caller agreed to be called back on this number" checked={consent}
        onChange={setConsent} />
      {errors.consent && <p class="field-error" role="alert">{errors.consent}</p>}
      <TextArea id="fu-notes" label="Notes for whoever calls back (optional)" rows={2} maxLength={2000}
        value={notes} onInput={setNotes} error={errors.notes} />
      <FormError error={errors._ ?? errors.assigned_to} />
      <button type="submit" class="primary" disabled={busy}>Schedule follow-up</button>
    </form>
  );
}
