import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { mockFetch } from '../admin/testing';
import { Audit } from '../Audit';
import type { AuditEntry, Verification } from './types';

const HEAD = 'ab'.repeat(32);

function entry(seq: number, actor: string, action = 'contact.read'): AuditEntry {
  return {
    seq, at: `2026-12-03T07:0${seq}:00.000Z`, actor, action, line_id: 'police', record_type: 'contact',
    record_id: `ct_${seq}`, purpose: 'on_call', prev_hash: '0'.repeat(64), hash: HEAD, detail: null,
  };
}

const intact: Verification = {
  ok: true, entries: 42, first_bad_seq: 0, reason: '', head_hash: HEAD, guards_ok: true, guard_faults: [],
  checkpoint: { seq: 40, head_hash: HEAD, at: '2026-12-03T07:00:00.000Z' }, checkpoints_held: 3, checkpoint_fault: null,
};

const routes = {
  'GET /api/v1/audit/checkpoint': { json: { checkpoint: intact.checkpoint, count: 3, fault: null } },
  'GET /api/v1/audit': { json: { entries: [entry(1, 'st_alex'), entry(2, 'st_sam')], next_from_seq: 3 } },
};

afterEach(cleanup);

describe('the audit page', () => {
  it('shows the last checkpoint and the entries, oldest first', async () => {
    mockFetch(routes);
    render(<Audit />);
    const checkpoint = await screen.findByTestId('last-checkpoint');
    expect(checkpoint.textContent).toContain('40');
    expect(checkpoint.textContent).toContain(HEAD);
    expect(checkpoint.textContent).toContain('3 Dec 2026');
    const rows = within(await screen.findByTestId('audit-entries')).getAllByRole('row');
    expect(rows.map((r) => r.textContent)).toEqual([
      'SeqTime (UTC)WhoActionLineRecordPurposeWhat changed',
      '12026-12-03 07:01:00st_alexcontact.readpolicecontact ct_1on_call',
      '22026-12-03 07:02:00st_samcontact.readpolicecontact ct_2on_call',
    ]);
  });

  it("shows what a staff change changed: roles and lines before and after, and the content it gives", async () => {
    const change: AuditEntry = {
      ...entry(3, 'st_ben', 'staff.change.approve'), line_id: '', record_type: 'staff', record_id: 'st_new',
      purpose: 'administration',
      detail: {
        before: { roles: ['admin'], lines: [], disabled: false },
        after: { roles: ['admin', 'counsellor'], lines: ['police'], disabled: false },
        grants: [{ role: 'counsellor', line: 'police' }], change: 'sc_1', requested_by: 'st_ann',
      },
    };
    mockFetch({ ...routes, 'GET /api/v1/audit': { json: { entries: [change], next_from_seq: null } } });
    render(<Audit />);
    const rows = within(await screen.findByTestId('audit-entries')).getAllByRole('row');
    expect(rows[1].lastElementChild!.textContent).toBe(
      'before: roles admin; lines no line → after: roles admin, counsellor; lines police; gives counsellor on police; ' +
        'change sc_1 asked by st_ann',
    );
  });

  it('filters by who, action and date, and pages on from where the last page ended', async () => {
    const { sent } = mockFetch({
      ...routes,
      'GET /api/v1/audit?from_seq=3&limit=100&actor=st_sam&action=contact.update&since=2026-12-01T00%3A00%3A00Z': {
        json: { entries: [entry(7, 'st_sam', 'contact.update')], next_from_seq: null },
      },
      'GET /api/v1/audit?from_seq=1&limit=100&actor=st_sam&action=contact.update&since=2026-12-01T00%3A00%3A00Z': {
        json: { entries: [entry(2, 'st_sam', 'contact.update')], next_from_seq: 3 },
      },
    });
    render(<Audit />);
    await screen.findByTestId('audit-entries');
    fireEvent.input(screen.getByLabelText('Who (staff id or system)'), { target: { value: ' st_sam ' } });
    fireEvent.input(screen.getByLabelText('Action, e.g. contact.read'), { target: { value: 'contact.update' } });
    fireEvent.input(screen.getByLabelText('From (UTC date)'), { target: { value: '2026-12-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Show entries' }));
    await screen.findByText('contact ct_2');
    fireEvent.click(screen.getByRole('button', { name: 'Show more' }));
    await screen.findByText('contact ct_7');
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
    expect(sent('GET', '/api/v1/audit?').map((c) => c.path)).toEqual([
      '/api/v1/audit?from_seq=1&limit=100',
      '/api/v1/audit?from_seq=1&limit=100&actor=st_sam&action=contact.update&since=2026-12-01T00%3A00%3A00Z',
      '/api/v1/audit?from_seq=3&limit=100&actor=st_sam&action=contact.update&since=2026-12-01T00%3A00%3A00Z',
    ]);
  });

  it('runs the verification and says what it proves', async () => {
    mockFetch({ ...routes, 'GET /api/v1/audit/verify': { json: intact } });
    render(<Audit />);
    fireEvent.click(screen.getByRole('button', { name: "Verify against the server's checkpoints" }));
    const result = await screen.findByTestId('verify-result');
    expect(result.getAttribute('role')).toBe('status');
    expect(result.textContent).toContain('The audit log is intact: 42 entries');
    expect(result.textContent).toContain('Nothing was removed or changed up to the checkpoint of');
    expect(result.textContent).toContain('(40 entries; 3 checkpoints held)');
  });

  it('reports a broken log with the first bad entry and the guards removed', async () => {
    const broken: Verification = {
      ...intact, ok: false, first_bad_seq: 9, guards_ok: false, checkpoint: null, checkpoints_held: 0,
      reason: 'entry content does not match its keyed hash (altered, or the chain was recomputed without the audit key)',
      guard_faults: ['trigger audit_log_no_delete is missing (dropped)'],
    };
    mockFetch({ ...routes, 'GET /api/v1/audit/verify': { json: broken } });
    render(<Audit />);
    fireEvent.click(screen.getByRole('button', { name: "Verify against the server's checkpoints" }));
    const result = await screen.findByTestId('verify-result');
    expect(result.getAttribute('role')).toBe('alert');
    expect(result.textContent).toContain('The audit log does not verify. Entry 9: entry content does not match');
    expect(result.textContent).toContain('Entries 1 to 8 are intact.');
    expect(result.textContent).toContain('The guard trigger audit_log_no_delete is missing (dropped)');
  });

  it('verifies against pasted checkpoints, and shows a refused one beside the box', async () => {
    const line = `crisisline-audit-checkpoint v1 seq=40 head=${HEAD} at=2026-12-03T07:00:00.000Z mac=${'cd'.repeat(32)}`;
    const { sent } = mockFetch({
      ...routes,
      'POST /api/v1/audit/verify': {
        status: 400,
        json: { error: { code: 'invalid', field: 'checkpoints', message: 'checkpoints line 1: the checkpoint was not signed with this audit key' } },
      },
    });
    render(<Audit />);
    const box = screen.getByLabelText('Checkpoints from write-once storage');
    fireEvent.input(box, { target: { value: line } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify against these checkpoints' }));
    expect((await screen.findByText(/not signed with this audit key/)).id).toBe('audit-checkpoints-error');
    expect(box.getAttribute('aria-invalid')).toBe('true');
    expect(sent('POST', '/api/v1/audit/verify')[0].body).toEqual({ checkpoints: line });
  });
});
