import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OpenContacts } from './OpenContacts';

function json(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('open contacts awaiting wrap-up', () => {
  it('offers only the counsellor\'s own contacts, though a supervisor\'s list holds the whole line\'s', async () => {
    vi.stubGlobal('fetch', vi.fn(() => json(200, { contacts: [
      { id: 'ct_mine', counsellor_id: 'st_me', arrived_at: '2026-11-27T09:00:00Z', status: 'open' },
      { id: 'ct_theirs', counsellor_id: 'st_other', arrived_at: '2026-11-27T10:00:00Z', status: 'open' },
    ] })));
    const opened: string[] = [];
    render(<OpenContacts lines={['police']} me="st_me" currentId={null} refreshKey={0}
      onOpen={(_line, id) => opened.push(id)} />);
    const buttons = await screen.findAllByRole('button', { name: /Open the contact/ });
    expect(buttons).toHaveLength(1);
    buttons[0].click();
    expect(opened).toEqual(['ct_mine']);
  });
});
