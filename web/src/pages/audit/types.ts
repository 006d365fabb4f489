// The audit routes' answers (docs/api.md, "Audit").
export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  line_id: string;
  record_type: string;
  record_id: string;
  purpose: string;
  prev_hash: string;
  hash: string;
  // What changed (staff changes: roles and lines before and after); null for entries without one.
  detail: AuditDetail | string | null;
}

export interface AuditAccess {
  roles?: string[];
  lines?: string[];
  disabled?: boolean;
}

export interface AuditDetail {
  before?: AuditAccess | null;
  after?: AuditAccess;
  grants?: { role: string; line: string }[];
  change?: string;
  requested_by?: string;
  [key: string]: unknown;
}

function accessWords(a: AuditAccess | null | undefined): string {
  if (!a) return 'none (new account)';
  const roles = (a.roles ?? []).join(', ') || 'no role';
  const lines = (a.lines ?? []).join(', ') || 'no line';
  return `roles ${roles}; lines ${lines}${a.disabled ? '; disabled' : ''}`;
}

// An entry's detail in words: "before: roles admin; lines none → after: ...", and any content grant.
export function detailText(detail: AuditEntry['detail']): string {
  if (detail === null || detail === undefined) return '';
  if (typeof detail === 'string') return detail;
  const parts: string[] = [];
  if ('after' in detail) parts.push(`before: ${accessWords(detail.before)} → after: ${accessWords(detail.after)}`);
  if (detail.grants?.length) parts.push(`gives ${detail.grants.map((g) => `${g.role} on ${g.line}`).join(', ')}`);
  if (detail.change) parts.push(`change ${detail.change}${detail.requested_by ? ` asked by ${detail.requested_by}` : ''}`);
  return parts.length ? parts.join('; ') : JSON.stringify(detail);
}

export interface AuditPage {
  entries: AuditEntry[];
  next_from_seq: number | null;
}

export interface Checkpoint {
  seq: number;
  head_hash: string;
  at: string;
}

export interface CheckpointAnswer {
  checkpoint: Checkpoint | null;
  count: number;
  fault: string | null;
}

export interface Verification {
  ok: boolean;
  entries: number;
  first_bad_seq: number;
  reason: string;
  head_hash: string;
  guards_ok: boolean;
  guard_faults: string[];
  checkpoint: Checkpoint | null;
  checkpoints_held: number;
  checkpoint_fault: string | null;
}

export interface AuditFilters {
  actor: string;
  action: string;
  line_id: string;
  record_id: string;
  since: string; // yyyy-mm-dd, from the date input
  before: string;
}

export const noFilters: AuditFilters = { actor: '', action: '', line_id: '', record_id: '', since: '', before: '' };

// The query string of GET /api/v1/audit for `filters`, from `fromSeq` on.
export function auditQuery(filters: AuditFilters, fromSeq: number, limit = 100): string {
  const q = new URLSearchParams();
  q.set('from_seq', String(fromSeq));
  q.set('limit', String(limit));
  for (const key of ['actor', 'action', 'line_id', 'record_id'] as const) {
    const value = filters[key].trim();
    if (value) q.set(key, value);
  }
  if (filters.since) q.set('since', `${filters.since}T00:00:00Z`);
  if (filters.before) q.set('before', `${filters.before}T00:00:00Z`);
  return q.toString();
}
