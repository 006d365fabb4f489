import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Reference } from '../../lib/types';
import { PreviousContacts } from './PreviousContacts';

const reference = {
  themes: [{ code: 'work_trauma', label: 'Work trauma' }],
  outcomes: [{ code: 'signposted', label: 'Signposted' }],
  safety_plan_sections: [{ code: 'warning_signs', label: 'Warning signs' }],
} as unknown as Reference;

function json(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('earlier contacts of a repeat caller', () => {
  it('asks the server only when the counsellor chooses to look, then shows what helps continue care', async () => {
    const fetch = vi.fn(() => json(200, { previous: [{
      id: 'ct_0', arrived_at: '2026-11-20T09:00:00Z', themes: ['work_trauma'], outcome: 'signposted',
      cause_for_concern: true, imminent_risk: false, counsellor_display_name: 'Sam', addressed_as: 'Chris',
      safety_plan: { warning_signs: 'Not sleeping' }, follow_up_plan: 'Call on Friday', signposting: ['Peer group'],
    }] }));
    vi.stubGlobal('fetch', fetch);
    render(<PreviousContacts line="police" contact="ct_1" count={1} reference={reference} />);
    expect(fetch).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Show earlier contacts' }));
    expect(await screen.findByText('Wished to be called: Chris')).toBeTruthy();
    expect(String((fetch.mock.calls[0] as unknown as [string])[0])).toBe('/api/v1/lines/police/contacts/ct_1/previous');
    expect(screen.getByText('Themes: Work trauma')).toBeTruthy();
    expect(screen.getByText('Not sleeping')).toBeTruthy();
    expect(screen.getByText('Signposted: Peer group')).toBeTruthy();
  });

  it('shows the server\'s refusal when the counsellor is no longer on the call', async () => {
    vi.stubGlobal('fetch', vi.fn(() => json(403, { error: { code: 'forbidden', field: '', message: 'earlier contacts are shown only to the counsellor on the call with this caller' } })));
    render(<PreviousContacts line="police" contact="ct_1" count={2} reference={reference} />);
    fireEvent.click(screen.getByRole('button', { name: 'Show earlier contacts' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/only to the counsellor on the call/);
  });
});
