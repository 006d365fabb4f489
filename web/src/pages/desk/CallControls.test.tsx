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

describe('hold and resume on the desk', () => {
  it('puts the caller on hold, shows the time on hold, and resumes', async () => {
    const fetch = vi.fn(() => json(200, { call: 'ct_1', held: true, held_ms: 0 }));
    vi.stubGlobal('fetch', fetch);
    const { rerender } = render(<CallControls call="ct_1" heldSince={undefined} now={0} />);
    expect(screen.getByTestId('hold-state').textContent).toMatch(/Connected/);
    fireEvent.click(screen.getByRole('button', { name: 'Put the caller on hold' }));
    await waitFor(() => expect(fetch).toHaveBeenCalled());
    expect(String((fetch.mock.calls[0] as unknown[])[0])).toContain('/api/v1/session/calls/ct_1/hold');
    rerender(<CallControls call="ct_1" heldSince={1000} now={66_000} />);
    expect(screen.getByTestId('hold-state').textContent).toMatch(/on hold.*1:05/);
    fireEvent.click(screen.getByRole('button', { name: 'Resume the call' }));
    await waitFor(() => expect(fetch).toHaveBeenCalledTimes(2));
    expect(String((fetch.mock.calls[1] as unknown[])[0])).toContain('/api/v1/session/calls/ct_1/resume');
  });

  it('says why when the server refuses', async () => {
    vi.stubGlobal('fetch', vi.fn(() => json(409, { error: { code: 'conflict', field: 'call', message: 'this call is not connected to you' } })));
    render(<CallControls call="ct_1" heldSince={undefined} now={0} />);
    fireEvent.click(screen.getByRole('button', { name: 'Put the caller on hold' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/not connected to you/);
  });
  it('always tells the counsellor when a supervisor listens, coaches or joins', () => {
    const { rerender } = render(<CallControls call="ct_1" heldSince={undefined} now={0}
      monitor={{ supervisor: 'st_s', mode: 'listen', state: 'ringing' }} />);
    expect(screen.getByTestId('monitor-state').textContent).toMatch(/ringing to listen/);
    rerender(<CallControls call="ct_1" heldSince={undefined} now={0} monitor={{ supervisor: 'st_s', mode: 'listen', state: 'connected' }} />);
    expect(screen.getByTestId('monitor-state').textContent).toMatch(/listening.*nobody hears them/);
    rerender(<CallControls call="ct_1" heldSince={undefined} now={0} monitor={{ supervisor: 'st_s', mode: 'coach', state: 'connected' }} />);
    expect(screen.getByTestId('monitor-state').textContent).toMatch(/coaching you.*caller does not/);
    rerender(<CallControls call="ct_1" heldSince={undefined} now={0} monitor={{ supervisor: 'st_s', mode: 'join', state: 'connected' }} />);
    expect(screen.getByTestId('monitor-state').textContent).toMatch(/joined/);
    rerender(<CallControls call="ct_1" heldSince={undefined} now={0} />);
    expect(screen.queryByTestId('monitor-state')).toBeNull();
  });
});

describe('blind transfer on the desk', () => {
  const targets = {
    call: 'ct_1', line: 'police',
    counsellors: [{ to: 'counsellor:st_jo', staff_id: 'st_jo', name: 'Jo' }],
    lines: [{ to: 'line:police', line: 'police', name: 'Police line' }, { to: 'line:ambulance', line: 'ambulance', name: 'Ambulance line' }],
  };

  it('offers the available colleagues and the lines, from the keyboard, and transfers to the one chosen', async () => {
    const fetch = vi.fn((url: string) => String(url).endsWith('/transfer-targets')
      ? json(200, targets) : json(200, { call: 'ct_1', to: 'line:ambulance', state: 'queued', continued_in: 'ct_2' }));
    vi.stubGlobal('fetch', fetch);
    render(<CallControls call="ct_1" heldSince={undefined} now={0} />);
    fireEvent.click(screen.getByRole('button', { name: 'Transfer…' }));
    const select = await screen.findByLabelText('Transfer to') as HTMLSelectElement;
    await waitFor(() => expect(document.activeElement).toBe(select));  // focus moves to the choice
    expect([...select.options].map((o) => o.textContent)).toEqual(['Jo', 'Police line', 'Ambulance line']);
    expect(select.value).toBe('counsellor:st_jo');
    fireEvent.change(select, { target: { value: 'line:ambulance' } });
    fireEvent.submit(select.form!);  // Enter in the form
    await waitFor(() => expect(fetch).toHaveBeenCalledTimes(2));
    const [url, init] = fetch.mock.calls[1] as unknown as [string, RequestInit];
    expect(url).toContain('/api/v1/session/calls/ct_1/transfer');
    expect(init.method).toBe('POST');
    expect(JSON.parse(String(init.body))).toEqual({ to: 'line:ambulance' });
    await waitFor(() => expect(screen.queryByLabelText('Transfer to')).toBeNull());
  });

  it('closes with Escape, and says why a transfer is refused', async () => {
    const fetch = vi.fn((url: string) => String(url).endsWith('/transfer-targets') ? json(200, targets)
      : json(409, { error: { code: 'conflict', field: 'to', message: 'counsellor st_jo is not available' } }));
    vi.stubGlobal('fetch', fetch);
    render(<CallControls call="ct_1" heldSince={undefined} now={0} />);
    fireEvent.click(screen.getByRole('button', { name: 'Transfer…' }));
    const select = await screen.findByLabelText('Transfer to');
    fireEvent.keyDown(select, { key: 'Escape' });
    expect(screen.queryByLabelText('Transfer to')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Transfer…' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Transfer' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/not available/);
  });

  it('shows a colleague being rung, holds the hold button, and says when the call comes back', async () => {
    vi.stubGlobal('fetch', vi.fn(() => json(200, targets)));
    const { rerender } = render(<CallControls call="ct_1" heldSince={undefined} now={0} />);
    fireEvent.click(screen.getByRole('button', { name: 'Transfer…' }));
    await screen.findByLabelText('Transfer to');  // the names are learnt from the list
    rerender(<CallControls call="ct_1" heldSince={0} now={1000} transfer={{ to: 'st_jo', state: 'ringing' }} />);
    expect(screen.getByTestId('transfer-state').textContent).toMatch(/Transferring to Jo.*comes back to you/);
    expect((screen.getByRole('button', { name: 'Resume the call' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByRole('button', { name: 'Transfer…' })).toBeNull();
    rerender(<CallControls call="ct_1" heldSince={undefined} now={6000} transfer={{ to: 'st_jo', state: 'failed', reason: 'no_answer' }} />);
    expect(screen.getByTestId('transfer-state').textContent).toMatch(/Jo did not answer: the call is yours again/);
    expect((screen.getByRole('button', { name: 'Put the caller on hold' }) as HTMLButtonElement).disabled).toBe(false);
  });
});
