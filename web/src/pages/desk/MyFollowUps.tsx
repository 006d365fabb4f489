// Follow-ups due and overdue on my lines, with the call-back button and the outcome of each attempt.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { dateTime } from '../../lib/format';
import type { FollowUp, Reference } from '../../lib/types';
import { Select } from '../../components/Field';
import { options } from '../../lib/reference';

interface Row extends FollowUp {
  line: string;
}

export function MyFollowUps({ lines, reference, refreshKey }: { lines: string[]; reference: Reference; refreshKey: number }) {
  const [rows, setRows] = useState<Row[]>([]);
  const [message, setMessage] = useState('');
  const [outcomes, setOutcomes] = useState<Record<string, string>>({});
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    Promise.all(
      lines.map((line) =>
        api<{ follow_ups: FollowUp[] }>('GET', `/api/v1/lines/${line}/follow-ups?status=due,overdue`)
          .then((r) => r.follow_ups.map((f) => ({ ...f, line })))
          .catch(() => [] as Row[]),
      ),
    ).then((all) => live && setRows(all.flat().sort((a, b) => a.latest.localeCompare(b.latest))));
    const t = setTimeout(() => setTick(tick + 1), 60000);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [lines.join(','), refreshKey, tick]);

  const callBack = async (f: Row) => {
    setMessage('');
    try {
      await api('POST', `/api/v1/lines/${f.line}/follow-ups/${f.id}/call`);
      setMessage('Your phone is ringing: answer it and the caller\'s number will be dialled.');
    } catch (e) {
      setMessage(e instanceof ApiError ? e.message : String(e));
    }
  };

  const record = async (f: Row) => {
    const outcome = outcomes[f.id];
    if (!outcome) {
      setMessage('Choose how the attempt went first.');
      return;
    }
    try {
      await api('POST', `/api/v1/lines/${f.line}/follow-ups/${f.id}/attempts`, { outcome });
      setMessage('Attempt recorded.');
      setTick(tick + 1);
    } catch (e) {
      setMessage(e instanceof ApiError ? e.message : String(e));
    }
  };

  return (
    <section class="panel follow-ups" aria-labelledby="fu-title">
      <h2 id="fu-title">Follow-ups due</h2>
      {rows.length === 0 ? (
        <p class="muted">No follow-ups are due.</p>
      ) : (
        <ul class="fu-list">
          {rows.map((f) => (
            <li key={f.id} class={`fu fu-${f.status}`}>
              <p>
                <span class={`badge ${f.status === 'overdue' ? 'risk' : 'concern'}`}>{f.status}</span>{' '}
                by {dateTime(f.latest)} · attempts {Array.isArray(f.attempts) ? f.attempts.length : 0}
              </p>
              <div class="actions-row">
                <button type="button" class="primary small" onClick={() => callBack(f)}>Call back</button>
                <Select id={`fu-outcome-${f.id}`} label="How it went" value={outcomes[f.id] ?? ''}
                  onChange={(v) => setOutcomes({ ...outcomes, [f.id]: v })}
                  options={options(reference.attempt_outcomes)} placeholder="Choose" />
                <button type="button" class="small" onClick={() => record(f)}>Record attempt</button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <p role="status" class="muted">{message}</p>
    </section>
  );
}
