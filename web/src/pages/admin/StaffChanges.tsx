// Changes that give a member of staff access to contacts, asked for by an administrator who is not the
// service manager of the line: they wait here until a second administrator (not the one who asked, not the
// person concerned) approves or rejects them (docs/security.md, "Separation of duties").
import { useContext, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { dateTime } from '../../lib/format';
import { SessionContext } from '../../lib/session';
import { FormError, Section } from '../../components/Field';
import { labelOf, messageOf, ROLE_OPTIONS, type StaffMember } from './shared';
import { accessText, grantsText, type StaffChange } from './staffChanges';

const roleLabel = (role: string) => labelOf(ROLE_OPTIONS, role);

export function StaffChanges(props: {
  changes: StaffChange[] | null;
  staff: StaffMember[];
  error: string;
  onDecided: (change: StaffChange, message: string, staff?: StaffMember) => void;
}) {
  const me = useContext(SessionContext)?.session.staff.id ?? '';
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState('');
  const nameOf = (id: string) => props.staff.find((s) => s.id === id)?.display_name ?? id;
  const pending = (props.changes ?? []).filter((c) => c.status === 'pending');

  const decide = async (change: StaffChange, verb: 'approve' | 'reject') => {
    setBusy(change.id);
    setErrors((e) => ({ ...e, [change.id]: '' }));
    try {
      const answer = await api<{ change: StaffChange; staff?: StaffMember }>(
        'POST',
        `/api/v1/staff/changes/${encodeURIComponent(change.id)}/${verb}`,
      );
      const who = change.after.display_name ?? nameOf(change.staff_id);
      props.onDecided(
        answer.change,
        verb === 'approve' ? `Approved the change for ${who}: it has taken effect.` : `Rejected the change for ${who}.`,
        answer.staff,
      );
    } catch (err) {
      setErrors((e) => ({ ...e, [change.id]: messageOf(err) }));
    } finally {
      setBusy('');
    }
  };

  return (
    <Section title="Changes awaiting a second administrator" id="admin-staff-changes">
      <p class="hint">
        Giving someone the counsellor or supervisor role on a line lets them read its contacts. Unless you are also
        that line's service manager, another administrator must approve it; it lapses if nobody does in time.
      </p>
      <FormError error={props.error} />
      {props.changes !== null && pending.length === 0 && <p>No changes are waiting.</p>}
      {pending.length > 0 && (
        <ul class="staff-changes">
          {pending.map((c) => {
            const who = c.after.display_name ?? nameOf(c.staff_id);
            const mine = c.requested_by === me;
            const aboutMe = c.staff_id === me;
            return (
              <li key={c.id} aria-labelledby={`change-${c.id}-title`}>
                <h3 id={`change-${c.id}-title`}>
                  {c.kind === 'create' ? 'New account' : 'Change'} for {who}
                  {c.after.username && <span class="muted"> ({c.after.username})</span>}
                </h3>
                <p>
                  Would give: <strong>{grantsText(c, roleLabel)}</strong>.
                </p>
                <p>
                  Now: {accessText(c.before, roleLabel)}. After: {accessText(c.after, roleLabel)}.
                </p>
                <p class="hint">
                  Asked by {nameOf(c.requested_by)} at {dateTime(c.requested_at)}; lapses at {dateTime(c.expires_at)}.
                </p>
                <FormError error={errors[c.id]} />
                {mine || aboutMe ? (
                  <p class="muted">
                    {mine ? 'You asked for this change' : 'This change is about you'}: another administrator decides it.
                  </p>
                ) : (
                  <div class="actions-row">
                    <button type="button" class="primary" disabled={busy === c.id} onClick={() => decide(c, 'approve')}>
                      Approve<span class="visually-hidden"> the change for {who}</span>
                    </button>
                    <button type="button" disabled={busy === c.id} onClick={() => decide(c, 'reject')}>
                      Reject<span class="visually-hidden"> the change for {who}</span>
                    </button>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Section>
  );
}
