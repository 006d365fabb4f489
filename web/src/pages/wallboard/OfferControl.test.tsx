import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WaitingRow } from './model';
import { WaitingTable } from './parts';

const row: WaitingRow = {
  call: 'ct_2', line: 'police', position: 2, language: 'en', waitMs: 30_000, ringing: 0, overflowed: false,
};

let fetchMock: ReturnType<typeof vi.fn>;
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

beforeEach(() => {
  fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
    if (url.endsWith('/offer-targets')) {
      return json(200, { call: 'ct_2', line: 'police', counsellors: [
        { counsellor: 'st_a', name: 'Alex', state: 'available' },
        { counsellor: 'st_c', name: 'Ceri', state: 'ringing' },
      ] });
    }
    if (url.endsWith('/offer') && init?.method === 'POST') {
      const body = JSON.parse(String(init.body));
      if (body.counsellor === 'st_a') {
        return json(409, { error: { code: 'conflict', field: 'counsellor', message: 'counsellor st_a is not available (on_call)' } });
      }
      return json(202, { call: 'ct_2', line: 'police', counsellor: body.counsellor, state: 'ringing' });
    }
    return json(404, { error: { code: 'not_found', field: '', message: 'no' } });
  });
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('offering a waiting caller to a chosen counsellor', () => {
  it('lists the line’s available counsellors by name, offers by keyboard, and says why a refusal', async () => {
    render(<WaitingTable rows={[row]} lineNames={{}} showLine={false} canOffer />);
    const opener = screen.getByRole('button', { name: /Offer to…/ });
    opener.focus();
    fireEvent.click(opener);
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/lines/police/calls/ct_2/offer-targets', expect.anything());
    const select = (await screen.findByLabelText('Counsellor')) as HTMLSelectElement;
    await waitFor(() => expect(document.activeElement).toBe(select));
    expect([...select.options].map((o) => o.textContent)).toEqual(['Alex', 'Ceri (ringing for another caller)']);
    // Refused: the server's words, the form stays for another choice.
    fireEvent.click(screen.getByRole('button', { name: 'Offer' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('not available'));
    fireEvent.change(select, { target: { value: 'st_c' } });
    fireEvent.submit(select.form!);
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Offered to Ceri: their phone rings.'));
    const posted = fetchMock.mock.calls.filter(([u, i]) => String(u).endsWith('/offer') && i?.method === 'POST');
    expect(JSON.parse(String(posted[posted.length - 1][1].body))).toEqual({ counsellor: 'st_c' });
    await waitFor(() => expect(document.activeElement?.textContent).toContain('Offer to…'));
  });

  it('closes with Escape, shows a caller already offered, and has no control for others', async () => {
    render(<WaitingTable rows={[row]} lineNames={{}} showLine={false} canOffer />);
    fireEvent.click(screen.getByRole('button', { name: /Offer to…/ }));
    const select = await screen.findByLabelText('Counsellor');
    fireEvent.keyDown(select, { key: 'Escape' });
    expect(screen.queryByLabelText('Counsellor')).toBeNull();
    cleanup();
    render(<WaitingTable rows={[{ ...row, offeredTo: 'st_c', offeredToName: 'Ceri' }]} lineNames={{}} showLine={false} canOffer />);
    expect(screen.getByText('Offered to Ceri')).toBeTruthy();
    cleanup();
    render(<WaitingTable rows={[row]} lineNames={{}} showLine={false} />);
    expect(screen.queryByRole('button', { name: /Offer to…/ })).toBeNull();
  });
});
