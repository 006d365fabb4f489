// Who is signed in, shared by every page.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Role, SessionInfo } from './types';
import type { LiveState } from './liveState';

export interface SessionContextValue {
  session: SessionInfo;
  live: LiveState;
  signOut(): Promise<void>;
  // Marks an escalation alert as seen (it stays seen across the console's pages).
  acknowledge(seq: number): void;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in page');
  return value;
}

export function hasRole(session: SessionInfo, role: Role): boolean {
  return session.staff.roles.includes(role);
}

// The page a person lands on after signing in.
export function homeFor(session: SessionInfo): string {
  const roles = session.staff.roles;
  if (roles.includes('counsellor')) return '/desk';
  if (roles.includes('supervisor') || roles.includes('service_manager')) return '/wallboard';
  if (roles.includes('admin')) return '/admin';
  if (roles.includes('auditor')) return '/audit';
  return '/account';
}
