// Lines: the list, adding a line, and its settings: numbers, hours, regions,
// languages, retention, follow-up limits, audience and how telephony routes calls.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { linkHandler } from '../../lib/router';
import { Checkbox, FormError, Section, Select, TextArea, TextField } from '../../components/Field';
import { AddButton, AdminTable, Choices, EditButton, Radios, StatusLine, useListForms } from './controls';
import {
  DEFAULT_ROUTING,
  errorsFor,
  LANGUAGE_OPTIONS,
  messageOf,
  regionOptions,
  splitList,
  useReference,
  wholeNumber,
  type Errors,
  type LineConfig,
  type Routing,
} from './shared';

const LINE_FIELDS = [
  'id', 'name', 'numbers', 'hours', 'always_open', 'regions', 'languages', 'retention_days',
  'follow_up_max_attempts', 'follow_up_max_days', 'audience', 'routing', 'name_cy', 'audience_cy',
  'routing.strategy', 'routing.ring_timeout_s', 'routing.wrap_up_s', 'routing.wrap_up_after_concern_s',
  'routing.overflow_after_s', 'routing.overflow_to', 'routing.announce_every_s', 'routing.every_leg_encrypted',
  'post_call_survey',
] as const;

export function LinesAdmin() {
  const [lines, setLines] = useState<LineConfig[] | null>(null);
  const [loadError, setLoadError] = useState('');
  const [status, setStatus] = useState('');
  const { editing, setEditing, creating, setCreating, toggleEditing, toggleCreating } = useListForms();

  useEffect(() => {
    api<{ lines: LineConfig[] }>('GET', '/api/v1/lines')
      .then((r) => setLines(r.lines))
      .catch((e) => setLoadError(messageOf(e)));
  }, []);

  const current = lines?.find((l) => l.id === editing) ?? null;

  return (
    <>
      <Section title="Lines" id="admin-lines">
        <FormError error={loadError} />
        {lines === null && !loadError && <p>Loading lines…</p>}
        {lines && lines.length === 0 && <p>No lines yet.</p>}
        {lines && lines.length > 0 && (
          <AdminTable caption="Lines" columns={['Line', 'Numbers', 'Hours', 'Public pages']}>
            {lines.map((l) => (
              <tr key={l.id} class={l.id === editing ? 'selected' : undefined}>
                <td>
                  {l.name} <span class="muted">(<code>{l.id}</code>)</span>
                </td>
                <td>{l.numbers.join(', ') || <span class="muted">none</span>}</td>
                <td>{l.always_open ? 'Always open' : l.hours || <span class="muted">not set</span>}</td>
                <td>
                  <a href={`/info/${l.id}`} onClick={linkHandler(`/info/${l.id}`)}>
                    Information page<span class="visually-hidden"> for {l.name}</span>
                  </a>
                  {' · '}
                  <a href={`/info/${l.id}/poster`} onClick={linkHandler(`/info/${l.id}/poster`)}>
                    Poster<span class="visually-hidden"> for {l.name}</span>
                  </a>
                </td>
                <td>
                  <EditButton open={l.id === editing} name={l.name} onClick={() => toggleEditing(l.id)} />
                </td>
              </tr>
            ))}
          </AdminTable>
        )}
        <AddButton label="Add a line" open={creating} onClick={toggleCreating} />
        <p class="hint">
          Telephone trunks (the SIP providers that bring calls in and take follow-up calls out) are on the Telephony
          page.
        </p>
      </Section>
      <StatusLine id="admin-lines-status" message={status} />
      {creating && (
        <LineForm
          key="new"
          lines={lines ?? []}
          onCancel={() => setCreating(false)}
          onSaved={(line) => {
            setLines((list) => [...(list ?? []), line]);
            setCreating(false);
            setEditing(line.id);
            setStatus(`Added the line ${line.name}.`);
          }}
        />
      )}
      {current && (
        <LineForm
          key={current.id}
          line={current}
          lines={lines ?? []}
          onCancel={() => setEditing(null)}
          onSaved={(line) => {
            setLines((list) => (list ?? []).map((l) => (l.id === line.id ? line : l)));
            setStatus(`Saved ${line.name}.`);
          }}
        />
      )}
    </>
  );
}

type OverflowKind = 'none' | 'line' | 'sip';

function overflowKind(to: string): OverflowKind {
  if (!to) return 'none';
  if (to.startsWith('line:')) return 'line';
  return 'sip';
}

function LineForm(props: {
  line?: LineConfig;
  lines: LineConfig[];
  onSaved: (line: LineConfig) => void;
  onCancel: () => void;
}) {
  const existing = props.line;
  const routing: Routing = { ...DEFAULT_ROUTING, ...(existing?.routing ?? {}) };
  const p = existing ? `line-edit` : `line-new`;
  const ref = useReference();

  const [id, setId] = useState('');
  const [name, setName] = useState(existing?.name ?? '');
  const [numbers, setNumbers] = useState((existing?.numbers ?? []).join('\n'));
  const [hours, setHours] = useState(existing?.hours ?? '');
  const [alwaysOpen, setAlwaysOpen] = useState(existing?.always_open ?? false);
  const [survey, setSurvey] = useState(existing?.post_call_survey ?? false);
  const [audience, setAudience] = useState(existing?.audience ?? '');
  const [nameCy, setNameCy] = useState(existing?.name_cy ?? '');
  const [audienceCy, setAudienceCy] = useState(existing?.audience_cy ?? '');
  const [regions, setRegions] = useState<string[]>(existing?.regions ?? ['national']);
  const [languages, setLanguages] = useState<string[]>(existing?.languages ?? ['en']);
  const [retention, setRetention] = useState(String(existing?.retention_days ?? 1095));
  const [maxAttempts, setMaxAttempts] = useState(String(existing?.follow_up_max_attempts ?? 3));
  const [maxDays, setMaxDays] = useState(String(existing?.follow_up_max_days ?? 7));
  const [strategy, setStrategy] = useState<string>(routing.strategy);
  const [ringTimeout, setRingTimeout] = useState(String(routing.ring_timeout_s));
  const [wrapUp, setWrapUp] = useState(String(routing.wrap_up_s));
  const [wrapUpConcern, setWrapUpConcern] = useState(String(routing.wrap_up_after_concern_s));
  // One choice says whether and where calls overflow: a wait with nowhere to go, or a place never reached, is
  // "never overflow" either way.
  const [overflowAfter, setOverflowAfter] = useState(String(routing.overflow_after_s ?? 120));
  const [overflowTo, setOverflowTo] = useState<OverflowKind>(
    routing.overflow_after_s === null ? 'none' : overflowKind(routing.overflow_to),
  );
  const [overflowLine, setOverflowLine] = useState(
    routing.overflow_to.startsWith('line:') ? routing.overflow_to.slice(5) : '',
  );
  const [overflowSip, setOverflowSip] = useState(overflowKind(routing.overflow_to) === 'sip' ? routing.overflow_to : '');
  const [announceNever, setAnnounceNever] = useState(routing.announce_every_s === null);
  const [announceEvery, setAnnounceEvery] = useState(String(routing.announce_every_s ?? 45));
  const [everyLeg, setEveryLeg] = useState(routing.every_leg_encrypted === true);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    // Whole numbers are checked here; ranges are the server's to judge.
    const local: Errors = {};
    const num = (field: string, text: string): number => {
      const n = wholeNumber(text);
      if (n === null) local[field] = 'Enter a whole number.';
      return n ?? 0;
    };
    const body: Record<string, unknown> = {
      name: name.trim(),
      numbers: splitList(numbers, /[\n,;]/),
      hours: hours.trim(),
      always_open: alwaysOpen,
      post_call_survey: survey,
      regions,
      languages,
      retention_days: num('retention_days', retention),
      follow_up_max_attempts: num('follow_up_max_attempts', maxAttempts),
      follow_up_max_days: num('follow_up_max_days', maxDays),
      audience: audience.trim(),
      name_cy: nameCy.trim(),
      audience_cy: audienceCy.trim(),
      routing: {
        strategy,
        ring_timeout_s: num('routing.ring_timeout_s', ringTimeout),
        wrap_up_s: num('routing.wrap_up_s', wrapUp),
        wrap_up_after_concern_s: num('routing.wrap_up_after_concern_s', wrapUpConcern),
        overflow_after_s: overflowTo === 'none' ? null : num('routing.overflow_after_s', overflowAfter),
        overflow_to:
          overflowTo === 'line' ? (overflowLine ? `line:${overflowLine}` : '') : overflowTo === 'sip' ? overflowSip.trim() : '',
        announce_every_s: announceNever ? null : num('routing.announce_every_s', announceEvery),
        every_leg_encrypted: everyLeg,
      },
    };
    if (overflowTo === 'line' && !overflowLine) local['routing.overflow_to'] = 'Choose the line to overflow to.';
    if (overflowTo === 'sip' && !overflowSip.trim()) local['routing.overflow_to'] = 'Enter the partner service’s SIP address.';
    if (Object.keys(local).length) {
      setErrors({ _: 'Some settings need correcting: see the messages beside them.', ...local });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const saved = existing
        ? await api<LineConfig>('PATCH', `/api/v1/lines/${encodeURIComponent(existing.id)}`, body)
        : await api<LineConfig>('POST', '/api/v1/lines', { id: id.trim(), ...body });
      props.onSaved(saved);
    } catch (err) {
      setErrors(errorsFor(err, LINE_FIELDS));
    } finally {
      setBusy(false);
    }
  };

  const otherLines = props.lines
    .filter((l) => l.id !== existing?.id)
    .map((l) => ({ value: l.id, label: `${l.name} (${l.id})` }));

  return (
    <section class="panel" aria-labelledby={`${p}-title`}>
      <h2 id={`${p}-title`} tabIndex={-1} ref={heading}>
        {existing ? `Edit ${existing.name}` : 'Add a line'}
      </h2>
      {existing && (
        <p>
          Public pages:{' '}
          <a href={`/info/${existing.id}`} onClick={linkHandler(`/info/${existing.id}`)}>
            information page
          </a>{' '}
          and{' '}
          <a href={`/info/${existing.id}/poster`} onClick={linkHandler(`/info/${existing.id}/poster`)}>
            poster
          </a>{' '}
          (<code>/info/{existing.id}</code>).
        </p>
      )}
      <form onSubmit={submit} noValidate>
        <FormError error={errors._ ?? errors.routing} />
        <h3>About the line</h3>
        <div class="two-col-admin">
          {!existing && (
            <TextField id={`${p}-id`} label="Line id" value={id} onInput={setId} error={errors.id} maxLength={32}
              autocomplete="off" hint="2–32 of a-z, 0-9 and '-'. It appears in addresses and cannot change." />
          )}
          <TextField id={`${p}-name`} label="Name" value={name} onInput={setName} error={errors.name} maxLength={120} />
        </div>
        <TextArea id={`${p}-audience`} label="Who the line is for" value={audience} onInput={setAudience}
          error={errors.audience} maxLength={300} rows={2}
          hint="Shown on the public information page, for example: serving and retired police officers and staff." />
        <div class="two-col-admin">
          <TextField id={`${p}-name-cy`} label="Name in Welsh (optional)" value={nameCy} onInput={setNameCy}
            error={errors.name_cy} maxLength={120} hint="For the Welsh public page; without it the name is shown." />
          <TextArea id={`${p}-audience-cy`} label="Who the line is for, in Welsh (optional)" value={audienceCy}
            onInput={setAudienceCy} error={errors.audience_cy} maxLength={300} rows={2} />
        </div>
        <TextArea id={`${p}-numbers`} label="Phone numbers" value={numbers} onInput={setNumbers}
          error={errors.numbers} rows={2} hint="One a line; up to 8." />
        <div class="two-col-admin">
          <TextField id={`${p}-hours`} label="Opening hours" value={hours} onInput={setHours} error={errors.hours}
            maxLength={200} hint="For example: 7pm–7am every night." />
          <div class="field-checkbox">
            <Checkbox id={`${p}-always-open`} label="Always open (24 hours a day)" checked={alwaysOpen}
              onChange={setAlwaysOpen} />
            {errors.always_open && <p class="field-error" role="alert">{errors.always_open}</p>}
          </div>
        </div>
        <Choices idPrefix={`${p}-regions`} legend="Regions served" options={regionOptions(ref)} selected={regions}
          onChange={setRegions} error={errors.regions} columns
          hint="National means all of England and Wales. Regions decide which services signposting offers first." />
        <Choices idPrefix={`${p}-languages`} legend="Languages" options={LANGUAGE_OPTIONS} selected={languages}
          onChange={setLanguages} error={errors.languages} />
        <div class="field-checkbox">
          <Checkbox id={`${p}-survey`} label="Post-call survey: after the counsellor hangs up, ask the caller two keypad questions"
            checked={survey} onChange={setSurvey} />
          <p class="hint" id={`${p}-survey-hint`}>
            Only counts per month are kept (did the call help, 1–5; would they call again). Off unless chosen.
          </p>
          {errors.post_call_survey && <p class="field-error" role="alert">{errors.post_call_survey}</p>}
        </div>

        <h3>Records and follow-up</h3>
        <div class="three-col-admin">
          <TextField id={`${p}-retention`} label="Keep contact records for (days)" type="number" inputMode="numeric"
            value={retention} onInput={setRetention} error={errors.retention_days} hint="30–10950; 1095 is three years." />
          <TextField id={`${p}-fu-attempts`} label="Follow-up attempts at most" type="number" inputMode="numeric"
            value={maxAttempts} onInput={setMaxAttempts} error={errors.follow_up_max_attempts} hint="1–10." />
          <TextField id={`${p}-fu-days`} label="Follow-up window at most (days)" type="number" inputMode="numeric"
            value={maxDays} onInput={setMaxDays} error={errors.follow_up_max_days} hint="1–60." />
        </div>

        <fieldset class="group routing">
          <legend>Call routing</legend>
          <Radios idPrefix={`${p}-strategy`} legend="Who is rung first" value={strategy} onChange={setStrategy}
            error={errors['routing.strategy']}
            options={[
              { value: 'longest_idle', label: 'The counsellor who has been free longest' },
              { value: 'ring_all', label: 'Every free counsellor at once' },
            ]} />
          <div class="three-col-admin">
            <TextField id={`${p}-ring-timeout`} label="Ring for (seconds)" type="number" inputMode="numeric"
              value={ringTimeout} onInput={setRingTimeout} error={errors['routing.ring_timeout_s']}
              hint="5–300. Unanswered after this, the next counsellor is rung." />
            <TextField id={`${p}-wrap-up`} label="Wrap-up after a call (seconds)" type="number" inputMode="numeric"
              value={wrapUp} onInput={setWrapUp} error={errors['routing.wrap_up_s']} hint="0–3600." />
            <TextField id={`${p}-wrap-up-concern`} label="Wrap-up after a call with concern (seconds)" type="number"
              inputMode="numeric" value={wrapUpConcern} onInput={setWrapUpConcern}
              error={errors['routing.wrap_up_after_concern_s']} hint="0–7200." />
          </div>
          <div class="two-col-admin">
            <div>
              <Checkbox id={`${p}-announce-never`} label="No queue announcements" checked={announceNever}
                onChange={setAnnounceNever} />
              {!announceNever && (
                <TextField id={`${p}-announce-every`} label="Announce the queue every (seconds)" type="number"
                  inputMode="numeric" value={announceEvery} onInput={setAnnounceEvery}
                  error={errors['routing.announce_every_s']} hint="10–600." />
              )}
              {announceNever && errors['routing.announce_every_s'] && (
                <p class="field-error" role="alert">{errors['routing.announce_every_s']}</p>
              )}
            </div>
          </div>
          <Radios idPrefix={`${p}-overflow-to`} legend="Overflow" value={overflowTo}
            onChange={(v) => setOverflowTo(v as OverflowKind)}
            error={overflowTo === 'none' ? (errors['routing.overflow_to'] ?? errors['routing.overflow_after_s']) : undefined}
            options={[
              { value: 'none', label: 'Never: the call keeps waiting for this line' },
              { value: 'line', label: 'To another line' },
              { value: 'sip', label: 'To a partner service (SIP address)' },
            ]} />
          {overflowTo !== 'none' && (
            <TextField id={`${p}-overflow-after`} label="Overflow after waiting (seconds)" type="number"
              inputMode="numeric" value={overflowAfter} onInput={setOverflowAfter}
              error={errors['routing.overflow_after_s']} hint="10–3600." />
          )}
          {overflowTo === 'line' && (
            <Select id={`${p}-overflow-line`} label="Line to overflow to" value={overflowLine}
              onChange={setOverflowLine} options={otherLines} placeholder="Choose a line"
              error={errors['routing.overflow_to']}
              hint="Its counsellors may take the call once it has waited; to wrap it up they must also serve this line." />
          )}
          {overflowTo === 'sip' && (
            <TextField id={`${p}-overflow-sip`} label="Partner SIP address" value={overflowSip}
              onInput={setOverflowSip} error={errors['routing.overflow_to']} autocomplete="off"
              hint="For example sip:overflow@partner.example. It is rung while the call stays queued." />
          )}
          <Checkbox id={`${p}-every-leg`} label="Every leg encrypted: refuse calls without TLS and SRTP, ring only encrypted phones"
            checked={everyLeg} onChange={setEveryLeg} />
          {errors['routing.every_leg_encrypted'] && (
            <p class="field-error" role="alert">{errors['routing.every_leg_encrypted']}</p>
          )}
        </fieldset>

        <div class="actions-row">
          <button type="submit" class="primary" disabled={busy}>
            {existing ? 'Save line' : 'Add line'}
          </button>
          <button type="button" onClick={props.onCancel}>
            {existing ? 'Close' : 'Cancel'}
          </button>
        </div>
      </form>
    </section>
  );
}
