// Small controls shared by the administration pages: a checkbox group whose ids
// stay valid for any value (region names have spaces), radios, an inline
// two-step confirmation, and the polite status line for success messages.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Option } from './shared';

export function slug(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'x';
}

export function Choices(props: {
  idPrefix: string;
  legend: string;
  options: Option[];
  selected: string[];
  onChange: (selected: string[]) => void;
  error?: string;
  hint?: string;
  columns?: boolean;
}) {
  const { idPrefix, error, hint } = props;
  const toggle = (value: string, on: boolean) => {
    const next = props.selected.filter((v) => v !== value);
    if (on) next.push(value);
    props.onChange(props.options.map((o) => o.value).filter((v) => next.includes(v)).concat(
      next.filter((v) => !props.options.some((o) => o.value === v)),
    ));
  };
  const described = [hint ? `${idPrefix}-hint` : '', error ? `${idPrefix}-error` : ''].filter(Boolean).join(' ');
  return (
    <fieldset
      class={`group${props.columns ? ' columns' : ''}${error ? ' has-error' : ''}`}
      id={idPrefix}
      aria-describedby={described || undefined}
    >
      <legend>{props.legend}</legend>
      {hint && (
        <p class="hint" id={`${idPrefix}-hint`}>
          {hint}
        </p>
      )}
      {props.options.map((o) => {
        const id = `${idPrefix}-${slug(o.value)}`;
        return (
          <div class="checkbox" key={o.value}>
            <input
              id={id}
              type="checkbox"
              checked={props.selected.includes(o.value)}
              onChange={(e) => toggle(o.value, (e.currentTarget as HTMLInputElement).checked)}
            />
            <label for={id}>{o.label}</label>
          </div>
        );
      })}
      {props.options.length === 0 && <p class="muted">None to choose from yet.</p>}
      {error && (
        <p class="field-error" id={`${idPrefix}-error`} role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

export function Radios(props: {
  idPrefix: string;
  legend: string;
  options: Option[];
  value: string;
  onChange: (value: string) => void;
  error?: string;
}) {
  const { idPrefix, error } = props;
  return (
    <fieldset
      class={`group radios-inline${error ? ' has-error' : ''}`}
      id={idPrefix}
      aria-describedby={error ? `${idPrefix}-error` : undefined}
    >
      <legend>{props.legend}</legend>
      {props.options.map((o) => {
        const id = `${idPrefix}-${slug(o.value)}`;
        return (
          <div class="checkbox" key={o.value}>
            <input
              id={id}
              type="radio"
              name={idPrefix}
              value={o.value}
              checked={props.value === o.value}
              onChange={() => props.onChange(o.value)}
            />
            <label for={id}>{o.label}</label>
          </div>
        );
      })}
      {error && (
        <p class="field-error" id={`${idPrefix}-error`} role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

// A button that asks before it acts: the first press shows what will happen,
// with "confirm" and "cancel"; focus moves to the question.
export function ConfirmButton(props: {
  label: string;
  question: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => Promise<void> | void;
  danger?: boolean;
  disabled?: boolean;
  // Read out after the label but not shown, e.g. the name of the service a "Delete" button removes.
  hiddenSuffix?: string;
  // A small, plain first button (lists); the confirmation itself keeps the danger colour.
  small?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) cancelRef.current?.focus();
    else if (wasAsking.current) openRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" ref={openRef} class={props.small ? 'small' : props.danger ? 'danger' : ''}
        disabled={props.disabled} onClick={() => setAsking(true)}>
        {props.label}
        {props.hiddenSuffix && <span class="visually-hidden"> {props.hiddenSuffix}</span>}
      </button>
    );
  }
  return (
    <div class="confirm" role="group" aria-label={props.hiddenSuffix ? `${props.label} ${props.hiddenSuffix}` : props.label}>
      <p class="confirm-question">{props.question}</p>
      <div class="actions-row">
        <button
          type="button"
          class={props.danger ? 'danger' : 'primary'}
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await props.onConfirm();
            } finally {
              setBusy(false);
              setAsking(false);
            }
          }}
        >
          {props.confirmLabel}
        </button>
        <button type="button" ref={cancelRef} onClick={() => setAsking(false)}>
          Cancel
        </button>
      </div>
    </div>
  );
}

// Success messages, announced politely. Always in the page so that a change is heard.
export function StatusLine({ message, id }: { message: string; id: string }) {
  return (
    <p class={`status-line${message ? ' has-message' : ''}`} role="status" id={id}>
      {message}
    </p>
  );
}

// Which row of an admin list has its form open below the list (`editing`, by key), or whether the form for a new
// one is (`creating`): at most one of them at a time.
export function useListForms() {
  const [editing, setEditing] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const toggleEditing = (key: string) => {
    setCreating(false);
    setEditing(key === editing ? null : key);
  };
  const toggleCreating = () => {
    setEditing(null);
    setCreating(!creating);
  };
  return { editing, setEditing, creating, setCreating, toggleEditing, toggleCreating };
}

// A row's Edit button, which says Close while the row's form is open. `name` is read out after the label but not
// shown: which row it edits.
export function EditButton({ open, name, onClick }: { open: boolean; name: string; onClick: () => void }) {
  return (
    <button type="button" class="small" aria-expanded={open} onClick={onClick}>
      {open ? 'Close' : 'Edit'}
      <span class="visually-hidden"> {name}</span>
    </button>
  );
}

// The list's "Add a ..." button, under the list, opening the form for a new one (or closing it).
export function AddButton({ label, open, onClick }: { label: string; open: boolean; onClick: () => void }) {
  return (
    <div class="actions-row">
      <button type="button" class="primary" aria-expanded={open} onClick={onClick}>
        {label}
      </button>
    </div>
  );
}

// An admin list as a table that scrolls on its own on a narrow screen: a caption for screen readers, a column
// heading each, and a last column of the rows' actions (named for screen readers only). `children`: the rows.
export function AdminTable({ caption, columns, children }: {
  caption: string;
  columns: string[];
  children: ComponentChildren;
}) {
  return (
    <div class="table-scroll">
      <table class="admin-table">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c}>{c}</th>
            ))}
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
