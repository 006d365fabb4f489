// One contact on the desk: the call's facts, the counsellor's notes (saved as
// they type), signposting, follow-up, escalation and the wrap-up.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { duration } from '../../lib/format';
import type { CallEnd } from '../../lib/liveState';
import type { Contact, FollowUp, Reference } from '../../lib/types';
import { CheckboxGroup, FormError, Section, Select, TextArea, TextField } from '../../components/Field';
import { AssessmentForm } from './AssessmentForm';
import { createSaver, draftOf, type Draft, type SaveState } from './draft';
import { EscalationFlow } from './EscalationFlow';
import { FollowUpForm } from './FollowUpForm';
import { options } from '../../lib/reference';
import { PreviousContacts } from './PreviousContacts';
import { Signposting } from './Signposting';

// The caller's own 0-10 distress rating, asked at the start and the end of the call.
const DISTRESS_OPTIONS = Array.from({ length: 11 }, (_, n) => ({
  value: String(n),
  label: n === 0 ? '0 (not at all)' : n === 10 ? '10 (the most)' : String(n),
}));

// What the wrap-up needs, checked here first so the counsellor sees every gap at once
// (the server checks the same and has the last word).
export function wrapUpGaps(d: Draft, followUps: number): Record<string, string> {
  const gaps: Record<string, string> = {};
  if (!d.caller_role) gaps.caller_role = 'Choose who the caller is (or "Not said").';
  if (!d.outcome) gaps.outcome = 'Choose the outcome of the call.';
  if (d.caller_role === 'member_of_public' && d.signposting.length === 0) {
    gaps.signposting = 'A member of the public must be signposted to a service for them.';
  }
  if (d.assessment.cause_for_concern) {
    if (!d.assessment.concern_reasons?.trim()) gaps['assessment.concern_reasons'] = 'Say why there is cause for concern.';
    if (followUps === 0 && !d.follow_up_plan.trim()) {
      gaps.follow_up_plan = 'With cause for concern, schedule a follow-up or write the follow-up plan.';
    }
  }
  return gaps;
}

// The id of the control that shows a server field's error (see the ids below).
function fieldId(field: string): string {
  const ids: Record<string, string> = {
    addressed_as: 'addressed-as', caller_role: 'caller-role', force: 'force', outcome: 'outcome-select',
    notes: 'notes', actions_note: 'actions-note', follow_up_plan: 'follow-up-plan',
    'assessment.formulation': 'formulation', 'assessment.concern_reasons': 'concern-reasons',
  };
  return ids[field] ?? 'no-such-field';
}

function SaveStatus({ state }: { state: SaveState }) {
  let text = '';
  if (state.kind === 'saved') text = `Saved ${new Date(state.at).toLocaleTimeString('en-GB')}`;
  if (state.kind === 'saving' || state.kind === 'pending') text = 'Saving…';
  if (state.kind === 'failed') text = `Not saved yet (kept here, trying again every 5 s): ${state.message}`;
  if (state.kind === 'refused') {
    // At once and loud: the server will not take this save, and sending it again would not help.
    return (
      <p class="save-status save-refused" role="alert" data-testid="save-status">
        Not saved: {state.field ? `${state.field}: ` : ''}{state.message}. {state.advice}
      </p>
    );
  }
  return (
    <p class={`save-status save-${state.kind}`} role="status" data-testid="save-status">
      {text}
    </p>
  );
}

export function ContactPanel(props: {
  line: string;
  initial: Contact;
  reference: Reference;
  callState: 'ringing' | 'on_call' | 'wrap_up' | 'none';
  wrapUpEnds?: string;
  // The live feed's word that this contact's call has ended (it arrives before the record shows it).
  callEnd?: CallEnd;
  onClosed: (c: Contact) => void;
}) {
  const { line, reference } = props;
  const [contact, setContact] = useState<Contact>(props.initial);
  const [draft, setDraft] = useState<Draft>(() => draftOf(props.initial));
  const [save, setSave] = useState<SaveState>({ kind: 'saved', at: Date.now() });
  // Wrap-up gaps and refusals of the close, and (separately) the last refusal of an autosave: a later
  // successful save clears only its own.
  const [closeErrors, setErrors] = useState<Record<string, string>>({});
  const [saveErrors, setSaveErrors] = useState<Record<string, string>>({});
  const errors = { ...saveErrors, ...closeErrors };
  const [followUps, setFollowUps] = useState<FollowUp[]>([]);
  const [escalating, setEscalating] = useState(false);
  const [escalated, setEscalated] = useState(
    (props.initial as Contact & { imminent_risk?: boolean | null }).imminent_risk === true,
  );
  const [closing, setClosing] = useState(false);
  // Closing while the call is still connected needs a second, deliberate step.
  const [confirmMidCall, setConfirmMidCall] = useState(false);
  const [now, setNow] = useState(Date.now());
  // Recording the escalation removes the form and its button: the keyboard goes to the note saying it is done.
  const [justEscalated, setJustEscalated] = useState(false);
  const escalatedNote = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (justEscalated) escalatedNote.current?.focus();
  }, [justEscalated]);
  // A heading jumped to must clear the sticky call bar, whose height changes with the width (it wraps).
  const panel = useRef<HTMLDivElement>(null);
  const callBar = useRef<HTMLElement>(null);
  useEffect(() => {
    const bar = callBar.current;
    if (!bar || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() =>
      panel.current?.style.setProperty('--call-bar-height', `${bar.getBoundingClientRect().height}px`),
    );
    observer.observe(bar);
    return () => observer.disconnect();
  }, []);

  const saver = useMemo(
    () =>
      createSaver(
        line,
        props.initial,
        (s) => {
          setSave(s);
          if (s.kind === 'failed' && s.field) setSaveErrors({ [s.field]: s.message });
          if (s.kind === 'saved') setSaveErrors({});
        },
        (c) => setContact(c),
      ),
    [line, props.initial.id],
  );
  // Leaving the contact (opening another, signing out) saves what is pending first.
  useEffect(() => () => void saver.flush().finally(() => saver.dispose()), [saver]);
  // Save before the page goes away (reload, closing the tab).
  const draftRef = useRef(draft);
  draftRef.current = draft;
  useEffect(() => {
    const before = () => void saver.flush();
    window.addEventListener('pagehide', before);
    return () => window.removeEventListener('pagehide', before);
  }, [saver]);

  // Follow-ups already scheduled for this contact (before a reload, say).
  useEffect(() => {
    api<{ follow_ups: FollowUp[] }>('GET', `/api/v1/lines/${line}/follow-ups?status=scheduled,due,overdue`)
      .then((r) => setFollowUps(r.follow_ups.filter((f) => f.contact_id === props.initial.id)))
      .catch(() => undefined);
  }, [line, props.initial.id]);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  const update = (change: Partial<Draft>) => {
    const next = { ...draftRef.current, ...change };
    draftRef.current = next;
    setDraft(next);
    saver.change(next);
  };

  const callConnected = props.callState === 'on_call' && !contact.ended_at && !props.callEnd;
  const close = async (confirmed = false) => {
    const gaps = wrapUpGaps(draft, followUps.length);
    setErrors(gaps);
    if (Object.keys(gaps).length > 0) return;
    if (callConnected && !confirmed) {
      setConfirmMidCall(true);
      return;
    }
    setConfirmMidCall(false);
    setClosing(true);
    try {
      const closed = await saver.close(draft);
      props.onClosed(closed);
    } catch (e) {
      // Beside its field when the form has one; otherwise above the button, naming the field.
      const err = e instanceof ApiError ? e : new ApiError(0, 'error', '', String(e));
      if (err.status === 409 && err.field !== 'version') {
        setErrors({ _: 'This contact is closed and can no longer change. What you typed is still on this page.' });
        return;
      }
      const shown = err.field && document.querySelector(`[aria-describedby~="${fieldId(err.field)}-error"], #${fieldId(err.field)}`);
      setErrors(shown ? { [err.field]: err.message } : { _: err.field ? `${err.field}: ${err.message}` : err.message });
    } finally {
      setClosing(false);
    }
  };

  const answered = contact.answered_at ? Date.parse(contact.answered_at) : null;
  // The record's end, or the live feed's (which comes first: the record is written after the call ends).
  const ended = contact.ended_at ? Date.parse(contact.ended_at) : props.callEnd ? Date.parse(props.callEnd.at) : null;
  const talk = answered ? (ended ?? now) - answered : 0;
  const wrapLeft = props.wrapUpEnds ? Date.parse(props.wrapUpEnds) - now : null;
  const language = reference.languages.find((l) => l.code === contact.language)?.label ?? 'English';
  const forces = reference.forces.map((f) => ({ value: f.code, label: `${f.name} (${f.region})` }));

  return (
    <div class="contact-panel" data-testid="contact-panel" ref={panel}>
      <section class="panel call-facts" aria-label="This call" ref={callBar}>
        <div class="facts">
          <span>
            <span class="muted">Talk time </span>
            <strong class="num" data-testid="call-timer">{duration(talk)}</strong>
            {ended ? (
              <span class="muted" data-testid="call-ended" data-ended-at={props.callEnd?.at ?? contact.ended_at ?? ''}
                data-shown-at={props.callEnd ? new Date(props.callEnd.shown).toISOString() : ''}>
                {' '}({props.callEnd?.reason === 'transferred' ? 'transferred: the caller carries on with a colleague or in a queue' : 'call ended'})
              </span>
            ) : null}
          </span>
          <span><span class="muted">Language </span>{language}</span>
          <span>
            <span class="muted">Earlier calls (30 days) </span>
            <strong data-testid="repeat-count">{contact.repeat_calls_30d ?? 0}</strong>
          </span>
          {props.callState === 'wrap_up' && wrapLeft !== null && (
            <span class="wrap-up-timer" data-testid="wrap-up-timer">
              <span class="muted">Wrap-up </span>
              <strong class="num">{wrapLeft > 0 ? duration(wrapLeft) : 'time is up'}</strong>
            </span>
          )}
        </div>
        <SaveStatus state={save} />
        <nav class="jump" aria-label="Parts of this contact">
          <a href="#caller-title">Caller</a>
          <a href="#assessment-title">Assessment</a>
          <a href="#signposting-title">Signposting</a>
          <a href="#outcome-title">Outcome and wrap-up</a>
        </nav>
      </section>

      {(contact.repeat_calls_30d ?? 0) > 0 && (props.callState === 'on_call' || props.callState === 'wrap_up') && (
        <PreviousContacts line={line} contact={contact.id} count={contact.repeat_calls_30d ?? 0} reference={reference} />
      )}

      <Section title="The caller" id="caller">
        <div class="two-col">
          <TextField id="addressed-as" label="Name the caller wishes to use" value={draft.addressed_as}
            maxLength={100} onInput={(addressed_as) => update({ addressed_as })} error={errors.addressed_as} />
          <Select id="caller-role" label="Who is calling" value={draft.caller_role}
            onChange={(caller_role) => update({ caller_role })} options={options(reference.caller_roles)}
            error={errors.caller_role} />
        </div>
        {draft.caller_role === 'member_of_public' && (
          <p class="notice" role="note">
            A member of the public is never turned away: support them now and signpost them to a service for them.
          </p>
        )}
        <Select id="force" label="Force (optional)" value={draft.force} onChange={(force) => update({ force })}
          options={forces} placeholder="Not said" error={errors.force} />
        <CheckboxGroup idPrefix="theme" legend="Presenting themes" columns options={options(reference.themes)}
          selected={draft.themes} onChange={(themes) => update({ themes })} error={errors.themes} />
      </Section>

      <Section title="Assessment" id="assessment">
        <AssessmentForm reference={reference} value={draft.assessment} errors={errors}
          onChange={(assessment) => update({ assessment })} />
        <div class="actions-row">
          <button type="button" class="danger" onClick={() => setEscalating(true)} disabled={escalated}>
            {escalated ? 'Escalation recorded' : 'Imminent risk to life: escalate'}
          </button>
        </div>
        {justEscalated && (
          <p class="notice" role="status" tabIndex={-1} ref={escalatedNote}>
            Escalation recorded: your supervisor has been alerted. Stay with the caller.
          </p>
        )}
      </Section>

      {escalating && (
        <EscalationFlow line={line} contact={contact.id} reference={reference}
          onCancel={() => setEscalating(false)}
          onRaised={() => {
            setEscalating(false);
            setEscalated(true);
            setJustEscalated(true);
            update({ assessment: { ...draftRef.current.assessment, imminent_risk: true } });
          }} />
      )}

      <Section title="Signposting" id="signposting">
        <Signposting line={line} reference={reference} value={draft.signposting}
          onChange={(signposting) => update({ signposting })} />
        {errors.signposting && <p class="field-error" role="alert">{errors.signposting}</p>}
      </Section>

      {draft.assessment.cause_for_concern && (
        <Section title="Follow-up call" id="follow-up">
          {followUps.map((f) => (
            <p key={f.id} class="notice" role="status">
              Follow-up scheduled: between {new Date(f.earliest).toLocaleString('en-GB')} and{' '}
              {new Date(f.latest).toLocaleString('en-GB')}.
            </p>
          ))}
          {followUps.length === 0 && (
            <FollowUpForm line={line} contact={contact.id} onScheduled={(f) => setFollowUps([...followUps, f])} />
          )}
          <TextArea id="follow-up-plan" label="Follow-up plan" rows={2} maxLength={2000} value={draft.follow_up_plan}
            onInput={(follow_up_plan) => update({ follow_up_plan })} error={errors.follow_up_plan} />
        </Section>
      )}

      <Section title="Actions and outcome" id="outcome">
        <CheckboxGroup idPrefix="action" legend="Actions taken" columns options={options(reference.actions)}
          selected={draft.actions} onChange={(actions) => update({ actions })} error={errors.actions} />
        <TextArea id="actions-note" label="Actions: notes" rows={2} maxLength={2000} value={draft.actions_note}
          onInput={(actions_note) => update({ actions_note })} error={errors.actions_note} />
        <fieldset class="distress">
          <legend>How distressed the caller feels, in their own words (optional)</legend>
          <p class="hint">
            Ask the caller to rate it from 0 (not at all) to 10 (the most they can imagine), at the start and at the
            end. It is theirs, not a risk score: it never routes a call, and only the change over calls is counted.
          </p>
          <div class="two-col">
            <Select id="distress-start" label="At the start of the call" value={draft.distress_start}
              onChange={(distress_start) => update({ distress_start })} options={DISTRESS_OPTIONS}
              placeholder="Not asked" error={errors['distress.at_start']} />
            <Select id="distress-end" label="At the end of the call" value={draft.distress_end}
              onChange={(distress_end) => update({ distress_end })} options={DISTRESS_OPTIONS}
              placeholder="Not asked" error={errors['distress.at_end']} />
          </div>
        </fieldset>
        <Select id="outcome-select" label="Outcome" value={draft.outcome} onChange={(outcome) => update({ outcome })}
          options={options(reference.outcomes)} error={errors.outcome} />
        <TextArea id="notes" label="Notes" rows={4} maxLength={8000} value={draft.notes}
          onInput={(notes) => update({ notes })} error={errors.notes} />
        <FormError error={errors._} />
        {confirmMidCall && callConnected ? (
          <div class="notice confirm-close" role="alertdialog" aria-labelledby="confirm-close-text">
            <p id="confirm-close-text">
              The call is still connected. Close this contact now? The call goes on, but its record can no longer
              be changed.
            </p>
            <div class="actions-row">
              <button type="button" class="danger" onClick={() => void close(true)} disabled={closing}>
                Close the contact while the call goes on
              </button>
              <button type="button" onClick={() => setConfirmMidCall(false)}>Keep it open</button>
            </div>
          </div>
        ) : (
          <div class="actions-row">
            <button type="button" class="primary" onClick={() => void close()} disabled={closing}>
              Finish wrap-up and close this contact
            </button>
          </div>
        )}
      </Section>
    </div>
  );
}
