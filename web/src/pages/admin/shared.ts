// Shared pieces of the administration pages: the shapes the admin routes answer
// (docs/api.md, "Lines", "Staff", "Signposting directory"), the reference lists,
// and mapping a server error onto the form field it names.
import { ApiError } from '../../lib/api';
import type { Reference, Role } from '../../lib/types';

export interface StaffMember {
  id: string;
  username: string;
  display_name: string;
  roles: Role[];
  lines: string[];
  languages: string[];
  specialisms: string[];
  mfa_enrolled?: boolean;
  disabled?: boolean;
  sip_username?: string | null;
  created_at?: string;
  updated_at?: string;
}

export interface Routing {
  strategy: 'longest_idle' | 'ring_all';
  ring_timeout_s: number;
  wrap_up_s: number;
  wrap_up_after_concern_s: number;
  overflow_after_s: number | null;
  overflow_to: string;
  announce_every_s: number | null;
  every_leg_encrypted?: boolean; // every leg of the line's calls encrypted (SIP over TLS with SRTP, or DTLS-SRTP)
}

export const DEFAULT_ROUTING: Routing = {
  strategy: 'longest_idle',
  ring_timeout_s: 20,
  wrap_up_s: 60,
  wrap_up_after_concern_s: 300,
  overflow_after_s: 120,
  overflow_to: '',
  announce_every_s: 45,
  every_leg_encrypted: false,
};

export interface LineConfig {
  id: string;
  name: string;
  name_cy?: string; // the name in Welsh, for the Welsh public page
  numbers: string[];
  hours: string;
  always_open: boolean;
  regions: string[];
  languages: string[];
  retention_days: number;
  follow_up_max_attempts: number;
  follow_up_max_days: number;
  audience: string;
  audience_cy?: string;
  routing: Routing;
  post_call_survey?: boolean; // the caller is asked two keypad questions after the counsellor hangs up (counts only)
}

export interface ServiceRecord {
  id: string;
  organisation: string;
  name: string;
  description?: string;
  eligibility?: string;
  service_areas: string[];
  phone?: string;
  email?: string;
  url?: string;
  opening_times?: string;
  categories: string[];
  languages?: string[];
  assured_date: string;
  demo?: boolean;
  stale?: boolean;
  notice?: string;
}

export type Option = { value: string; label: string };

export const ROLE_OPTIONS: Option[] = [
  { value: 'counsellor', label: 'Counsellor' },
  { value: 'supervisor', label: 'Supervisor' },
  { value: 'service_manager', label: 'Service manager' },
  { value: 'admin', label: 'Administrator' },
  { value: 'auditor', label: 'Auditor' },
];

export const LANGUAGE_OPTIONS: Option[] = [
  { value: 'en', label: 'English' },
  { value: 'cy', label: 'Welsh (Cymraeg)' },
];

export function labelOf(options: Option[], value: string): string {
  return options.find((o) => o.value === value)?.label ?? value;
}

// The reference lists are shared with the other pages.
export { forgetReference, loadReference, useReference } from '../../lib/reference';

// Region choices: "national" (all of England and Wales) and the region names the
// server accepts. The police region called "National" (non-territorial forces) is
// left out, so one word means one thing, as the directory does.
export function regionOptions(ref: Reference | null): Option[] {
  const out: Option[] = [{ value: 'national', label: 'National (all of England and Wales)' }];
  for (const r of ref?.regions ?? []) {
    if (r.name.toLowerCase() !== 'national') out.push({ value: r.name, label: r.name });
  }
  return out;
}

// "a, b ,, c" → ["a", "b", "c"]
export function splitList(text: string, separator: RegExp = /[,\n]/): string[] {
  return text
    .split(separator)
    .map((s) => s.trim())
    .filter(Boolean);
}

// Errors keyed by form field. `_` is the form as a whole.
export type Errors = Record<string, string>;

// Map an error from the server onto one of the form's fields: the field itself
// (`routing.ring_timeout_s`), or the list it indexes (`numbers[2]` → `numbers`,
// with the item named in the message). Anything else goes to the whole form.
export function errorsFor(error: unknown, known: readonly string[]): Errors {
  if (!(error instanceof ApiError)) return { _: String((error as Error)?.message ?? error) };
  const field = error.field;
  if (!field) return { _: error.message };
  if (known.includes(field)) return { [field]: error.message };
  const indexed = field.match(/^(.*)\[(\d+)\](.*)$/);
  if (indexed && known.includes(indexed[1])) {
    return { [indexed[1]]: `Item ${Number(indexed[2]) + 1}${indexed[3] ? ` (${indexed[3].replace(/^\./, '')})` : ''}: ${error.message}` };
  }
  return { _: `${field}: ${error.message}` };
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.field ? `${error.field}: ${error.message}` : error.message;
  return String((error as Error)?.message ?? error);
}

// A whole number typed into a field, or an error to show beside it.
export function wholeNumber(text: string): number | null {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) return null;
  return Number(t);
}
