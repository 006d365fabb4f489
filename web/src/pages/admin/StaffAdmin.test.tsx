import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { StaffAdmin } from './StaffAdmin';
import { apiError, LINES, mockFetch, REFERENCE, STAFF } from './testing';
import { forgetReference } from './shared';
import { SessionContext, type SessionContextValue } from '../../lib/session';
import { emptyLive } from '../../lib/liveState';
import type { StaffChange } from './staffChanges';

function type(label: string | RegExp, value: string) {
  fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

const base = {
  'GET /api/v1/staff': { json: { staff: STAFF } },
  'GET /api/v1/lines': { json: { lines: LINES } },
  'GET /api/v1/reference': { json: REFERENCE },
  'GET /api/v1/staff/changes': { json: { changes: [] } },
};

// Signed in as Alex Admin (st_1).
function asAdmin(node: preact.JSX.Element, id = 'st_1') {
  const value = {
    session: { staff: { ...STAFF[0], id }, csrf_token: 't', mfa_complete: true },
    live: emptyLive,
    signOut: async () => undefined,
    acknowledge: () => undefined,
  } as unknown as SessionContextValue;
  return <SessionContext.Provider value={value}>{node}</SessionContext.Provider>;
}

function change(extra: Partial<StaffChange> = {}): StaffChange {
  return {
    id: 'sc_1', kind: 'update', staff_id: 'st_2', requested_by: 'st_9', requested_at: '2027-01-15T09:00:00.000Z',
    expires_at: '2027-01-16T09:00:00.000Z', status: 'pending', decided_by: null, decided_at: null,
    before: { display_name: 'Sam', roles: ['counsellor'], lines: ['police'], disabled: false },
    after: { display_name: 'Sam', roles: ['counsellor'], lines: ['police', 'wales'], disabled: false },
    grants: [{ role: 'counsellor', line: 'wales' }],
    ...extra,
  };
}

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

  it('says a create that gives access to contacts waits for a second administrator, and lists it', async () => {
    const pending = change({
      id: 'sc_7', kind: 'create', staff_id: 'st_new', requested_by: 'st_1', before: null,
      after: { username: 'jo.bloggs', display_name: 'Jo', roles: ['counsellor'], lines: ['police'], disabled: false },
      grants: [{ role: 'counsellor', line: 'police' }],
    });
    mockFetch({ ...base, 'POST /api/v1/staff': { status: 202, json: { status: 'pending_approval', change: pending } } });
    render(asAdmin(<StaffAdmin />));
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Add a member of staff' }));
    type('Username', 'jo.bloggs');
    type('Display name', 'Jo');
    type('Temporary password', 'correct horse battery');
    fireEvent.click(screen.getByRole('button', { name: 'Add member of staff' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain(
      "Not changed yet: giving Jo Counsellor on police needs a second administrator's approval"));
    const waiting = screen.getByRole('region', { name: 'Changes awaiting a second administrator' });
    const item = within(waiting).getByRole('listitem');
    expect(item.textContent).toContain('New account for Jo (jo.bloggs)');
    expect(item.textContent).toContain('You asked for this change: another administrator decides it.');
    expect(within(item).queryByRole('button')).toBeNull();
    expect(within(screen.getByRole('table')).queryByText('Jo')).toBeNull();
    expect(screen.queryByRole('heading', { name: /Edit Jo/ })).toBeNull();
  });

  it("lets a second administrator approve a pending change from the keyboard, and shows it took effect", async () => {
    const approved = { ...STAFF[1], lines: ['police', 'wales'] };
    const { sent } = mockFetch({
      ...base,
      'GET /api/v1/staff/changes': { json: { changes: [change(), change({ id: 'sc_old', status: 'rejected' })] } },
      'POST /api/v1/staff/changes/sc_1/approve': {
        json: { change: change({ status: 'approved', decided_by: 'st_1' }), staff: approved },
      },
    });
    render(asAdmin(<StaffAdmin />));
    const waiting = await screen.findByRole('region', { name: 'Changes awaiting a second administrator' });
    const item = await within(waiting).findByRole('listitem');
    expect(within(waiting).getAllByRole('listitem')).toHaveLength(1); // decided ones are not waiting
    expect(item.textContent).toContain('Change for Sam');
    expect(item.textContent).toContain('Would give: Counsellor on wales.');
    expect(item.textContent).toContain('Now: Counsellor; lines: police. After: Counsellor; lines: police, wales.');
    const approve = within(item).getByRole('button', { name: 'Approve the change for Sam' });
    expect(within(item).getByRole('button', { name: 'Reject the change for Sam' })).toBeTruthy();
    approve.focus();
    expect(document.activeElement).toBe(approve);
    fireEvent.click(approve);
    await waitFor(() => expect(sent('POST', '/api/v1/staff/changes/sc_1/approve')).toHaveLength(1));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe(
      'Approved the change for Sam: it has taken effect.'));
    expect(within(waiting).queryByRole('listitem')).toBeNull();
    expect(within(screen.getByRole('table')).getByText('police, wales')).toBeTruthy();
  });

  it('rejects a pending change, and shows why a decision was refused beside it', async () => {
    const { sent } = mockFetch({
      ...base,
      'GET /api/v1/staff/changes': { json: { changes: [change(), change({ id: 'sc_2', staff_id: 'st_1' })] } },
      'POST /api/v1/staff/changes/sc_1/approve': apiError(409, '', 'the account has changed since this change was asked for; reject it and ask again', 'conflict'),
      'POST /api/v1/staff/changes/sc_1/reject': { json: { change: change({ status: 'rejected', decided_by: 'st_1' }) } },
    });
    render(asAdmin(<StaffAdmin />));
    const waiting = await screen.findByRole('region', { name: 'Changes awaiting a second administrator' });
    await within(waiting).findAllByRole('listitem');
    const [first, aboutMe] = within(waiting).getAllByRole('listitem');
    expect(aboutMe.textContent).toContain('This change is about you: another administrator decides it.');
    fireEvent.click(within(first).getByRole('button', { name: /^Approve/ }));
    await waitFor(() => expect(first.textContent).toContain('the account has changed since this change was asked for'));
    fireEvent.click(within(first).getByRole('button', { name: /^Reject/ }));
    await waitFor(() => expect(sent('POST', '/api/v1/staff/changes/sc_1/reject')).toHaveLength(1));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Rejected the change for Sam.'));
    expect(within(waiting).getAllByRole('listitem')).toHaveLength(1);
  });

  it('says an edit that gives access to contacts is not saved yet', async () => {
    mockFetch({
      ...base,
      'PATCH /api/v1/staff/st_2': { status: 202, json: { status: 'pending_approval', change: change() } },
    });
    render(asAdmin(<StaffAdmin />));
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Edit Sam (demo.counsellor)' }));
    fireEvent.click(screen.getByLabelText('Wales line (wales)'));
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Not changed yet: giving Sam Counsellor on wales'));
    expect(within(screen.getByRole('table')).getByText('police')).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'Changes awaiting a second administrator' })).getByRole('listitem')).toBeTruthy();
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
