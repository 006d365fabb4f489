// Telephony trunks: the carriers the server accepts calls from and sends follow-up
// calls through. Trunks written in crisisline.toml are shown and changed only
// there; trunks added here take effect at once. A trunk's password is sent to
// the server and never comes back: the page only knows whether one is set.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { FormError, Section, Select, TextArea, TextField } from '../../components/Field';
import { AddButton, AdminTable, ConfirmButton, EditButton, StatusLine, useListForms } from './controls';
import { errorsFor, messageOf, splitList, type Errors } from './shared';

export interface TrunkSummary {
  name: string;
  allow: string[];
  username: string;
  digest: boolean;
  outbound: string;
  // required: SIP over TLS only (plaintext calls refused 488) and SRTP media; preferred: encrypted when the
  // carrier offers it; off: plaintext.
  encryption: Encryption;
  tls_verified?: boolean; // the carrier's certificate is checked (tls_ca, set in crisisline.toml)
  source: 'config' | 'console';
}

export type Encryption = 'required' | 'preferred' | 'off';

export const ENCRYPTION_OPTIONS: Array<{ value: Encryption; label: string }> = [
  { value: 'required', label: 'Required: TLS and SRTP only' },
  { value: 'preferred', label: 'Preferred: encrypted when offered' },
  { value: 'off', label: 'Off: plaintext' },
];

function encryptionLabel(t: TrunkSummary): string {
  const label = { required: 'required', preferred: 'preferred', off: 'off' }[t.encryption] ?? t.encryption;
  return t.tls_verified ? `${label}, certificate checked` : label;
}

const TRUNK_FIELDS = ['name', 'allow', 'username', 'password', 'outbound', 'encryption'] as const;

export function TrunksAdmin() {
  const [answer, setAnswer] = useState<{ telephony: boolean; trunks: TrunkSummary[] } | null>(null);
  const [loadError, setLoadError] = useState('');
  const [status, setStatus] = useState('');
  const { editing, setEditing, creating, setCreating, toggleEditing, toggleCreating } = useListForms();

  useEffect(() => {
    api<{ telephony: boolean; trunks: TrunkSummary[] }>('GET', '/api/v1/telephony/trunks')
      .then(setAnswer)
      .catch((e) => setLoadError(messageOf(e)));
  }, []);

  const trunks = answer?.trunks ?? [];
  const current = trunks.find((t) => t.name === editing && t.source === 'console') ?? null;
  const replace = (next: TrunkSummary[]) => setAnswer((a) => (a ? { ...a, trunks: next } : a));

  const remove = async (t: TrunkSummary) => {
    try {
      await api('DELETE', `/api/v1/telephony/trunks/${encodeURIComponent(t.name)}`);
      replace(trunks.filter((x) => x.name !== t.name));
      if (editing === t.name) setEditing(null);
      setStatus(`Removed the trunk ${t.name}: calls from it are refused from now on.`);
    } catch (e) {
      setStatus('');
      setLoadError(messageOf(e));
    }
  };

  return (
    <>
      <Section title="Telephony trunks" id="admin-trunks">
        <FormError error={loadError} />
        {answer === null && !loadError && <p>Loading trunks…</p>}
        {answer && !answer.telephony && (
          <p>Telephony (SIP) is switched off on this server: trunks added here are used once it is switched on.</p>
        )}
        {answer?.telephony && trunks.length === 0 && <p>No trunks are configured: no carrier can send calls.</p>}
        {trunks.length > 0 && (
          <AdminTable caption="Telephony trunks" columns={['Trunk', 'Allowed addresses', 'Digest user name', 'Outgoing calls to', 'Encryption', 'Set in']}>
            {trunks.map((t) => (
              <tr key={t.name} class={t.name === editing ? 'selected' : undefined}>
                <td>{t.name}</td>
                <td>{t.allow.length ? t.allow.join(', ') : <span class="muted">none</span>}</td>
                <td>{t.digest ? t.username : <span class="muted">none</span>}</td>
                <td>{t.outbound || <span class="muted">none</span>}</td>
                <td>{encryptionLabel(t)}</td>
                <td>{t.source === 'config' ? 'crisisline.toml' : 'this console'}</td>
                <td>
                  {t.source === 'console' ? (
                    <div class="actions-row">
                      <EditButton open={t.name === editing} name={`trunk ${t.name}`} onClick={() => toggleEditing(t.name)} />
                      <ConfirmButton small danger label="Remove" hiddenSuffix={`trunk ${t.name}`}
                        question={`Remove the trunk ${t.name}? Calls from it will be refused at once.`}
                        confirmLabel="Yes, remove it" onConfirm={() => remove(t)} />
                    </div>
                  ) : (
                    <span class="muted">change in the file</span>
                  )}
                </td>
              </tr>
            ))}
          </AdminTable>
        )}
        <AddButton label="Add a trunk" open={creating} onClick={toggleCreating} />
        <p class="hint">
          A trunk added or changed here is used for the next call, with no restart. Trunks set in{' '}
          <code>crisisline.toml</code> are changed there by whoever runs the server. Passwords are stored encrypted and
          never shown again.
        </p>
      </Section>
      <StatusLine id="admin-trunks-status" message={status} />
      {creating && (
        <TrunkForm key="new" taken={trunks.map((t) => t.name)} onCancel={() => setCreating(false)}
          onSaved={(t) => {
            replace([...trunks, t]);
            setCreating(false);
            setStatus(`Added the trunk ${t.name}: it is in use now.`);
          }} />
      )}
      {current && (
        <TrunkForm key={current.name} trunk={current} taken={[]} onCancel={() => setEditing(null)}
          onSaved={(t) => {
            replace(trunks.map((x) => (x.name === t.name ? t : x)));
            setStatus(`Saved the trunk ${t.name}: the change is in use now.`);
          }} />
      )}
    </>
  );
}

function TrunkForm(props: {
  trunk?: TrunkSummary;
  taken: string[];
  onSaved: (trunk: TrunkSummary) => void;
  onCancel: () => void;
}) {
  const existing = props.trunk;
  const p = existing ? 'trunk-edit' : 'trunk-new';
  const [name, setName] = useState('');
  const [allow, setAllow] = useState((existing?.allow ?? []).join('\n'));
  const [username, setUsername] = useState(existing?.username ?? '');
  const [password, setPassword] = useState('');
  const [outbound, setOutbound] = useState(existing?.outbound ?? '');
  const [encryption, setEncryption] = useState<string>(existing?.encryption ?? 'preferred');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = {
      allow: splitList(allow, /[\s,;]+/),
      username: username.trim(),
      outbound: outbound.trim(),
    };
    if (encryption) body.encryption = encryption;
    // An empty password on an edit keeps the stored one.
    if (password) body.password = password;
    if (!existing && props.taken.includes(name.trim())) {
      setErrors({ name: 'A trunk with this name already exists.' });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const saved = existing
        ? await api<TrunkSummary>('PUT', `/api/v1/telephony/trunks/${encodeURIComponent(existing.name)}`, body)
        : await api<TrunkSummary>('POST', '/api/v1/telephony/trunks', { name: name.trim(), ...body });
      setPassword('');
      props.onSaved(saved);
    } catch (err) {
      setErrors(errorsFor(err, TRUNK_FIELDS));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby={`${p}-title`}>
      <h2 id={`${p}-title`} tabIndex={-1} ref={heading}>
        {existing ? `Edit the trunk ${existing.name}` : 'Add a trunk'}
      </h2>
      <form onSubmit={submit} noValidate>
        <FormError error={errors._} />
        {!existing && (
          <TextField id={`${p}-name`} label="Name" value={name} onInput={setName} error={errors.name} maxLength={40}
            autocomplete="off" hint="1–40 of a-z, 0-9, '.', '_' and '-'. It cannot change later." />
        )}
        <TextArea id={`${p}-allow`} label="Allowed addresses" value={allow} onInput={setAllow} error={errors.allow}
          rows={3} hint="The carrier's signalling addresses (IPv4 or IPv6), one a line. Calls from them need no password." />
        <div class="two-col-admin">
          <TextField id={`${p}-username`} label="Digest user name" value={username} onInput={setUsername}
            error={errors.username} maxLength={64} autocomplete="off"
            hint="Optional: the carrier proves this user name and password instead. Leave empty for none." />
          <TextField id={`${p}-password`} label="Digest password" type="password" value={password}
            onInput={setPassword} error={errors.password} maxLength={128} autocomplete="new-password"
            hint={existing?.digest ? 'Leave empty to keep the current password.' : '8–128 characters.'} />
        </div>
        <TextField id={`${p}-outbound`} label="Send follow-up calls to" value={outbound} onInput={setOutbound}
          error={errors.outbound} maxLength={300} autocomplete="off"
          hint="Optional host:port of the carrier's SIP server. The first trunk with one carries every follow-up call." />
        <Select id={`${p}-encryption`} label="Encryption" value={encryption} onChange={setEncryption}
          error={errors.encryption} options={ENCRYPTION_OPTIONS} placeholder="Server default (preferred)"
          hint="Required refuses the carrier's calls over plain SIP (488) and sends follow-up calls over TLS." />
        <div class="actions-row">
          <button type="submit" class="primary" disabled={busy}>
            {existing ? 'Save the trunk' : 'Add the trunk'}
          </button>
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
