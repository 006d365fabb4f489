// Earlier contacts from the same caller: shown only on request, only to the counsellor on the call with
// them (the server checks), and every one shown is written to the audit log.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { dateTime } from '../../lib/format';
import type { Reference } from '../../lib/types';

interface Previous {
  id: string;
  arrived_at: string;
  caller_role?: string | null;
  themes?: string[] | null;
  outcome?: string | null;
  cause_for_concern?: boolean | null;
  imminent_risk?: boolean | null;
  counsellor_display_name?: string | null;
  addressed_as?: string | null;
  safety_plan?: Record<string, string> | null;
  follow_up_plan?: string | null;
  signposting?: string[] | null; // service names
}

export function PreviousContacts(props: { line: string; contact: string; count: number; reference: Reference }) {
  const [rows, setRows] = useState<Previous[] | null>(null);
  const [message, setMessage] = useState('');
  const label = (list: Array<{ code: string; label: string }>, code?: string | null) =>
    list.find((c) => c.code === code)?.label ?? code ?? '';

  const show = async () => {
    setMessage('');
    try {
      const r = await api<{ previous: Previous[] }>('GET', `/api/v1/lines/${props.line}/contacts/${props.contact}/previous`);
      setRows(r.previous);
    } catch (e) {
      setMessage(e instanceof ApiError ? e.message : String(e));
    }
  };

  return (
    <section class="panel previous" aria-labelledby="previous-title">
      <h2 id="previous-title">Earlier contacts from this caller ({props.count} in 30 days)</h2>
      {rows === null ? (
        <>
          <p class="muted">Shown only while you are on this call; opening them is recorded in the audit log.</p>
          <button type="button" onClick={show}>Show earlier contacts</button>
        </>
      ) : rows.length === 0 ? (
        <p>No earlier contacts are kept.</p>
      ) : (
        <ol class="previous-list">
          {rows.map((p) => (
            <li key={p.id}>
              <h3>
                {dateTime(p.arrived_at)}
                {p.counsellor_display_name ? ` · ${p.counsellor_display_name}` : ''}
                {p.cause_for_concern && <span class="badge concern"> cause for concern</span>}
                {p.imminent_risk && <span class="badge risk"> imminent risk</span>}
              </h3>
              {p.addressed_as && <p>Wished to be called: {p.addressed_as}</p>}
              {p.themes && p.themes.length > 0 && (
                <p>Themes: {p.themes.map((t) => label(props.reference.themes, t)).join('; ')}</p>
              )}
              {p.outcome && <p>Outcome: {label(props.reference.outcomes, p.outcome)}</p>}
              {p.safety_plan && Object.entries(p.safety_plan).filter(([, v]) => v).length > 0 && (
                <dl class="plan">
                  {Object.entries(p.safety_plan).filter(([, v]) => v).map(([k, v]) => (
                    <div key={k}>
                      <dt>{label(props.reference.safety_plan_sections, k)}</dt>
                      <dd>{v}</dd>
                    </div>
                  ))}
                </dl>
              )}
              {p.follow_up_plan && <p>Follow-up plan: {p.follow_up_plan}</p>}
              {p.signposting && p.signposting.length > 0 && (
                <p>Signposted: {p.signposting.join('; ')}</p>
              )}
            </li>
          ))}
        </ol>
      )}
      {message && <p class="field-error" role="alert">{message}</p>}
    </section>
  );
}
