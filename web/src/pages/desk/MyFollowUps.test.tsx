import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Reference } from '../../lib/types';
import { MyFollowUps } from './MyFollowUps';

const reference = {
  attempt_outcomes: [{ code: 'no_answer', label: 'No answer' }, { code: 'spoke_with_caller', label: 'Spoke with the caller' }],
} as unknown as Reference;

function json(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('my follow-ups', () => {
  it('lists due and overdue follow-ups, calls back and records the attempt', async () => {
    const fetch = vi.fn((url: string, init?: RequestInit) => {
      if (init?.method === 'POST' && url.endsWith('/call')) return json(202, { status: 'ringing_your_phone' });
      if (init?.method === 'POST' && url.endsWith('/attempts')) return json(200, {});
      return json(200, { follow_ups: [
        { id: 'fu_1', contact_id: 'ct_1', status: 'overdue', earliest: '2026-11-27T09:00:00Z', latest: '2026-11-27T17:00:00Z', attempts: [] },
      ] });
    });
    vi.stubGlobal('fetch', fetch);
    render(<MyFollowUps lines={['police']} reference={reference} refreshKey={0} />);
    expect(await screen.findByText('overdue')).toBeTruthy();
    expect(String(fetch.mock.calls[0][0])).toBe('/api/v1/lines/police/follow-ups?status=due,overdue');
    fireEvent.click(screen.getByRole('button', { name: 'Call back' }));
    expect(await screen.findByText(/Your phone is ringing/)).toBeTruthy();
    expect(fetch.mock.calls.some(([u, i]) => u === '/api/v1/lines/police/follow-ups/fu_1/call' && i?.method === 'POST')).toBe(true);
    // Recording needs an outcome first.
    fireEvent.click(screen.getByRole('button', { name: 'Record attempt' }));
    expect(screen.getByText('Choose how the attempt went first.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('How it went'), { target: { value: 'no_answer' } });
    fireEvent.click(screen.getByRole('button', { name: 'Record attempt' }));
    await waitFor(() => {
      const sent = fetch.mock.calls.find(([u]) => String(u).endsWith('/attempts'));
      expect(sent && JSON.parse(String(sent[1]!.body))).toEqual({ outcome: 'no_answer' });
    });
  });

  it('shows the server\'s reason when the phone is not connected', async () => {
    vi.stubGlobal('fetch', vi.fn((_url: string, init?: RequestInit) =>
      init?.method === 'POST'
        ? json(503, { error: { code: 'unavailable', field: '', message: 'your phone is not registered' } })
        : json(200, { follow_ups: [{ id: 'fu_2', status: 'due', earliest: '2026-11-28T09:00:00Z', latest: '2026-11-28T17:00:00Z', attempts: [] }] })));
    render(<MyFollowUps lines={['police']} reference={reference} refreshKey={0} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Call back' }));
    expect(await screen.findByText('your phone is not registered')).toBeTruthy();
  });
});
