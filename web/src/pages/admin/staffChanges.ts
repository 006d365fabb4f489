// Staff changes that wait for a second administrator (the two-person rule for content grants), as the API
// answers them: GET /api/v1/staff/changes, and a 202 from POST/PATCH /api/v1/staff.
import type { StaffMember } from './shared';

export interface AccessSnapshot {
  username?: string;
  display_name?: string;
  roles: string[];
  lines: string[];
  disabled: boolean;
}

export interface StaffChange {
  id: string;
  kind: 'create' | 'update';
  staff_id: string;
  requested_by: string;
  requested_at: string;
  expires_at: string;
  status: 'pending' | 'approved' | 'rejected' | 'expired';
  decided_by: string | null;
  decided_at: string | null;
  before: AccessSnapshot | null;
  after: AccessSnapshot;
  grants: { role: string; line: string }[];
}

export interface PendingAnswer {
  status: 'pending_approval';
  change: StaffChange;
}

// A create or update answered 202: it waits, and nothing changed yet.
export function isPending(answer: StaffMember | PendingAnswer): answer is PendingAnswer {
  return (answer as PendingAnswer).status === 'pending_approval';
}

// "Counsellor on police, Supervisor on fire": what a change would let its subject read.
export function grantsText(change: StaffChange, roleLabel: (role: string) => string): string {
  return change.grants.map((g) => `${roleLabel(g.role)} on ${g.line}`).join(', ');
}

// What the roles and lines were and would be, in words.
export function accessText(snapshot: AccessSnapshot | null, roleLabel: (role: string) => string): string {
  if (!snapshot) return 'new account';
  const roles = snapshot.roles.map(roleLabel).join(', ') || 'no role';
  const lines = snapshot.lines.join(', ') || 'no line';
  return `${roles}; lines: ${lines}${snapshot.disabled ? ' (disabled)' : ''}`;
}
