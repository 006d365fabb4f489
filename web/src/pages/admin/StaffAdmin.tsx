// Staff administration: the list of accounts, adding one, changing roles, lines,
// languages and specialisms, disabling, resetting two-factor authentication, and
// the SIP account a counsellor's phone registers with; changes that wait for a second administrator.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { FormError, Section, TextField } from '../../components/Field';
import { AddButton, AdminTable, Choices, ConfirmButton, EditButton, StatusLine, useListForms } from './controls';
import {
  errorsFor,
  labelOf,
  LANGUAGE_OPTIONS,
  messageOf,
  ROLE_OPTIONS,
  splitList,
  useReference,
  type Errors,
  type LineConfig,
  type Option,
  type StaffMember,
} from './shared';
import { StaffChanges } from './StaffChanges';
import { isPending, grantsText, type PendingAnswer, type StaffChange } from './staffChanges';

const CREATE_FIELDS = ['username', 'display_name', 'password', 'roles', 'lines', 'languages', 'specialisms'] as const;
const EDIT_FIELDS = ['display_name', 'roles', 'lines', 'languages', 'specialisms', 'disabled'] as const;

export function StaffAdmin() {
  const [staff, setStaff] = useState<StaffMember[] | null>(null);
  const [lines, setLines] = useState<LineConfig[]>([]);
  const [loadError, setLoadError] = useState('');
  const [status, setStatus] = useState('');
  const { editing, setEditing, creating, setCreating, toggleEditing, toggleCreating } = useListForms();
  const [changes, setChanges] = useState<StaffChange[] | null>(null);
  const [changesError, setChangesError] = useState('');

  const loadChanges = () =>
    api<{ changes: StaffChange[] }>('GET', '/api/v1/staff/changes')
      .then((c) => {
        setChanges(c.changes);
        setChangesError('');
      })
      .catch((e) => setChangesError(messageOf(e)));

  // A create or change that waits: say so, and show it among the changes awaiting a second administrator.
  const waiting = (answer: PendingAnswer) => {
    const c = answer.change;
    setChanges((list) => [c, ...(list ?? []).filter((x) => x.id !== c.id)]);
    const who = c.after.display_name ?? staff?.find((m) => m.id === c.staff_id)?.display_name ?? c.staff_id;
    setStatus(
      `Not changed yet: giving ${who} ${grantsText(c, (r) => labelOf(ROLE_OPTIONS, r))} needs a second administrator's approval. It is listed under “Changes awaiting a second administrator”.`,
    );
  };

  const load = () =>
    Promise.all([
      api<{ staff: StaffMember[] }>('GET', '/api/v1/staff'),
      api<{ lines: LineConfig[] }>('GET', '/api/v1/lines'),
    ])
      .then(([s, l]) => {
        setStaff(s.staff);
        setLines(l.lines);
        setLoadError('');
      })
      .catch((e) => setLoadError(messageOf(e)));

  useEffect(() => {
    load();
    loadChanges();
  }, []);

  const replace = (member: StaffMember) =>
    setStaff((list) => (list ?? []).map((m) => (m.id === member.id ? { ...m, ...member } : m)));

  const lineOptions: Option[] = lines.map((l) => ({ value: l.id, label: `${l.name} (${l.id})` }));
  const current = staff?.find((m) => m.id === editing) ?? null;

  return (
    <>
      <Section title="Staff" id="admin-staff">
        <FormError error={loadError} />
        {staff === null && !loadError && <p>Loading staff…</p>}
        {staff && staff.length === 0 && <p>No staff yet.</p>}
        {staff && staff.length > 0 && (
          <AdminTable caption="Staff accounts" columns={['Name', 'Username', 'Roles', 'Lines', 'Phone (SIP)', 'Status']}>
            {staff.map((m) => (
              <tr key={m.id} class={m.id === editing ? 'selected' : undefined}>
                <td>{m.display_name}</td>
                <td>
                  <code>{m.username}</code>
                </td>
                <td>{m.roles.map((r) => labelOf(ROLE_OPTIONS, r)).join(', ') || '—'}</td>
                <td>{m.lines.join(', ') || '—'}</td>
                <td>{m.sip_username ? <code>{m.sip_username}</code> : <span class="muted">none</span>}</td>
                <td>
                  {m.disabled ? <span class="badge off">Disabled</span> : 'Active'}
                  {m.mfa_enrolled === false && <span class="muted"> · two-factor not set up</span>}
                </td>
                <td>
                  <EditButton open={m.id === editing} name={`${m.display_name} (${m.username})`}
                    onClick={() => toggleEditing(m.id)} />
                </td>
              </tr>
            ))}
          </AdminTable>
        )}
        <AddButton label="Add a member of staff" open={creating} onClick={toggleCreating} />
      </Section>
      <StatusLine id="admin-staff-status" message={status} />
      <StaffChanges
        changes={changes}
        staff={staff ?? []}
        error={changesError}
        onDecided={(c, message, member) => {
          setChanges((list) => (list ?? []).map((x) => (x.id === c.id ? c : x)));
          if (member) {
            setStaff((list) =>
              (list ?? []).some((m) => m.id === member.id) ? (list ?? []).map((m) => (m.id === member.id ? { ...m, ...member } : m)) : [...(list ?? []), member],
            );
          }
          setStatus(message);
        }}
      />
      {creating && (
        <CreateStaff
          lineOptions={lineOptions}
          onCancel={() => setCreating(false)}
          onPending={(answer) => {
            setCreating(false);
            waiting(answer);
          }}
          onCreated={(m) => {
            setStaff((list) => [...(list ?? []), m]);
            setCreating(false);
            setEditing(m.id);
            setStatus(`Added ${m.display_name} (${m.username}). They set up two-factor authentication at first sign-in.`);
          }}
        />
      )}
      {current && (
        <EditStaff
          key={current.id}
          member={current}
          lineOptions={lineOptions}
          onSaved={(m, message) => {
            replace(m);
            setStatus(message);
          }}
          onPending={waiting}
          onClose={() => setEditing(null)}
        />
      )}
    </>
  );
}

function specialismsHint(categories: Option[]): string {
  const examples = categories.slice(0, 4).map((c) => c.label.toLowerCase());
  return `Separate with commas${examples.length ? `, for example: ${examples.join(', ')}` : ''}.`;
}

function useCategories(): Option[] {
  const ref = useReference();
  return (ref?.signposting_categories ?? []).map((c) => ({ value: c.code, label: c.label }));
}

// The fields a new member of staff cannot be added without, with what to do about each.
export function missingForNewStaff(f: { username: string; displayName: string; password: string; roles: string[] }): Errors {
  const missing: Errors = {};
  if (!f.username.trim()) missing.username = 'Enter a username.';
  if (!f.displayName.trim()) missing.display_name = 'Enter a display name.';
  if (!f.password) missing.password = 'Enter a temporary password.';
  if (f.roles.length === 0) missing.roles = 'Choose at least one role.';
  return missing;
}

const MISSING_FOCUS: Record<string, string> = {
  username: 'staff-new-username',
  display_name: 'staff-new-display-name',
  password: 'staff-new-password',
  roles: 'staff-new-roles-counsellor',
};

function CreateStaff(props: {
  lineOptions: Option[];
  onCreated: (m: StaffMember) => void;
  onPending: (answer: PendingAnswer) => void;
  onCancel: () => void;
}) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<string[]>(['counsellor']);
  const [lines, setLines] = useState<string[]>([]);
  const [languages, setLanguages] = useState<string[]>(['en']);
  const [specialisms, setSpecialisms] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const categories = useCategories();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    // Every field left empty is named at once (the server stops at the first); the rest is the server's to judge.
    const missing = missingForNewStaff({ username, displayName, password, roles });
    if (Object.keys(missing).length) {
      setErrors({ _: 'Some details are missing: see the messages beside them.', ...missing });
      document.getElementById(MISSING_FOCUS[Object.keys(missing)[0]])?.focus();
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const created = await api<StaffMember | PendingAnswer>('POST', '/api/v1/staff', {
        username: username.trim(),
        display_name: displayName.trim(),
        password,
        roles,
        lines,
        languages,
        specialisms: splitList(specialisms),
      });
      if (isPending(created)) props.onPending(created);
      else props.onCreated(created);
    } catch (err) {
      setErrors(errorsFor(err, CREATE_FIELDS));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="staff-new-title">
      <h2 id="staff-new-title" tabIndex={-1} ref={heading}>
        Add a member of staff
      </h2>
      <form onSubmit={submit} noValidate>
        <FormError error={errors._} />
        <div class="two-col-admin">
          <TextField id="staff-new-username" label="Username" value={username} onInput={setUsername}
            autocomplete="off" error={errors.username} maxLength={64}
            hint="3–64 of lower-case letters, digits, '.', '_' or '-'. Used to sign in." />
          <TextField id="staff-new-display-name" label="Display name" value={displayName} onInput={setDisplayName}
            error={errors.display_name} maxLength={100}
            hint="What the counsellor tells callers, for example a first name." />
        </div>
        <TextField id="staff-new-password" label="Temporary password" type="password" value={password}
          onInput={setPassword} autocomplete="new-password" error={errors.password}
          hint="12 characters or more. Give it to the person in private; they can change it under My account." />
        <Choices idPrefix="staff-new-roles" legend="Roles" options={ROLE_OPTIONS} selected={roles}
          onChange={setRoles} error={errors.roles} />
        <Choices idPrefix="staff-new-lines" legend="Lines" options={props.lineOptions} selected={lines}
          onChange={setLines} error={errors.lines} columns />
        <Choices idPrefix="staff-new-languages" legend="Languages" options={LANGUAGE_OPTIONS} selected={languages}
          onChange={setLanguages} error={errors.languages} />
        <TextField id="staff-new-specialisms" label="Specialisms" value={specialisms} onInput={setSpecialisms}
          error={errors.specialisms} hint={specialismsHint(categories)} />
        <div class="actions-row">
          <button type="submit" class="primary" disabled={busy}>
            Add member of staff
          </button>
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

function EditStaff(props: {
  member: StaffMember;
  lineOptions: Option[];
  onSaved: (m: StaffMember, message: string) => void;
  onPending: (answer: PendingAnswer) => void;
  onClose: () => void;
}) {
  const { member } = props;
  const [displayName, setDisplayName] = useState(member.display_name);
  const [roles, setRoles] = useState<string[]>(member.roles);
  const [lines, setLines] = useState<string[]>(member.lines);
  const [languages, setLanguages] = useState<string[]>(member.languages);
  const [specialisms, setSpecialisms] = useState(member.specialisms.join(', '));
  const [errors, setErrors] = useState<Errors>({});
  const [accountError, setAccountError] = useState('');
  const [busy, setBusy] = useState(false);
  const categories = useCategories();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  // Lines the person serves that no longer exist still show, so they can be removed.
  const lineOptions = props.lineOptions.concat(
    member.lines.filter((l) => !props.lineOptions.some((o) => o.value === l)).map((l) => ({ value: l, label: l })),
  );

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const saved = await api<StaffMember | PendingAnswer>('PATCH', `/api/v1/staff/${encodeURIComponent(member.id)}`, {
        display_name: displayName.trim(),
        roles,
        lines,
        languages,
        specialisms: splitList(specialisms),
      });
      if (isPending(saved)) props.onPending(saved);
      else props.onSaved(saved, `Saved ${saved.display_name}.`);
    } catch (err) {
      setErrors(errorsFor(err, EDIT_FIELDS));
    } finally {
      setBusy(false);
    }
  };

  const setDisabled = async (disabled: boolean) => {
    setAccountError('');
    try {
      const saved = await api<StaffMember | PendingAnswer>('PATCH', `/api/v1/staff/${encodeURIComponent(member.id)}`, {
        disabled,
      });
      if (isPending(saved)) {
        props.onPending(saved);
        return;
      }
      props.onSaved(
        saved,
        disabled
          ? `Disabled ${saved.display_name}; they have been signed out everywhere.`
          : `Enabled ${saved.display_name}.`,
      );
    } catch (err) {
      setAccountError(messageOf(err));
    }
  };

  const resetMfa = async () => {
    setAccountError('');
    try {
      await api('POST', `/api/v1/staff/${encodeURIComponent(member.id)}/reset-mfa`);
      props.onSaved(
        { ...member, mfa_enrolled: false },
        `Two-factor authentication reset for ${member.display_name}; they will set up a new authenticator at their next sign-in.`,
      );
    } catch (err) {
      setAccountError(messageOf(err));
    }
  };

  return (
    <section class="panel" aria-labelledby="staff-edit-title">
      <h2 id="staff-edit-title" tabIndex={-1} ref={heading}>
        Edit {member.display_name} <span class="muted">({member.username})</span>
      </h2>
      <form onSubmit={save} noValidate>
        <h3>Profile</h3>
        <FormError error={errors._} />
        <TextField id="staff-edit-display-name" label="Display name" value={displayName} onInput={setDisplayName}
          error={errors.display_name} maxLength={100} />
        <Choices idPrefix="staff-edit-roles" legend="Roles" options={ROLE_OPTIONS} selected={roles}
          onChange={setRoles} error={errors.roles} />
        <Choices idPrefix="staff-edit-lines" legend="Lines" options={lineOptions} selected={lines}
          onChange={setLines} error={errors.lines} columns />
        <Choices idPrefix="staff-edit-languages" legend="Languages" options={LANGUAGE_OPTIONS} selected={languages}
          onChange={setLanguages} error={errors.languages} />
        <TextField id="staff-edit-specialisms" label="Specialisms" value={specialisms} onInput={setSpecialisms}
          error={errors.specialisms} hint={specialismsHint(categories)} />
        <div class="actions-row">
          <button type="submit" class="primary" disabled={busy}>
            Save changes
          </button>
          <button type="button" onClick={props.onClose}>
            Close
          </button>
        </div>
      </form>

      <h3>Account</h3>
      <FormError error={accountError} />
      <p>
        Status: <strong>{member.disabled ? 'disabled' : 'active'}</strong>.{' '}
        Two-factor authentication: <strong>{member.mfa_enrolled === false ? 'not set up yet' : 'set up'}</strong>.
      </p>
      <div class="actions-row">
        {member.disabled ? (
          <button type="button" onClick={() => setDisabled(false)}>
            Enable account
          </button>
        ) : (
          <ConfirmButton
            label="Disable account"
            danger
            question={`Disable ${member.display_name}? They are signed out everywhere and cannot sign in; the account and its history stay.`}
            confirmLabel="Yes, disable account"
            onConfirm={() => setDisabled(true)}
          />
        )}
        <ConfirmButton
          label="Reset two-factor authentication"
          question={`Reset two-factor authentication for ${member.display_name}? Their current authenticator stops working and they set up a new one at their next sign-in.`}
          confirmLabel="Yes, reset two-factor"
          onConfirm={resetMfa}
        />
      </div>

      <SipAccount member={member} onChanged={props.onSaved} />
    </section>
  );
}

function SipAccount(props: { member: StaffMember; onChanged: (m: StaffMember, message: string) => void }) {
  const { member } = props;
  const [sipUsername, setSipUsername] = useState(member.sip_username ?? member.username);
  const [issued, setIssued] = useState<{ sip_username: string; password: string } | null>(null);
  const [error, setError] = useState<Errors>({});
  const [copied, setCopied] = useState('');
  const [busy, setBusy] = useState(false);
  const secretRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (issued) secretRef.current?.focus();
  }, [issued]);

  const issue = async () => {
    setBusy(true);
    setError({});
    setCopied('');
    try {
      const answer = await api<{ sip_username: string; password: string }>(
        'PUT',
        `/api/v1/staff/${encodeURIComponent(member.id)}/sip-account`,
        { sip_username: sipUsername.trim() },
      );
      setIssued(answer);
      props.onChanged({ ...member, sip_username: answer.sip_username },
        `Issued the phone account ${answer.sip_username} for ${member.display_name}.`);
    } catch (err) {
      setError(errorsFor(err, ['sip_username']));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setError({});
    setIssued(null);
    try {
      await api('DELETE', `/api/v1/staff/${encodeURIComponent(member.id)}/sip-account`);
      props.onChanged({ ...member, sip_username: null }, `Removed the phone account of ${member.display_name}.`);
    } catch (err) {
      setError(errorsFor(err, ['sip_username']));
    }
  };

  const copy = async () => {
    if (!issued) return;
    try {
      await navigator.clipboard.writeText(issued.password);
      setCopied('Password copied to the clipboard.');
    } catch {
      setCopied('Could not copy automatically: select the password and copy it.');
    }
  };

  return (
    <div class="sip-account">
      <h3>Phone (SIP account)</h3>
      <p class="hint">
        The account the counsellor's desk phone or softphone registers with. Telephony offers calls to enabled
        counsellors who have one. Issuing a new password stops the old one working.
      </p>
      <p>
        Current account:{' '}
        {member.sip_username ? <code>{member.sip_username}</code> : <span class="muted">none</span>}
      </p>
      {issued && (
        <div class="secret-once" role="group" tabIndex={-1} ref={secretRef} aria-labelledby="sip-issued-title">
          <h4 id="sip-issued-title">Phone password for {issued.sip_username}</h4>
          <p>
            <strong>Copy it now: it is not shown again.</strong> If it is lost, issue a new one.
          </p>
          <dl class="secret-list">
            <dt>SIP username</dt>
            <dd>
              <code class="secret">{issued.sip_username}</code>
            </dd>
            <dt>SIP password</dt>
            <dd>
              <code class="secret" data-testid="sip-password">{issued.password}</code>
            </dd>
          </dl>
          <div class="actions-row">
            <button type="button" onClick={copy}>
              Copy password
            </button>
            <button type="button" onClick={() => setIssued(null)}>
              I have copied it: hide the password
            </button>
          </div>
          <p role="status" class="hint">{copied}</p>
        </div>
      )}
      <FormError error={error._} />
      <TextField id="staff-sip-username" label="SIP username" value={sipUsername} onInput={setSipUsername}
        autocomplete="off" maxLength={32} error={error.sip_username}
        hint="3–32 of lower-case letters, digits, '.', '_' or '-'; unique." />
      <div class="actions-row">
        {member.sip_username ? (
          <ConfirmButton
            label="Issue a new phone password"
            question={`Issue a new password for ${sipUsername.trim() || 'this account'}? The phone stops registering until it is given the new one.`}
            confirmLabel="Yes, issue a new password"
            onConfirm={issue}
            disabled={busy}
          />
        ) : (
          <button type="button" class="primary" disabled={busy} onClick={issue}>
            Issue phone account
          </button>
        )}
        {member.sip_username && (
          <ConfirmButton
            label="Remove phone account"
            danger
            question={`Remove the phone account ${member.sip_username}? The phone stops receiving calls.`}
            confirmLabel="Yes, remove it"
            onConfirm={remove}
          />
        )}
      </div>
    </div>
  );
}
