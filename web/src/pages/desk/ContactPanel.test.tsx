import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Contact, Reference } from '../../lib/types';
import { ContactPanel } from './ContactPanel';
import { IncomingCall } from './IncomingCall';

const coded = (...codes: string[]) => codes.map((code) => ({ code, label: code.replace(/_/g, ' ') }));
const reference: Reference = {
  actions: coded('listened_and_supported'),
  attempt_outcomes: coded('no_answer'),
  caller_roles: coded('police_officer', 'member_of_public', 'not_said'),
  contact_methods: coded('phone'),
  emergency_services: coded('ambulance'),
  forces: [{ code: 'cleveland_police', name: 'Cleveland Police', region: 'North East', country: 'England' }],
  languages: [{ code: 'en', label: 'English' }, { code: 'cy', label: 'Welsh (Cymraeg)' }],
  observations: coded('present', 'absent', 'not_asked'),
  outcomes: coded('support_given'),
  principles: [{ code: 'desire', label: 'Suicidal desire', subcomponents: coded('hopelessness') }],
  regions: [],
  safety_plan_sections: coded('warning_signs'),
  signposting_categories: coded('counselling'),
  themes: coded('work_trauma'),
};
const contact: Contact = {
  id: 'ct_1', status: 'open', version: 2, arrived_at: '2026-11-28T10:00:00Z', answered_at: '2026-11-28T10:00:20Z',
  language: 'cy', repeat_calls_30d: 0,
};

function json(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('the contact on the desk', () => {
  it('names each missing wrap-up field beside it and sends nothing', async () => {
    const fetch = vi.fn((url: string) => json(200, url.includes('follow-ups') ? { follow_ups: [] } : { services: [] }));
    vi.stubGlobal('fetch', fetch);
    render(<ContactPanel line="police" initial={contact} reference={reference} callState="on_call" onClosed={() => undefined} />);
    expect(screen.getByText('Welsh (Cymraeg)')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Finish wrap-up and close this contact' }));
    const role = screen.getByLabelText('Who is calling');
    await waitFor(() => expect(role.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(role.getAttribute('aria-describedby')!)?.textContent).toMatch(/Choose who the caller is/);
    expect(screen.getByText('Choose the outcome of the call.')).toBeTruthy();
    expect(fetch.mock.calls.filter(([u]) => String(u).endsWith('/close'))).toHaveLength(0);
  });

  it('puts the keyboard on the note saying the escalation is recorded, not on the page', async () => {
    const fetch = vi.fn((url: string, _init?: RequestInit) =>
      json(200, url.includes('supervisors')
        ? { supervisors: [{ id: 'st_s', display_name: 'Jo' }] }
        : url.includes('follow-ups') ? { follow_ups: [] } : url.includes('directory') ? { services: [] }
          : url.includes('escalations') ? { id: 'es_1' } : { ...contact, version: 3 }));
    vi.stubGlobal('fetch', fetch);
    render(<ContactPanel line="police" initial={contact} reference={reference} callState="on_call" onClosed={() => undefined} />);
    fireEvent.click(screen.getByRole('button', { name: 'Imminent risk to life: escalate' }));
    fireEvent.change(screen.getByLabelText('Emergency service contacted'), { target: { value: 'ambulance' } });
    const record = screen.getByRole('button', { name: 'Record escalation and alert supervisor' });
    record.focus();
    fireEvent.click(record);
    await screen.findByRole('button', { name: 'Escalation recorded' });
    const note = screen.getByText(/Escalation recorded: your supervisor has been alerted/);
    await waitFor(() => expect(document.activeElement).toBe(note));
    // The flag is saved on the contact (and nothing is left to save after this test).
    await waitFor(() => expect(fetch.mock.calls.some(([u, init]) =>
      init?.method === 'PATCH' && String(u).endsWith('/contacts/ct_1'))).toBe(true));
  });

  it('asks for the reasons and a follow-up once there is cause for concern', async () => {
    const fetch = vi.fn((url: string, _init?: RequestInit) =>
      json(200, url.includes('follow-ups') ? { follow_ups: [] } : url.includes('directory') ? { services: [] } : { ...contact, version: 3 }));
    vi.stubGlobal('fetch', fetch);
    render(<ContactPanel line="police" initial={contact} reference={reference} callState="on_call" onClosed={() => undefined} />);
    expect(screen.queryByLabelText('Reasons for concern')).toBeNull();
    fireEvent.click(screen.getByLabelText(/There is cause for concern/));
    expect(screen.getByLabelText('Reasons for concern')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Schedule follow-up' })).toBeTruthy();
    // The change is saved on its own, with the flag.
    await waitFor(() => expect(fetch.mock.calls.some(([, init]) => init?.method === 'PATCH')).toBe(true), { timeout: 2000 });
    const patch = fetch.mock.calls.find(([, init]) => init?.method === 'PATCH')!;
    expect(JSON.parse(String(patch[1]!.body)).assessment.cause_for_concern).toBe(true);
  });
});

describe('the wrap-up timer', () => {
  it('counts down the wrap-up once the call has ended', () => {
    vi.stubGlobal('fetch', vi.fn(() => json(200, { follow_ups: [], services: [] })));
    const ends = new Date(Date.now() + 125_000).toISOString();
    render(<ContactPanel line="police" initial={{ ...contact, ended_at: '2026-11-28T10:05:20Z' }} reference={reference}
      callState="wrap_up" wrapUpEnds={ends} onClosed={() => undefined} />);
    expect(screen.getByTestId('wrap-up-timer').textContent).toMatch(/Wrap-up 2:0[45]/);
    expect(screen.getByTestId('call-timer').textContent).toBe('5:00');
    expect(screen.getByText('(call ended)')).toBeTruthy();
  });
});

describe('the end of the call', () => {
  it('stops the talk time and says so as soon as the live feed reports it, before the record shows it', () => {
    vi.stubGlobal('fetch', vi.fn(() => json(200, { follow_ups: [], services: [] })));
    // Answered at 10:00:20, ended 20 s later; the record has not caught up (no ended_at).
    render(<ContactPanel line="police" initial={contact} reference={reference} callState="wrap_up"
      callEnd={{ at: '2026-11-28T10:00:40Z', talk_ms: 20000, reason: 'failed', shown: Date.now() }}
      onClosed={() => undefined} />);
    expect(screen.getByTestId('call-timer').textContent).toBe('0:20');
    expect(screen.getByTestId('call-ended').textContent).toMatch(/call ended/);
  });
});

describe('closing mid-call', () => {
  const ready = { ...contact, caller_role: 'police_officer', outcome: 'support_given' };
  it('asks first, and closes only when the counsellor confirms', async () => {
    const fetch = vi.fn((url: string, _init?: RequestInit) =>
      json(200, url.endsWith('/close') ? { ...ready, status: 'closed', version: 3 } : { follow_ups: [], services: [] }));
    vi.stubGlobal('fetch', fetch);
    const onClosed = vi.fn();
    render(<ContactPanel line="police" initial={ready} reference={reference} callState="on_call" onClosed={onClosed} />);
    fireEvent.click(screen.getByRole('button', { name: 'Finish wrap-up and close this contact' }));
    expect(screen.getByRole('alertdialog').textContent).toMatch(/The call is still connected/);
    fireEvent.click(screen.getByRole('button', { name: 'Keep it open' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(fetch.mock.calls.filter(([u]) => String(u).endsWith('/close'))).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Finish wrap-up and close this contact' }));
    fireEvent.click(screen.getByRole('button', { name: 'Close the contact while the call goes on' }));
    await waitFor(() => expect(onClosed).toHaveBeenCalled());
    expect(fetch.mock.calls.filter(([u]) => String(u).endsWith('/close'))).toHaveLength(1);
  });

  it('does not ask once the call has ended', async () => {
    const fetch = vi.fn((url: string, _init?: RequestInit) =>
      json(200, url.endsWith('/close') ? { ...ready, status: 'closed', version: 3 } : { follow_ups: [], services: [] }));
    vi.stubGlobal('fetch', fetch);
    const onClosed = vi.fn();
    render(<ContactPanel line="police" initial={{ ...ready, ended_at: '2026-11-28T10:01:00Z' }} reference={reference}
      callState="wrap_up" onClosed={onClosed} />);
    fireEvent.click(screen.getByRole('button', { name: 'Finish wrap-up and close this contact' }));
    await waitFor(() => expect(onClosed).toHaveBeenCalled());
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });
});

describe('the incoming call', () => {
  it('shows the line, the language, the wait and the repeat count', () => {
    render(<IncomingCall now={1000 + 5000} lineName="Police line"
      call={{ call: 'ct_2', line: 'police', language: 'cy', wait_ms: 61000, repeat_count: 2, since: 1000, at: '' }} />);
    expect(screen.getByText('Police line')).toBeTruthy();
    expect(screen.getByTestId('incoming-language').textContent).toBe('Welsh (Cymraeg)');
    expect(screen.getByText('1:06')).toBeTruthy();
    expect(screen.getByTestId('incoming-repeat').textContent).toBe('2');
  });
});
