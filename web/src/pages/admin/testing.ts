// Test helpers for the administration pages: a fetch stand-in that answers by
// "METHOD /path" and records every request with its parsed JSON body.
import { vi } from 'vitest';

export interface Recorded {
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
}

type Answer = { status?: number; json?: unknown } | ((req: Recorded) => { status?: number; json?: unknown });

export function mockFetch(routes: Record<string, Answer>) {
  const calls: Recorded[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    const method = (init?.method ?? 'GET').toUpperCase();
    const req: Recorded = {
      method,
      path: url.pathname + url.search,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      headers: (init?.headers ?? {}) as Record<string, string>,
    };
    calls.push(req);
    const key = `${method} ${url.pathname}${url.search}`;
    const answer = routes[key] ?? routes[`${method} ${url.pathname}`];
    if (!answer) {
      return new Response(JSON.stringify({ error: { code: 'not_found', field: '', message: `no mock for ${key}` } }), {
        status: 404,
      });
    }
    const { status = 200, json } = typeof answer === 'function' ? answer(req) : answer;
    if (status === 204) return new Response(null, { status: 204 });
    return new Response(JSON.stringify(json ?? {}), { status, headers: { 'Content-Type': 'application/json' } });
  });
  globalThis.fetch = fetchMock as unknown as typeof fetch;
  return { calls, fetchMock, sent: (method: string, path: string) => calls.filter((c) => c.method === method && c.path.startsWith(path)) };
}

export function apiError(status: number, field: string, message: string, code = 'invalid') {
  return { status, json: { error: { code, field, message } } };
}

export const REFERENCE = {
  actions: [],
  attempt_outcomes: [],
  caller_roles: [],
  contact_methods: [],
  emergency_services: [],
  forces: [],
  languages: [
    { code: 'en', label: 'English' },
    { code: 'cy', label: 'Welsh (Cymraeg)' },
  ],
  observations: [],
  outcomes: [],
  principles: [],
  regions: [
    { code: 'north_east', name: 'North East', country: 'England' },
    { code: 'wales', name: 'Wales', country: 'Wales' },
    { code: 'national', name: 'National', country: 'England and Wales' },
  ],
  safety_plan_sections: [],
  signposting_categories: [
    { code: 'bereavement', label: 'Bereavement' },
    { code: 'mental_health', label: 'Mental health' },
  ],
  themes: [],
};

export const LINES = [
  {
    id: 'police',
    name: 'Police support line',
    numbers: ['+443001234567'],
    hours: '7pm to 7am',
    always_open: false,
    regions: ['national'],
    languages: ['en', 'cy'],
    retention_days: 1095,
    follow_up_max_attempts: 3,
    follow_up_max_days: 7,
    audience: 'Police officers and staff',
    routing: {
      strategy: 'longest_idle',
      ring_timeout_s: 20,
      wrap_up_s: 60,
      wrap_up_after_concern_s: 300,
      overflow_after_s: 120,
      overflow_to: '',
      announce_every_s: 45,
    },
  },
  {
    id: 'wales',
    name: 'Wales line',
    numbers: [],
    hours: '',
    always_open: true,
    regions: ['Wales'],
    languages: ['cy', 'en'],
    retention_days: 1095,
    follow_up_max_attempts: 3,
    follow_up_max_days: 7,
    audience: '',
    routing: {
      strategy: 'ring_all',
      ring_timeout_s: 30,
      wrap_up_s: 60,
      wrap_up_after_concern_s: 300,
      overflow_after_s: null,
      overflow_to: 'line:police',
      announce_every_s: null,
    },
  },
];

export const STAFF = [
  {
    id: 'st_1',
    username: 'demo.admin',
    display_name: 'Alex Admin',
    roles: ['admin'],
    lines: [],
    languages: ['en'],
    specialisms: [],
    mfa_enrolled: true,
    disabled: false,
    sip_username: null,
  },
  {
    id: 'st_2',
    username: 'demo.counsellor',
    display_name: 'Sam',
    roles: ['counsellor'],
    lines: ['police'],
    languages: ['en'],
    specialisms: ['bereavement'],
    mfa_enrolled: true,
    disabled: false,
    sip_username: null,
  },
];

export const TRUNKS = {
  telephony: true,
  trunks: [
    { name: 'loopback-test-carrier', allow: ['127.0.0.1'], username: '', digest: false, outbound: '',
      encryption: 'required', tls_verified: true, source: 'config' },
    { name: 'digest-carrier', allow: [], username: 'carrier', digest: true, outbound: '192.0.2.5:5060',
      encryption: 'preferred', tls_verified: false, source: 'console' },
  ],
};

export const PROMPTS = [
  {
    name: 'greeting_en',
    text: 'You have reached the <line name>. This call is confidential and independent of your force.',
    present: true,
    seconds: 2.5,
    fallback: false,
    previous: true,
  },
  { name: 'number_3_cy', text: 'tri', present: true, seconds: 0.6, fallback: false, previous: false },
  { name: 'hold', text: 'hold audio (no words)', present: false, seconds: null, fallback: true, previous: false },
];
