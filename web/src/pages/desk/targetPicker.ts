// What the desk's call controls (transfer, consult, conference) have in common: one request at a time with the
// server's message if it fails, and a picker of whom the call may go to now
// (GET /api/v1/session/calls/{call}/transfer-targets).
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';

export function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : String(e);
}

export interface CallRequest {
  busy: boolean;   // a request is under way: the controls wait
  error: string;   // the last request's failure, in the server's words ('' once another starts)
  setError: (message: string) => void;
  run: (what: () => Promise<unknown>) => Promise<void>;
}

export function useCallRequest(): CallRequest {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const run = async (what: () => Promise<unknown>) => {
    setBusy(true);
    setError('');
    try {
      await what();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

export interface TargetPicker<T> {
  picking: boolean;
  targets: T | null;  // null while they load
  choice: string;     // the `to` chosen in the <select>
  setChoice: (to: string) => void;
  select: RefObject<HTMLSelectElement | null>;  // the <select>: focused once the targets are there
  open: () => Promise<void>;
  close: () => void;
  // The form's submit handler: `send(choice)` as `request` runs it; the picker closes once it has succeeded.
  submit: (send: (to: string) => Promise<unknown>) => (e: Event) => void;
}

// `first(targets)` is the `to` chosen when they arrive ('' for none); `loaded(targets)` lets the control keep their
// names. A list that cannot be read closes the picker and shows the server's message through `request`.
export function useTargetPicker<T>(call: string, request: CallRequest, first: (targets: T) => string,
  loaded?: (targets: T) => void): TargetPicker<T> {
  const [picking, setPicking] = useState(false);
  const [targets, setTargets] = useState<T | null>(null);
  const [choice, setChoice] = useState('');
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    if (picking && targets) select.current?.focus();
  }, [picking, targets]);
  const open = async () => {
    setPicking(true);
    setTargets(null);
    request.setError('');
    try {
      const got = await api<T>('GET', `/api/v1/session/calls/${encodeURIComponent(call)}/transfer-targets`);
      setTargets(got);
      loaded?.(got);
      setChoice(first(got));
    } catch (e) {
      setPicking(false);
      request.setError(errorText(e));
    }
  };
  const close = () => {
    setPicking(false);
    setTargets(null);
  };
  const submit = (send: (to: string) => Promise<unknown>) => (e: Event) => {
    e.preventDefault();
    if (!choice) return;
    void request.run(async () => {
      await send(choice);
      close();
    });
  };
  return { picking, targets, choice, setChoice, select, open, close, submit };
}
