import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { TrunksAdmin, type TrunkSummary } from './TrunksAdmin';
import { apiError, mockFetch, TRUNKS } from './testing';

const list = { 'GET /api/v1/telephony/trunks': { json: TRUNKS } };

function type(label: string | RegExp, value: string) {
  fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

describe('TrunksAdmin', () => {
  afterEach(() => cleanup());

  it('lists trunks with where each is set, and never a password', async () => {
    mockFetch(list);
    render(<TrunksAdmin />);
    const table = await screen.findByRole('table', { name: 'Telephony trunks' });
    const rows = within(table).getAllByRole('row');
    expect(within(rows[1]).getAllByRole('cell').map((c) => c.textContent)).toEqual([
      'loopback-test-carrier', '127.0.0.1', 'none', 'none', 'required, certificate checked', 'crisisline.toml',
      'change in the file',
    ]);
    expect(within(rows[2]).getAllByRole('cell').slice(0, 6).map((c) => c.textContent)).toEqual([
      'digest-carrier', 'none', 'carrier', '192.0.2.5:5060', 'preferred', 'this console',
    ]);
    expect(within(rows[1]).queryByRole('button')).toBeNull();
    expect(within(rows[2]).getByRole('button', { name: 'Edit trunk digest-carrier' })).toBeTruthy();
  });

  it('adds a trunk, sending the addresses as a list, and shows it in use', async () => {
    const added: TrunkSummary = {
      name: 'carrier-b', allow: ['192.0.2.7', '192.0.2.8'], username: '', digest: false, outbound: '',
      encryption: 'preferred', source: 'console',
    };
    const { sent } = mockFetch({ ...list, 'POST /api/v1/telephony/trunks': { status: 201, json: added } });
    render(<TrunksAdmin />);
    await screen.findByRole('table', { name: 'Telephony trunks' });
    fireEvent.click(screen.getByRole('button', { name: 'Add a trunk' }));
    type('Name', 'carrier-b');
    type('Allowed addresses', '192.0.2.7\n192.0.2.8, ');
    fireEvent.click(screen.getByRole('button', { name: 'Add the trunk' }));
    await screen.findByText(/Added the trunk carrier-b: it is in use now/);
    expect(sent('POST', '/api/v1/telephony/trunks')[0].body).toEqual({
      name: 'carrier-b', allow: ['192.0.2.7', '192.0.2.8'], username: '', outbound: '', encryption: 'preferred',
    });
    const table = screen.getByRole('table', { name: 'Telephony trunks' });
    expect(within(table).getAllByRole('row')).toHaveLength(4);
  });

  it("shows the server's error beside the field it names, and keeps what was typed", async () => {
    mockFetch({
      ...list,
      'POST /api/v1/telephony/trunks': apiError(400, 'allow[1]', 'must be an IPv4 or IPv6 address such as 192.0.2.10'),
    });
    render(<TrunksAdmin />);
    await screen.findByRole('table', { name: 'Telephony trunks' });
    fireEvent.click(screen.getByRole('button', { name: 'Add a trunk' }));
    type('Name', 'carrier-c');
    type('Allowed addresses', '192.0.2.7\ncarrier.example');
    fireEvent.click(screen.getByRole('button', { name: 'Add the trunk' }));
    const error = await screen.findByText(/Item 2: must be an IPv4 or IPv6 address/);
    const field = screen.getByLabelText('Allowed addresses') as HTMLTextAreaElement;
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(field.getAttribute('aria-describedby')).toContain(error.id);
    expect(field.value).toBe('192.0.2.7\ncarrier.example');
  });

  it('edits a trunk: an empty password keeps the stored one and is not sent', async () => {
    const saved = { ...TRUNKS.trunks[1], allow: ['192.0.2.9'] };
    const { sent } = mockFetch({ ...list, 'PUT /api/v1/telephony/trunks/digest-carrier': { json: saved } });
    render(<TrunksAdmin />);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit trunk digest-carrier' }));
    expect((screen.getByLabelText('Digest user name') as HTMLInputElement).value).toBe('carrier');
    expect(screen.getByText('Leave empty to keep the current password.')).toBeTruthy();
    type('Allowed addresses', '192.0.2.9');
    fireEvent.click(screen.getByRole('button', { name: 'Save the trunk' }));
    await screen.findByText(/Saved the trunk digest-carrier/);
    const body = sent('PUT', '/api/v1/telephony/trunks/digest-carrier')[0].body as Record<string, unknown>;
    expect(body).toEqual({
      allow: ['192.0.2.9'], username: 'carrier', outbound: '192.0.2.5:5060', encryption: 'preferred',
    });
    expect('password' in body).toBe(false);
  });

  it("shows and edits a trunk's encryption policy, and the server's refusal beside the field", async () => {
    const saved = { ...TRUNKS.trunks[1], encryption: 'required' };
    const { sent } = mockFetch({ ...list, 'PUT /api/v1/telephony/trunks/digest-carrier': { json: saved } });
    render(<TrunksAdmin />);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit trunk digest-carrier' }));
    const select = screen.getByLabelText('Encryption') as HTMLSelectElement;
    expect(select.value).toBe('preferred');
    fireEvent.change(select, { target: { value: 'required' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save the trunk' }));
    await screen.findByText(/Saved the trunk digest-carrier/);
    expect((sent('PUT', '/api/v1/telephony/trunks/digest-carrier')[0].body as Record<string, unknown>).encryption)
      .toBe('required');
    const table = screen.getByRole('table', { name: 'Telephony trunks' });
    expect(within(within(table).getAllByRole('row')[2]).getAllByRole('cell')[4].textContent).toBe('required');
  });

  it('shows a refused encryption value beside its field', async () => {
    mockFetch({
      ...list,
      'PUT /api/v1/telephony/trunks/digest-carrier': apiError(400, 'encryption',
        'must be "required", "preferred" or "off"'),
    });
    render(<TrunksAdmin />);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit trunk digest-carrier' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save the trunk' }));
    const error = await screen.findByText(/must be "required", "preferred" or "off"/);
    expect(screen.getByLabelText('Encryption').getAttribute('aria-describedby')).toContain(error.id);
  });

  it('removes a trunk only after confirmation', async () => {
    const { sent } = mockFetch({ ...list, 'DELETE /api/v1/telephony/trunks/digest-carrier': { status: 204 } });
    render(<TrunksAdmin />);
    fireEvent.click(await screen.findByRole('button', { name: 'Remove trunk digest-carrier' }));
    expect(sent('DELETE', '/api/v1/telephony/trunks')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Yes, remove it' }));
    await screen.findByText(/Removed the trunk digest-carrier/);
    await waitFor(() => expect(screen.queryByText('digest-carrier')).toBeNull());
    expect(sent('DELETE', '/api/v1/telephony/trunks/digest-carrier')).toHaveLength(1);
  });
});
