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

const targets = (escalated: boolean) => ({
  call: 'ct_1', line: 'police',
  counsellors: [{ to: 'counsellor:st_jo', staff_id: 'st_jo', name: 'Jo' }],
  lines: [{ to: 'line:police', line: 'police', name: 'Police line' }],
  external: [
    { to: 'external:ambulance', id: 'ambulance', name: 'Ambulance', kind: 'emergency', allowed: escalated },
    { to: 'external:partner', id: 'partner', name: 'Partner service', kind: 'partner', allowed: true },
  ],
});

function calls(fetch: ReturnType<typeof vi.fn>) {
  return fetch.mock.calls.map((c) => {
    const [url, init] = c as unknown as [string, RequestInit | undefined];
    return `${init?.method ?? 'GET'} ${String(url).replace(/^.*\/api\/v1\/session\/calls\//, '')}${init?.body ? ` ${String(init.body)}` : ''}`;
  });
}

describe('adding a third party to the call (conference) on the desk', () => {
  it('offers colleagues and the line\'s services from the keyboard; an emergency service only after an escalation', async () => {
    let escalated = false;
    const fetch = vi.fn((url: string) => String(url).endsWith('/transfer-targets') ? json(200, targets(escalated))
      : json(202, { call: 'ct_1', conference: { to: 'external:ambulance', kind: 'emergency', state: 'ringing' } }));
    vi.stubGlobal('fetch', fetch);
    render(<CallControls call="ct_1" heldSince={undefined} now={0} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add to the call…' }));
    let select = await screen.findByLabelText('Add to the call') as HTMLSelectElement;
    await waitFor(() => expect(document.activeElement).toBe(select));  // focus moves to the choice
    expect([...select.options].map((o) => [o.textContent, o.disabled])).toEqual([
      ['Jo', false], ['Ambulance (only after an escalation is recorded)', true], ['Partner service', false]]);
    expect(select.value).toBe('counsellor:st_jo');
    fireEvent.keyDown(select, { key: 'Escape' });  // Escape closes the choice
    await waitFor(() => expect(screen.queryByLabelText('Add to the call')).toBeNull());

    escalated = true;  // recorded on the contact meanwhile: the server now allows the service
    fireEvent.click(screen.getByRole('button', { name: 'Add to the call…' }));
    select = await screen.findByLabelText('Add to the call') as HTMLSelectElement;
    expect([...select.options].find((o) => o.value === 'external:ambulance')?.disabled).toBe(false);
    fireEvent.change(select, { target: { value: 'external:ambulance' } });
    fireEvent.submit(select.form!);  // Enter in the form
    await waitFor(() => expect(calls(fetch)).toContain('POST ct_1/conference {"to":"external:ambulance"}'));
    await waitFor(() => expect(screen.queryByLabelText('Add to the call')).toBeNull());
    expect(calls(fetch).filter((c) => c.startsWith('POST'))).toHaveLength(1);
  });

  it('shows the three-party call, drops the party by name, leaves once they answer, and keeps hold and transfer away', async () => {
    const fetch = vi.fn((url: string) => String(url).endsWith('/transfer-targets') ? json(200, targets(false))
      : json(200, { call: 'ct_1', state: 'left', continued_in: 'ct_2' }));
    vi.stubGlobal('fetch', fetch);
    const { rerender } = render(<CallControls call="ct_1" heldSince={undefined} now={0} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add to the call…' }));
    await screen.findByLabelText('Add to the call');  // the names are learnt from the list
    rerender(<CallControls call="ct_1" heldSince={undefined} now={1000}
      conference={{ to: 'counsellor:st_jo', kind: 'colleague', state: 'ringing' }} />);
    expect(screen.getByTestId('conference-state').textContent).toMatch(/Adding Jo to the call: ringing/);
    const drop = screen.getByRole('button', { name: 'Drop Jo' });
    await waitFor(() => expect(document.activeElement).toBe(drop));  // the keyboard is on the next step
    const leave = screen.getByRole('button', { name: 'Leave the call to them' }) as HTMLButtonElement;
    expect(leave.disabled).toBe(true);  // not before they answer
    expect((screen.getByRole('button', { name: 'Put the caller on hold' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByRole('button', { name: 'Transfer…' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Consult…' })).toBeNull();
    rerender(<CallControls call="ct_1" heldSince={undefined} now={2000}
      conference={{ to: 'counsellor:st_jo', kind: 'colleague', state: 'connected' }} />);
    expect(screen.getByTestId('conference-state').textContent).toMatch(/Three-party call with Jo: you, the caller and they all hear/);
    expect(leave.disabled).toBe(false);
    fireEvent.click(leave);
    await waitFor(() => expect(calls(fetch)).toContain('POST ct_1/conference/leave'));
    fireEvent.click(screen.getByRole('button', { name: 'Drop Jo' }));
    await waitFor(() => expect(calls(fetch)).toContain('DELETE ct_1/conference'));
  });

  it('names an external service after a reload, says why it ended, refuses while held, and shows the server\'s refusal', async () => {
    const fetch = vi.fn(() => json(409, { error: { code: 'conflict', field: 'call',
      message: 'you are consulting a colleague on this call (a warm transfer): complete or cancel the consult before adding anyone to the call' } }));
    vi.stubGlobal('fetch', fetch);
    const { rerender } = render(<CallControls call="ct_1" heldSince={undefined} now={0}
      conference={{ to: 'external:ambulance', kind: 'emergency', state: 'connected' }} />);
    expect(screen.getByRole('button', { name: 'Drop the emergency service' })).toBeTruthy();
    rerender(<CallControls call="ct_1" heldSince={undefined} now={1000}
      conference={{ to: 'external:ambulance', kind: 'emergency', state: 'ended', reason: 'hung_up' }} />);
    expect(screen.getByTestId('conference-state').textContent).toBe('The emergency service hung up: it is you and the caller again.');
    expect((screen.getByRole('button', { name: 'Put the caller on hold' }) as HTMLButtonElement).disabled).toBe(false);
    rerender(<CallControls call="ct_1" heldSince={0} now={2000} />);
    expect((screen.getByRole('button', { name: 'Add to the call…' }) as HTMLButtonElement).disabled).toBe(true);
    rerender(<CallControls call="ct_1" heldSince={undefined} now={3000} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add to the call…' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/consulting a colleague/);
    expect(screen.queryByRole('button', { name: 'Add to the call…' })).toBeTruthy();
  });

  it('puts the keyboard on Drop even when the server\'s event comes before the answer to the request', async () => {
    let answer: (r: Response) => void = () => undefined;
    const fetch = vi.fn((url: string) => String(url).endsWith('/transfer-targets') ? json(200, targets(false))
      : new Promise<Response>((resolve) => { answer = resolve; }));
    vi.stubGlobal('fetch', fetch);
    const { rerender } = render(<CallControls call="ct_1" heldSince={undefined} now={0} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add to the call…' }));
    const select = await screen.findByLabelText('Add to the call') as HTMLSelectElement;
    fireEvent.submit(select.form!);
    await waitFor(() => expect(calls(fetch)).toContain('POST ct_1/conference {"to":"counsellor:st_jo"}'));
    rerender(<CallControls call="ct_1" heldSince={undefined} now={1000}
      conference={{ to: 'counsellor:st_jo', kind: 'colleague', state: 'ringing' }} />);
    const drop = screen.getByRole('button', { name: 'Drop Jo' }) as HTMLButtonElement;
    expect(drop.disabled).toBe(true);  // the request is still under way
    answer(new Response(JSON.stringify({ call: 'ct_1', conference: { to: 'counsellor:st_jo', kind: 'colleague', state: 'ringing' } }),
      { status: 202, headers: { 'Content-Type': 'application/json' } }));
    await waitFor(() => expect(document.activeElement).toBe(drop));
  });

  it('offers no conference while a consult is under way', () => {
    vi.stubGlobal('fetch', vi.fn());
    render(<CallControls call="ct_1" heldSince={0} now={0} consult={{ to: 'st_jo', state: 'connected' }} />);
    expect(screen.queryByRole('button', { name: 'Add to the call…' })).toBeNull();
  });
});
