// The risk assessment, structured by the four core principles (desire,
// capability, intent, buffers) with their sub-components, the counsellor's
// safety formulation and the safety plan built with the caller. No score and
// no risk band, by design (NICE NG225).
import type { Assessment, Observation, Reference } from '../../lib/types';
import { Checkbox, TextArea } from '../../components/Field';

type Principle = 'desire' | 'capability' | 'intent' | 'buffers';

export function AssessmentForm(props: {
  reference: Reference;
  value: Assessment;
  onChange: (a: Assessment) => void;
  errors: Record<string, string>;
}) {
  const { reference, value, onChange, errors } = props;
  const setObservation = (principle: Principle, code: string, change: Partial<Observation>) => {
    const current = value[principle] ?? {};
    const item: Observation = { ...(current[code] ?? { observation: 'not_asked' }), ...change };
    onChange({ ...value, [principle]: { ...current, [code]: item } });
  };
  return (
    <div class="assessment">
      {reference.principles.map((p) => {
        const principle = p.code as Principle;
        const current = value[principle] ?? {};
        return (
          <fieldset class="group principle" key={p.code}>
            <legend>{p.label}</legend>
            {p.subcomponents.map((sub) => {
              const item = current[sub.code];
              const id = `as-${p.code}-${sub.code}`;
              const field = `assessment.${p.code}.${sub.code}`;
              return (
                <div class="observation" key={sub.code}>
                  <fieldset class="radios">
                    <legend>{sub.label}</legend>
                    {reference.observations.map((o) => (
                      <label key={o.code} class="radio">
                        <input
                          type="radio"
                          name={id}
                          value={o.code}
                          checked={(item?.observation ?? '') === o.code}
                          onChange={() => setObservation(principle, sub.code, { observation: o.code as Observation['observation'] })}
                        />
                        {o.label}
                      </label>
                    ))}
                  </fieldset>
                  {item && item.observation !== 'not_asked' && (
                    <TextArea
                      id={`${id}-note`}
                      label={`Note: ${sub.label.toLowerCase()}`}
                      rows={2}
                      maxLength={2000}
                      value={item.note ?? ''}
                      onInput={(note) => setObservation(principle, sub.code, { note })}
                      error={errors[`${field}.note`] ?? errors[`${field}.observation`]}
                    />
                  )}
                </div>
              );
            })}
          </fieldset>
        );
      })}
      <TextArea
        id="formulation"
        label="Safety formulation (your understanding of the caller's situation and what keeps them safe)"
        rows={4}
        maxLength={8000}
        value={value.formulation ?? ''}
        onInput={(formulation) => onChange({ ...value, formulation })}
        error={errors['assessment.formulation']}
      />
      <fieldset class="group">
        <legend>Safety plan, made with the caller</legend>
        {reference.safety_plan_sections.map((s) => (
          <TextArea
            key={s.code}
            id={`plan-${s.code}`}
            label={s.label}
            rows={2}
            maxLength={2000}
            value={value.safety_plan?.[s.code] ?? ''}
            onInput={(text) => onChange({ ...value, safety_plan: { ...(value.safety_plan ?? {}), [s.code]: text } })}
            error={errors[`assessment.safety_plan.${s.code}`]}
          />
        ))}
      </fieldset>
      <fieldset class="group concern">
        <legend>Cause for concern</legend>
        <Checkbox
          id="cause-for-concern"
          label="There is cause for concern (a follow-up call will be arranged)"
          checked={value.cause_for_concern === true}
          onChange={(on) => onChange({ ...value, cause_for_concern: on })}
        />
        {value.cause_for_concern && (
          <TextArea
            id="concern-reasons"
            label="Reasons for concern"
            rows={2}
            maxLength={2000}
            value={value.concern_reasons ?? ''}
            onInput={(concern_reasons) => onChange({ ...value, concern_reasons })}
            error={errors['assessment.concern_reasons'] ?? errors.concern_reasons}
          />
        )}
      </fieldset>
    </div>
  );
}
