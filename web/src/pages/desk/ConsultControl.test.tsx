import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallControls } from './CallControls';

function json(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const targets = {
  call: 'ct_1', line: 'police',
  counsellors: [{ to: 'counsellor:st_jo', staff_id: 'st_jo', name: 'Jo' }, { to: 'counsellor:st_al', staff_id: 'st_al', name: 'Al' }],
  lines: [{ to: 'line:police', line: 'police', name: 'Police line' }],
};

function calls(fetch: ReturnType<typeof vi.fn>) {
  return fetch.mock.calls.map((c) => {
    const [url, init] = c as unknown as [string, RequestInit | undefined];
    return `${init?.method ?? 'GET'} ${String(url).replace(/^.*\/api\/v1\/session\/calls\//, '')}${init?.body ? ` ${String(init.body)}` : ''}`;
  });
}

describe('consult (warm transfer) on the desk', () => {
  it('offers the available colleagues from the keyboard and consults the one chosen', async () => {
    const fetch = vi.fn((url: string) => String(url).endsWith('/transfer-targets')
      ? json(200, targets) : json(202, { call: 'ct_1', to: 'counsellor:st_al', state: 'ringing', held: true }));
    vi.stubGlobal('fetch', fetch);
    render(<CallControls call="ct_1" heldSince={undefined} now={0} />);
    fireEvent.click(screen.getByRole('button', { name: 'Consult…' }));
    const select = await screen.findByLabelText('Consult') as HTMLSelectElement;
    await waitFor(() => expect(document.activeElement).toBe(select));  // focus moves to the choice
    expect([...select.options].map((o) => o.textContent)).toEqual(['Jo', 'Al']);  // colleagues only, no queues
    fireEvent.change(select, { target: { value: 'counsellor:st_al' } });
    fireEvent.submit(select.form!);  // Enter in the form
    await waitFor(() => expect(fetch).toHaveBeenCalledTimes(2));
    expect(calls(fetch)[1]).toBe('POST ct_1/consult {"to":"counsellor:st_al"}');
    await waitFor(() => expect(screen.queryByLabelText('Consult')).toBeNull());
  });

  it('shows "Consulting <name>", completes once they answer, and keeps hold and transfer out of the way', async () => {
    const fetch = vi.fn((url: string) => String(url).endsWith('/transfer-targets') ? json(200, targets)
      : json(200, { call: 'ct_1', state: 'completed', continued_in: 'ct_2' }));
    vi.stubGlobal('fetch', fetch);
    const { rerender } = render(<CallControls call="ct_1" heldSince={undefined} now={0} />);
    fireEvent.click(screen.getByRole('button', { name: 'Consult…' }));
    await screen.findByLabelText('Consult');  // the names are learnt from the list
    rerender(<CallControls call="ct_1" heldSince={0} now={1000} consult={{ to: 'st_jo', state: 'ringing' }} />);
    expect(screen.getByTestId('consult-state').textContent).toMatch(/Consulting Jo: their phone is ringing.*on hold/);
    const complete = screen.getByRole('button', { name: 'Complete transfer' }) as HTMLButtonElement;
    expect(complete.disabled).toBe(true);  // not before they answer
    expect((screen.getByRole('button', { name: 'Resume the call' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByRole('button', { name: 'Transfer…' })).toBeNull();
    rerender(<CallControls call="ct_1" heldSince={0} now={2000} consult={{ to: 'st_jo', state: 'connected' }} />);
    expect(screen.getByTestId('consult-state').textContent).toMatch(/Consulting Jo\. The caller is on hold and cannot hear either of you/);
    await waitFor(() => expect(document.activeElement).toBe(complete));  // the keyboard is on the next step
    expect(complete.disabled).toBe(false);
    fireEvent.click(complete);
    await waitFor(() => expect(calls(fetch)).toContain('POST ct_1/consult/complete'));
  });

  it('returns to the caller, says why a consult ended, and says why a request is refused', async () => {
    const fetch = vi.fn(() => json(409, { error: { code: 'conflict', field: 'call', message: 'you are not consulting anyone on this call' } }));
    vi.stubGlobal('fetch', fetch);
    const { rerender } = render(<CallControls call="ct_1" heldSince={0} now={1000} consult={{ to: 'st_jo', state: 'connected' }} />);
    fireEvent.click(screen.getByRole('button', { name: 'Return to caller' }));
    await waitFor(() => expect(calls(fetch)).toContain('DELETE ct_1/consult'));
    expect((await screen.findByRole('alert')).textContent).toMatch(/not consulting anyone/);
    rerender(<CallControls call="ct_1" heldSince={undefined} now={2000} consult={{ to: 'st_jo', state: 'ended', reason: 'colleague_hung_up' }} />);
    expect(screen.getByTestId('consult-state').textContent).toMatch(/hung up: you are back with the caller/);
    expect((screen.getByRole('button', { name: 'Put the caller on hold' }) as HTMLButtonElement).disabled).toBe(false);
    expect(screen.getByRole('button', { name: 'Consult…' })).toBeTruthy();  // another consult may follow
  });
});
