// Durations and times as a counsellor reads them at a glance.

export function duration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return (h > 0 ? `${h}:` : '') + `${mm}:${String(s).padStart(2, '0')}`;
}

// "1 call", "2 calls", "– calls" when the number is not known.
export function counted(n: number | null | undefined, one: string, many: string): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return `– ${many}`;
  return `${n} ${n === 1 ? one : many}`;
}

export function clockTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

export function percent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined) return '–';
  return `${Math.round(fraction * 100)}%`;
}

const stateNames: Record<string, string> = {
  offline: 'Offline',
  available: 'Available',
  ringing: 'Ringing',
  on_call: 'On a call',
  wrap_up: 'Wrap-up',
  break: 'On a break',
};

export function stateName(state: string): string {
  return stateNames[state] ?? state;
}
