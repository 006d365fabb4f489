// The auditor's checks: the last checkpoint, and verification of the log (against the server's own
// checkpoints, or against checkpoints brought from write-once storage).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { FormError, Section, TextArea } from '../../components/Field';
import type { CheckpointAnswer, Verification } from './types';

function when(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }) + ' UTC';
}

export function LastCheckpoint() {
  const [answer, setAnswer] = useState<CheckpointAnswer | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<CheckpointAnswer>('GET', '/api/v1/audit/checkpoint')
      .then(setAnswer)
      .catch((e) => setError(e instanceof ApiError ? e.message : 'The last checkpoint could not be loaded.'));
  }, []);
  return (
    <Section title="Last checkpoint" id="checkpoint">
      <FormError error={error} />
      {answer?.fault && <p class="field-error" role="alert">The checkpoint file cannot be used: {answer.fault}</p>}
      {answer && !answer.checkpoint && !answer.fault && <p>The server has written no checkpoint yet.</p>}
      {answer?.checkpoint && (
        <dl class="checkpoint" data-testid="last-checkpoint">
          <dt>Written</dt>
          <dd>{when(answer.checkpoint.at)}</dd>
          <dt>Entries then</dt>
          <dd>{answer.checkpoint.seq}</dd>
          <dt>Head hash</dt>
          <dd><code>{answer.checkpoint.head_hash}</code></dd>
          <dt>Checkpoints in the server's file</dt>
          <dd>{answer.count}</dd>
        </dl>
      )}
      <p class="hint">
        Checkpoints are signed with the audit key and shipped to write-once storage. Entries written after the last
        shipped checkpoint are not yet protected against removal.
      </p>
    </Section>
  );
}

function Result({ v }: { v: Verification }) {
  if (v.ok) {
    return (
      <div class="audit-result intact" role="status" data-testid="verify-result">
        <p>
          <strong>The audit log is intact</strong>: {v.entries} entries, every one carrying the audit key's hash, and
          its append-only guards in place.
        </p>
        {v.checkpoint ? (
          <p>
            Nothing was removed or changed up to the checkpoint of {when(v.checkpoint.at)} ({v.checkpoint.seq}{' '}
            entries; {v.checkpoints_held} checkpoints held).
          </p>
        ) : (
          <p>No checkpoint was available, so entries removed from the end would not show.</p>
        )}
      </div>
    );
  }
  return (
    <div class="audit-result broken" role="alert" data-testid="verify-result">
      <p>
        <strong>The audit log does not verify.</strong>{' '}
        {v.first_bad_seq > 0 ? `Entry ${v.first_bad_seq}: ` : ''}
        {v.reason}
      </p>
      {v.first_bad_seq > 1 && <p>Entries 1 to {v.first_bad_seq - 1} are intact.</p>}
      {v.guard_faults.length > 0 && (
        <ul>
          {v.guard_faults.map((f) => (
            <li key={f}>The guard {f}</li>
          ))}
        </ul>
      )}
      {v.checkpoint_fault && <p>{v.checkpoint_fault}</p>}
    </div>
  );
}

export function Verify() {
  const [result, setResult] = useState<Verification | null>(null);
  const [busy, setBusy] = useState(false);
  const [pasted, setPasted] = useState('');
  const [error, setError] = useState<{ field: string; message: string } | null>(null);

  const run = async (body?: { checkpoints: string }) => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api<Verification>(body ? 'POST' : 'GET', '/api/v1/audit/verify', body));
    } catch (e) {
      setError(e instanceof ApiError ? { field: e.field, message: e.message } : { field: '', message: String(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Verify the log" id="verify">
      <p>Checks every entry's keyed hash and link, the append-only guards, and that no checkpointed entry is gone.</p>
      <button class="primary" type="button" disabled={busy} onClick={() => void run()}>
        Verify against the server's checkpoints
      </button>
      <form
        class="audit-verify-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run({ checkpoints: pasted });
        }}
        noValidate
      >
        <TextArea
          id="audit-checkpoints"
          label="Checkpoints from write-once storage"
          hint="Paste the lines of a shipped copy of audit-checkpoints (or log lines that carry them)."
          rows={4}
          value={pasted}
          onInput={setPasted}
          error={error?.field === 'checkpoints' ? error.message : undefined}
        />
        <button type="submit" disabled={busy || !pasted.trim()}>
          Verify against these checkpoints
        </button>
      </form>
      <FormError error={error && error.field !== 'checkpoints' ? error.message : undefined} />
      {busy && <p role="status">Verifying…</p>}
      {result && <Result v={result} />}
    </Section>
  );
}
