// The shapes the API returns (docs/api.md), as far as the console uses them.

export type Role = 'counsellor' | 'supervisor' | 'service_manager' | 'admin' | 'auditor';

export interface Staff {
  id: string;
  username: string;
  display_name: string;
  roles: Role[];
  lines: string[];
  languages: string[];
  specialisms: string[];
  disabled?: boolean;
  sip_username?: string | null;
}

export interface SessionInfo {
  staff: Staff;
  csrf_token: string;
  mfa_complete: boolean;
  idle_expires_at?: string;
  totp_enrolment?: { secret: string; uri: string };
}

// POST /api/v1/session with the right password and no code, for an account with an authenticator.
export interface CodeRequired {
  totp_required: true;
  message: string;
}

// A browser phone's latest call quality, as its console measured it (numbers and a grade only).
export interface CallQualityLive {
  call: string;
  grade: string;          // "good" | "fair" | "poor"
  loss_percent: number;
  jitter_ms: number;
  rtt_ms: number | null;
  at: string;
}

export interface CounsellorLive {
  counsellor: string;
  display_name: string;
  state: string;
  reason?: string;
  in_state_ms: number;
  phone_registered: boolean;
  browser_phone?: boolean;   // their phone is a browser tab (they answer in the console)
  call_quality?: CallQualityLive; // browser: the latest quality their browser reported
  call?: string;
  wrap_up_ends?: string;
  after_call?: string;
  wrapping_up?: string; // in wrap-up: the call whose record is being finished
  held?: boolean;       // on a call: the counsellor has put the caller on hold
  held_ms?: number;     // while held: how long this hold has lasted
  monitor?: { supervisor: string; mode: string; state: string }; // a supervisor monitoring the call (never covert)
  transfer?: { to: string; state: string }; // a blind transfer ringing a colleague (staff id)
  // A consult (warm transfer) on the call: the colleague (staff id) being rung or talking to the counsellor. On
  // the colleague's own entry `to` is themselves: they are the one being consulted.
  consult?: { to: string; state: string };
  // A third party the counsellor added (conference): "counsellor:<staff id>" or "external:<id>", its kind
  // ("colleague", "emergency", "partner") and "ringing" or "connected". Ids only, never a number. On the added
  // colleague's own entry `to` names themselves.
  conference?: { to: string; kind: string; state: string };
}

// How a call's two legs' media are protected: "srtp" (SDES), "dtls-srtp" (a browser phone) or "rtp" (plain).
export interface CallLegs {
  caller: string;
  counsellor: string;
}

export interface LivePicture {
  at: string;
  queues: Record<string, { waiting: number; longest_wait_ms: number }>;
  me: CounsellorLive | null;
  waiting?: Array<{ call: string; line: string; language: string; position: number; wait_ms: number; ringing: string[]; overflowed: boolean; offered_to?: string }>;
  active?: Array<{ call: string; line: string; counsellor: string; wait_ms: number; talk_ms: number; cause_for_concern?: boolean; imminent_risk?: boolean; held?: boolean; held_ms?: number; monitor?: { supervisor: string; mode: string; state: string }; consult?: { to: string; state: string }; conference?: { to: string; kind: string; state: string }; encrypted?: boolean; legs?: CallLegs }>;
  counsellors?: CounsellorLive[];
}

export interface LiveEvent {
  seq: number;
  at: string;
  type: string;
  line?: string;
  counsellor?: string;
  data: Record<string, unknown>;
}

export interface Observation {
  observation: 'present' | 'absent' | 'not_asked';
  note?: string;
}

export interface Assessment {
  desire?: Record<string, Observation>;
  capability?: Record<string, Observation>;
  intent?: Record<string, Observation>;
  buffers?: Record<string, Observation>;
  formulation?: string;
  safety_plan?: Record<string, string>;
  cause_for_concern?: boolean;
  concern_reasons?: string;
  imminent_risk?: boolean;
}

export interface Signpost {
  service_id?: string;
  name: string;
  note?: string;
}

export interface Contact {
  id: string;
  line_id?: string;
  status: 'open' | 'closed';
  version: number;
  arrived_at: string;
  answered_at?: string | null;
  ended_at?: string | null;
  language?: string | null;
  caller_role?: string | null;
  force?: string | null;
  themes?: string[];
  actions?: string[];
  outcome?: string | null;
  addressed_as?: string | null;
  assessment?: Assessment | null;
  actions_note?: string | null;
  follow_up_plan?: string | null;
  signposting?: Signpost[];
  notes?: string | null;
  // The caller's own distress rating (0-10) at the start and end of the call: sealed content, never a risk score.
  distress?: { at_start?: number; at_end?: number } | null;
  repeat_calls_30d?: number;
  counsellor_id?: string | null;
  channel?: string | null;
  call?: { end_reason: string | null; queue_wait_s: number | null; talk_s: number | null } | null;
}

export interface Coded {
  code: string;
  label: string;
}

export interface Principle extends Coded {
  subcomponents: Coded[];
}

export interface Force {
  code: string;
  name: string;
  region: string;
  country: string;
}

export interface Reference {
  actions: Coded[];
  attempt_outcomes: Coded[];
  caller_roles: Coded[];
  contact_methods: Coded[];
  emergency_services: Coded[];
  forces: Force[];
  languages: Coded[];
  observations: Coded[];
  outcomes: Coded[];
  principles: Principle[];
  regions: Array<{ code: string; name: string; country: string }>;
  safety_plan_sections: Coded[];
  signposting_categories: Coded[];
  themes: Coded[];
}

export interface DirectoryService {
  id: string;
  organisation: string;
  name: string;
  description?: string;
  phone?: string;
  email?: string;
  url?: string;
  opening_times?: string;
  categories: string[];
  service_areas: string[];
  stale?: boolean;
  notice?: string;
}

export interface FollowUp {
  id: string;
  contact_id?: string;
  status: string;
  earliest: string;
  latest: string;
  method?: string;
  assigned_to?: string;
  attempts?: Array<{ at: string; outcome: string; by: string }>;
  number_masked?: string;
  notes?: string;
}

export interface Line {
  id: string;
  name: string;
  numbers: string[];
  hours: string;
  always_open: boolean;
  regions: string[];
  languages: string[];
  audience?: string;
  retention_days?: number;
  routing?: Record<string, unknown>;
}
