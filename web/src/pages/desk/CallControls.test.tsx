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
