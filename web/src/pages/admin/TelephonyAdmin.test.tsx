import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { SessionContext, type SessionContextValue } from '../../lib/session';
import { TelephonyAdmin } from './TelephonyAdmin';
import { apiError, mockFetch, PROMPTS, TRUNKS } from './testing';

const base = {
  'GET /api/v1/telephony/trunks': { json: TRUNKS },
  'GET /api/v1/prompts': { json: { prompts: PROMPTS, restart_needed: false } },
};

function wavFile(name = 'greeting.wav') {
  return new File([new Uint8Array([0x52, 0x49, 0x46, 0x46])], name, { type: 'audio/wav' });
}

function choose(label: string, file: File) {
  const input = screen.getByLabelText(label) as HTMLInputElement;
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  fireEvent.change(input);
  return input;
}

describe('TelephonyAdmin', () => {
  afterEach(() => cleanup());

  it('shows the trunks above the prompts', async () => {
    mockFetch(base);
    render(<TelephonyAdmin />);
    await screen.findByRole('table', { name: 'Telephony trunks' });
    await screen.findByRole('table', { name: 'Prompts' });
  });

  it('says when SIP is off', async () => {
    mockFetch({ ...base, 'GET /api/v1/telephony/trunks': { json: { telephony: false, trunks: [] } } });
    render(<TelephonyAdmin />);
    await screen.findByText(/switched off on this server/);
  });

  it('lists prompts with what they say, their file, and a player for the ones with a file', async () => {
    mockFetch(base);
    render(<TelephonyAdmin />);
    const table = await screen.findByRole('table', { name: 'Prompts' });
    const greeting = within(table).getByRole('row', { name: /greeting_en/ });
    expect(greeting.textContent).toContain('You have reached');
    expect(greeting.textContent).toContain('2.5');
    const player = within(greeting).getByLabelText('Listen to greeting_en');
    expect(player.tagName).toBe('AUDIO');
    expect(player.hasAttribute('controls')).toBe(true);
    expect(player.getAttribute('src')).toMatch(/^\/api\/v1\/prompts\/greeting_en\?v=\d+$/);
    const hold = within(table).getByRole('row', { name: /hold/ });
    expect(hold.textContent).toContain('Playing generated audio');
    expect(within(hold).queryByLabelText('Listen to hold')).toBeNull();
    expect(within(greeting).getByRole('button', { name: 'Restore previous recording of greeting_en' })).toBeTruthy();
    expect(within(hold).queryByRole('button', { name: /Restore previous/ })).toBeNull();
    expect(screen.queryByText(/Restart needed/)).toBeNull();
  });

  it('uploads the file as the raw audio/wav body with the CSRF token, and says callers hear it next call', async () => {
    let uploaded = false;
    const { fetchMock, sent } = mockFetch({
      ...base,
      'PUT /api/v1/prompts/hold': () => {
        uploaded = true;
        return { json: { name: 'hold', seconds: 1, restart_needed: false } };
      },
      'GET /api/v1/prompts': () => ({ json: { prompts: PROMPTS, restart_needed: false } }),
    });
    const session = { session: { csrf_token: 'csrf-123' } } as unknown as SessionContextValue;
    render(
      <SessionContext.Provider value={session}>
        <TelephonyAdmin />
      </SessionContext.Provider>,
    );
    await screen.findByRole('table', { name: 'Prompts' });
    const file = wavFile('calm-hold.wav');
    choose('Replace hold with a recording', file);
    fireEvent.click(screen.getByRole('button', { name: 'Upload a recording for hold' }));
    await waitFor(() => expect(sent('PUT', '/api/v1/prompts/hold')).toHaveLength(1));
    const init = fetchMock.mock.calls.find(([url]) => String(url) === '/api/v1/prompts/hold')![1]!;
    expect(init.body).toBe(file);
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('audio/wav');
    expect((init.headers as Record<string, string>)['X-CSRF-Token']).toBe('csrf-123');
    await waitFor(() => expect(screen.getAllByRole('status').map((s) => s.textContent).join(' ')).toContain(
      'Replaced hold with calm-hold.wav; callers hear it from their next call.'));
    expect(uploaded).toBe(true);
    expect(screen.queryByText(/Restart needed/)).toBeNull();
  });

  it("shows the server's reason beside the file input", async () => {
    mockFetch({
      ...base,
      'PUT /api/v1/prompts/greeting_en': apiError(400, 'body',
        'must be 8 kHz mono 16-bit PCM WAV; this file is 44100 Hz, 2 channels, 16-bit PCM'),
    });
    render(<TelephonyAdmin />);
    await screen.findByRole('table', { name: 'Prompts' });
    const input = choose('Replace greeting_en with a recording', wavFile());
    fireEvent.click(screen.getByRole('button', { name: 'Upload a recording for greeting_en' }));
    await waitFor(() => expect(input.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(`${input.id}-error`)!.textContent).toContain('this file is 44100 Hz, 2 channels');
  });

  it('asks for a file before uploading nothing', async () => {
    const { sent } = mockFetch(base);
    render(<TelephonyAdmin />);
    await screen.findByRole('table', { name: 'Prompts' });
    fireEvent.click(screen.getByRole('button', { name: 'Upload a recording for hold' }));
    await screen.findByText('Choose a WAV file first.');
    expect(sent('PUT', '/api/v1/prompts')).toHaveLength(0);
  });

  it('restores the previous recording with DELETE', async () => {
    const { sent } = mockFetch({
      ...base,
      'DELETE /api/v1/prompts/greeting_en': { json: { name: 'greeting_en', restart_needed: true } },
      'GET /api/v1/prompts': () => ({ json: { prompts: PROMPTS, restart_needed: sent('DELETE', '/api/v1/prompts').length > 0 } }),
    });
    render(<TelephonyAdmin />);
    await screen.findByRole('table', { name: 'Prompts' });
    fireEvent.click(screen.getByRole('button', { name: 'Restore previous recording of greeting_en' }));
    await waitFor(() => expect(sent('DELETE', '/api/v1/prompts/greeting_en')).toHaveLength(1));
    await waitFor(() => expect(screen.getAllByRole('status').map((s) => s.textContent).join(' ')).toContain(
      'Restored the previous recording of greeting_en; callers hear it after the server restarts.'));
    await screen.findByText(/Restart needed/);
  });

  it('shows a refusal when the page is not allowed', async () => {
    mockFetch({
      'GET /api/v1/telephony/trunks': apiError(403, '', 'managing lines needs the administrator role', 'forbidden'),
      'GET /api/v1/prompts': apiError(403, '', 'managing lines needs the administrator role', 'forbidden'),
    });
    render(<TelephonyAdmin />);
    expect((await screen.findAllByRole('alert')).length).toBe(2);
  });
});
