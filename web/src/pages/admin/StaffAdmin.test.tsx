import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { StaffAdmin } from './StaffAdmin';
import { apiError, LINES, mockFetch, REFERENCE, STAFF } from './testing';
import { forgetReference } from './shared';

function type(label: string | RegExp, value: string) {
  fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

const base = {
  'GET /api/v1/staff': { json: { staff: STAFF } },
  'GET /api/v1/lines': { json: { lines: LINES } },
  'GET /api/v1/reference': { json: REFERENCE },
};

describe('StaffAdmin', () => {
  beforeEach(() => forgetReference());
  afterEach(() => cleanup());

  it('lists the staff with their roles, lines and phone accounts', async () => {
    mockFetch(base);
    render(<StaffAdmin />);
    const table = await screen.findByRole('table');
    expect(within(table).getByText('Alex Admin')).toBeTruthy();
    expect(within(table).getByText('demo.counsellor')).toBeTruthy();
    expect(within(table).getByText('Counsellor')).toBeTruthy();
    expect(within(table).getByText('police')).toBeTruthy();
  });

  it('names every empty field of a new member of staff at once, without sending', async () => {
    const { sent } = mockFetch(base);
    render(<StaffAdmin />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Add a member of staff' }));
    fireEvent.click(screen.getByLabelText('Counsellor')); // no role left
    fireEvent.click(screen.getByRole('button', { name: 'Add member of staff' }));
    const form = screen.getByRole('region', { name: 'Add a member of staff' });
    for (const label of ['Username', 'Display name', 'Temporary password']) {
      const input = within(form).getByLabelText(label);
      await waitFor(() => expect(input.getAttribute('aria-invalid')).toBe('true'));
      expect(document.getElementById(`${input.id}-error`)!.textContent).toMatch(/^Enter /);
    }
    expect(within(form).getByRole('group', { name: 'Roles' }).textContent).toContain('Choose at least one role.');
    expect(document.activeElement).toBe(within(form).getByLabelText('Username'));
    expect(sent('POST', '/api/v1/staff')).toHaveLength(0);
  });

  it('creates a member of staff with the right JSON body', async () => {
    const created = {
      id: 'st_9', username: 'jo.bloggs', display_name: 'Jo', roles: ['counsellor', 'supervisor'], lines: ['wales'],
      languages: ['en', 'cy'], specialisms: ['bereavement', 'veterans'], mfa_enrolled: false, disabled: false,
      sip_username: null,
    };
    const { sent } = mockFetch({ ...base, 'POST /api/v1/staff': { status: 201, json: created } });
    render(<StaffAdmin />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Add a member of staff' }));
    type('Username', ' jo.bloggs ');
    type('Display name', 'Jo');
    type('Temporary password', 'correct horse battery');
    fireEvent.click(screen.getByLabelText('Supervisor'));
    fireEvent.click(screen.getByLabelText('Wales line (wales)'));
    fireEvent.click(screen.getByLabelText('Welsh (Cymraeg)'));
    type('Specialisms', 'bereavement, veterans, ');
    fireEvent.click(screen.getByRole('button', { name: 'Add member of staff' }));

    await waitFor(() => expect(sent('POST', '/api/v1/staff')).toHaveLength(1));
    const req = sent('POST', '/api/v1/staff')[0];
    expect(req.body).toEqual({
      username: 'jo.bloggs',
      display_name: 'Jo',
      password: 'correct horse battery',
      roles: ['counsellor', 'supervisor'],
      lines: ['wales'],
      languages: ['en', 'cy'],
      specialisms: ['bereavement', 'veterans'],
    });
    expect(req.headers['Content-Type']).toBe('application/json');
    expect(await screen.findByRole('status')).toHaveProperty('textContent', expect.stringContaining('Added Jo (jo.bloggs)'));
    // The new member is listed and opened for editing (to issue a phone account).
    expect(await screen.findByRole('heading', { name: /Edit Jo/ })).toBeTruthy();
  });

  it('shows a username error from the server next to the username field', async () => {
    mockFetch({ ...base, 'POST /api/v1/staff': apiError(409, 'username', 'this username is already taken', 'conflict') });
    render(<StaffAdmin />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Add a member of staff' }));
    type('Username', 'demo.counsellor');
    type('Display name', 'Sam again');
    type('Temporary password', 'correct horse battery');
    fireEvent.click(screen.getByRole('button', { name: 'Add member of staff' }));

    const input = screen.getByLabelText('Username');
    await waitFor(() => expect(input.getAttribute('aria-invalid')).toBe('true'));
    const error = document.getElementById(`${input.id}-error`)!;
    expect(error.textContent).toBe('this username is already taken');
    expect(input.getAttribute('aria-describedby')).toContain(error.id);
    expect(input.closest('.field')!.contains(error)).toBe(true);
    // Only there: not repeated as a form-wide error.
    expect(document.querySelector('.form-error')).toBeNull();
  });

  it('maps an error on a list item (lines[0]) to the lines group', async () => {
    mockFetch({ ...base, 'POST /api/v1/staff': apiError(400, 'lines[0]', 'no line with this id') });
    render(<StaffAdmin />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Add a member of staff' }));
    type('Username', 'jo.bloggs');
    type('Display name', 'Jo');
    type('Temporary password', 'correct horse battery');
    fireEvent.click(screen.getByRole('button', { name: 'Add member of staff' }));
    const group = await screen.findByRole('group', { name: 'Lines' });
    await waitFor(() => expect(within(group).getByRole('alert').textContent).toContain('no line with this id'));
  });

  it('edits a member of staff with PATCH', async () => {
    const { sent } = mockFetch({
      ...base,
      'PATCH /api/v1/staff/st_2': (req) => ({ json: { ...STAFF[1], ...(req.body as object) } }),
    });
    render(<StaffAdmin />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Edit Sam (demo.counsellor)' }));
    type('Display name', 'Samira');
    fireEvent.click(screen.getByLabelText('Supervisor'));
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(sent('PATCH', '/api/v1/staff/st_2')).toHaveLength(1));
    expect(sent('PATCH', '/api/v1/staff/st_2')[0].body).toEqual({
      display_name: 'Samira',
      roles: ['counsellor', 'supervisor'],
      lines: ['police'],
      languages: ['en'],
      specialisms: ['bereavement'],
    });
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Saved Samira.'));
  });

  it('asks before resetting two-factor authentication and before disabling', async () => {
    const { sent } = mockFetch({
      ...base,
      'POST /api/v1/staff/st_2/reset-mfa': { status: 204 },
      'PATCH /api/v1/staff/st_2': (req) => ({ json: { ...STAFF[1], ...(req.body as object) } }),
    });
    render(<StaffAdmin />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Edit Sam (demo.counsellor)' }));

    fireEvent.click(screen.getByRole('button', { name: 'Reset two-factor authentication' }));
    expect(sent('POST', '/api/v1/staff/st_2/reset-mfa')).toHaveLength(0);
    expect(screen.getByText(/Their current authenticator stops working/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Yes, reset two-factor' }));
    await waitFor(() => expect(sent('POST', '/api/v1/staff/st_2/reset-mfa')).toHaveLength(1));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/Two-factor authentication reset/));

    fireEvent.click(screen.getByRole('button', { name: 'Disable account' }));
    expect(sent('PATCH', '/api/v1/staff/st_2')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Yes, disable account' }));
    await waitFor(() => expect(sent('PATCH', '/api/v1/staff/st_2')).toHaveLength(1));
    expect(sent('PATCH', '/api/v1/staff/st_2')[0].body).toEqual({ disabled: true });
    expect(await screen.findByRole('button', { name: 'Enable account' })).toBeTruthy();
    expect(within(screen.getByRole('table')).getByText('Disabled')).toBeTruthy();
  });

  it('shows the SIP password once, then never again', async () => {
    const { sent } = mockFetch({
      ...base,
      'PUT /api/v1/staff/st_2/sip-account': { json: { sip_username: 'sam.phone', password: 'Abc123Def456Ghi789Jk' } },
    });
    render(<StaffAdmin />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Edit Sam (demo.counsellor)' }));
    type('SIP username', 'sam.phone');
    fireEvent.click(screen.getByRole('button', { name: 'Issue phone account' }));

    await waitFor(() => expect(sent('PUT', '/api/v1/staff/st_2/sip-account')).toHaveLength(1));
    expect(sent('PUT', '/api/v1/staff/st_2/sip-account')[0].body).toEqual({ sip_username: 'sam.phone' });
    const password = await screen.findByTestId('sip-password');
    expect(password.textContent).toBe('Abc123Def456Ghi789Jk');
    expect(screen.getByText(/Copy it now: it is not shown again/)).toBeTruthy();
    // The list shows the user name, never the password.
    const table = screen.getByRole('table');
    expect(within(table).getByText('sam.phone')).toBeTruthy();
    expect(table.textContent).not.toContain('Abc123Def456Ghi789Jk');

    fireEvent.click(screen.getByRole('button', { name: /I have copied it/ }));
    expect(document.body.textContent).not.toContain('Abc123Def456Ghi789Jk');
    // With an account, issuing again asks first (the old password stops working).
    expect(screen.getByRole('button', { name: 'Issue a new phone password' })).toBeTruthy();
  });

  it('shows a SIP username conflict beside the SIP username field, and removes an account after confirming', async () => {
    const withSip = STAFF.map((m) => (m.id === 'st_2' ? { ...m, sip_username: 'sam.phone' } : m));
    const { sent } = mockFetch({
      ...base,
      'GET /api/v1/staff': { json: { staff: withSip } },
      'PUT /api/v1/staff/st_2/sip-account': apiError(409, 'sip_username', 'this SIP username belongs to someone else', 'conflict'),
      'DELETE /api/v1/staff/st_2/sip-account': { status: 204 },
    });
    render(<StaffAdmin />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Edit Sam (demo.counsellor)' }));
    type('SIP username', 'taken');
    fireEvent.click(screen.getByRole('button', { name: 'Issue a new phone password' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, issue a new password' }));
    const input = screen.getByLabelText('SIP username');
    await waitFor(() => expect(document.getElementById(`${input.id}-error`)?.textContent).toBe(
      'this SIP username belongs to someone else'));

    fireEvent.click(screen.getByRole('button', { name: 'Remove phone account' }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, remove it' }));
    await waitFor(() => expect(sent('DELETE', '/api/v1/staff/st_2/sip-account')).toHaveLength(1));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/Removed the phone account/));
  });
});
