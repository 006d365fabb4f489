// Emergency escalation for an imminent risk to life: a short guided flow. The
// supervisor is alerted the moment it is recorded (the wallboard sounds).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import type { Reference } from '../../lib/types';
import { FormError, Select, TextArea } from '../../components/Field';
import { options } from '../../lib/reference';

export function EscalationFlow(props: {
  line: string;
  contact: string;
  reference: Reference;
  onRaised: () => void;
  onCancel: () => void;
}) {
  const [supervisors, setSupervisors] = useState<Array<{ id: string; display_name: string }>>([]);
  const [service, setService] = useState('');
  const [supervisor, setSupervisor] = useState('');
  const [reason, setReason] = useState('');
  const [disclosed, setDisclosed] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<{ supervisors: Array<{ id: string; display_name: string }> }>('GET', `/api/v1/lines/${props.line}/supervisors`)
      .then((r) => {
        setSupervisors(r.supervisors);
        if (r.supervisors.length === 1) setSupervisor(r.supervisors[0].id);
      })
      .catch(() => undefined);
  }, [props.line]);

  const raise = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      await api('POST', `/api/v1/lines/${props.line}/contacts/${props.contact}/escalations`, {
        emergency_service: service,
        supervisor_id: supervisor,
        reason,
        disclosed,
      });
      props.onRaised();
    } catch (err) {
      if (err instanceof ApiError) setErrors({ [err.field || '_']: err.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel escalation" aria-labelledby="escalation-title">
      <h2 id="escalation-title">Emergency escalation: imminent risk to life</h2>
      <ol class="steps">
        <li>Stay with the caller. Keep them talking; ask where they are.</li>
        <li>Tell your supervisor now (choose them below: recording this alerts them at once).</li>
        <li>Record which service is contacted, why, and exactly what is disclosed to them.</li>
      </ol>
      <form onSubmit={raise} noValidate>
        <Select id="esc-supervisor" label="Supervisor" value={supervisor} onChange={setSupervisor}
          options={supervisors.map((s) => ({ value: s.id, label: s.display_name }))}
          placeholder="Choose your supervisor" error={errors.supervisor_id} />
        <Select id="esc-service" label="Emergency service contacted" value={service} onChange={setService}
          options={options(props.reference.emergency_services)} placeholder="Choose the service"
          error={errors.emergency_service} />
        <TextArea id="esc-reason" label="Why: the imminent risk to life" rows={3} maxLength={2000} value={reason}
          onInput={setReason} error={errors.reason} />
        <TextArea id="esc-disclosed" label="What is disclosed to the service (only what is needed)" rows={3}
          maxLength={2000} value={disclosed} onInput={setDisclosed} error={errors.disclosed} />
        <FormError error={errors._} />
        <div class="actions-row">
          <button type="submit" class="danger" disabled={busy}>Record escalation and alert supervisor</button>
          <button type="button" onClick={props.onCancel}>Back to the call</button>
        </div>
      </form>
    </section>
  );
}
