// Labelled form controls that show the server's field-level error beside the field.
import type { ComponentChildren } from 'preact';

let nextId = 0;
export function useFieldId(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

interface Common {
  id: string;
  label: string;
  error?: string;
  hint?: string;
}

function Described({ id, error, hint }: { id: string; error?: string; hint?: string }) {
  return (
    <>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </>
  );
}

function describedBy(id: string, error?: string, hint?: string): string | undefined {
  const parts = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
}

export function TextField(
  props: Common & {
    value: string;
    onInput: (value: string) => void;
    type?: 'text' | 'password' | 'search' | 'tel' | 'number' | 'date' | 'datetime-local' | 'email' | 'url';
    autocomplete?: string;
    inputMode?: 'numeric' | 'text' | 'tel' | 'search';
    maxLength?: number;
    required?: boolean;
    autoFocus?: boolean;
    onKeyDown?: (e: KeyboardEvent) => void;
  },
) {
  const { id, label, error, hint } = props;
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{label}</label>
      <input
        id={id}
        {...({ type: props.type ?? 'text' } as Record<string, string>)}
        value={props.value}
        autocomplete={props.autocomplete}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        required={props.required}
        autoFocus={props.autoFocus}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, error, hint)}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
        onKeyDown={props.onKeyDown}
      />
      <Described id={id} error={error} hint={hint} />
    </div>
  );
}

export function TextArea(
  props: Common & { value: string; onInput: (value: string) => void; rows?: number; maxLength?: number },
) {
  const { id, label, error, hint } = props;
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{label}</label>
      <textarea
        id={id}
        rows={props.rows ?? 3}
        value={props.value}
        maxLength={props.maxLength}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, error, hint)}
        onInput={(e) => props.onInput((e.currentTarget as HTMLTextAreaElement).value)}
      />
      <Described id={id} error={error} hint={hint} />
    </div>
  );
}

export function Select(
  props: Common & {
    value: string;
    onChange: (value: string) => void;
    options: Array<{ value: string; label: string }>;
    placeholder?: string;
  },
) {
  const { id, label, error, hint } = props;
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{label}</label>
      <select
        id={id}
        value={props.value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, error, hint)}
        onChange={(e) => props.onChange((e.currentTarget as HTMLSelectElement).value)}
      >
        <option value="">{props.placeholder ?? 'Not chosen'}</option>
        {props.options.map((o) => (
          <option value={o.value} key={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Described id={id} error={error} hint={hint} />
    </div>
  );
}

export function Checkbox(props: { id: string; label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <div class="checkbox">
      <input
        id={props.id}
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange((e.currentTarget as HTMLInputElement).checked)}
      />
      <label for={props.id}>{props.label}</label>
    </div>
  );
}

// A group of checkboxes for a coded list (themes, actions, roles).
export function CheckboxGroup(props: {
  idPrefix: string;
  legend: string;
  options: Array<{ value: string; label: string }>;
  selected: string[];
  onChange: (selected: string[]) => void;
  error?: string;
  columns?: boolean;
}) {
  const toggle = (value: string, on: boolean) => {
    const next = props.selected.filter((v) => v !== value);
    if (on) next.push(value);
    props.onChange(next);
  };
  return (
    <fieldset class={`group${props.columns ? ' columns' : ''}${props.error ? ' has-error' : ''}`}>
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <Checkbox
          key={o.value}
          id={`${props.idPrefix}-${o.value}`}
          label={o.label}
          checked={props.selected.includes(o.value)}
          onChange={(on) => toggle(o.value, on)}
        />
      ))}
      {props.error && (
        <p class="field-error" role="alert">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}

export function FormError({ error }: { error?: string }) {
  if (!error) return null;
  return (
    <p class="form-error" role="alert">
      {error}
    </p>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section class="panel" aria-labelledby={id ? `${id}-title` : undefined}>
      <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
      {children}
    </section>
  );
}
