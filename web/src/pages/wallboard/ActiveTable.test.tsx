import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ActiveRow } from './model';
import { ActiveTable } from './parts';

const row: ActiveRow = {
  call: 'ct_1', line: 'police', counsellor: 'st_c', counsellorName: 'Sam', talkMs: 60_000,
  flags: { cause_for_concern: false, imminent_risk: false }, heldMs: null, monitor: null, consult: null,
  conference: null, encrypted: false, legs: null,
};

afterEach(cleanup);

describe('supervising calls from the wallboard', () => {
  it('shows a three-party call by the kind of service added, or the colleague by name', () => {
    const { rerender } = render(<ActiveTable rows={[{ ...row, conference: { kind: 'emergency', state: 'ringing', toName: null } }]}
      lineNames={{}} showLine={false} />);
    expect(screen.getByTestId('conference-ct_1').textContent).toBe('adding the emergency service');
    rerender(<ActiveTable rows={[{ ...row, conference: { kind: 'colleague', state: 'connected', toName: 'Jo' } }]} lineNames={{}} showLine={false} />);
    expect(screen.getByTestId('conference-ct_1').textContent).toBe('three-party call with Jo');
    rerender(<ActiveTable rows={[row]} lineNames={{}} showLine={false} />);
    expect(screen.queryByTestId('conference-ct_1')).toBeNull();
  });
  it('offers listen, coach and join on a call, then stop once it is mine', () => {
    const onMonitor = vi.fn();
    const { rerender } = render(<ActiveTable rows={[row]} lineNames={{}} showLine={false} me="st_s" onMonitor={onMonitor} />);
    fireEvent.click(screen.getByRole('button', { name: 'Listen' }));
    expect(onMonitor).toHaveBeenCalledWith(row, 'listen');
    const mine = { ...row, monitor: { supervisor: 'st_s', supervisorName: 'Jo', mode: 'coach', state: 'connected' } };
    rerender(<ActiveTable rows={[mine]} lineNames={{}} showLine={false} me="st_s" onMonitor={onMonitor} />);
    expect(screen.getByRole('button', { name: 'Coach' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('monitor-ct_1').textContent).toBe('supervisor coaching');
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(onMonitor).toHaveBeenLastCalledWith(mine, null);
  });

  it('shows another supervisor monitoring a call, with no controls, and none without the handler', () => {
    const theirs = { ...row, monitor: { supervisor: 'st_x', supervisorName: 'Kim', mode: 'listen', state: 'connected' } };
    render(<ActiveTable rows={[theirs]} lineNames={{}} showLine={false} me="st_s" onMonitor={vi.fn()} />);
    expect(screen.getByText('Kim is listening')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Listen' })).toBeNull();
    cleanup();
    render(<ActiveTable rows={[row]} lineNames={{}} showLine={false} />);
    expect(screen.queryByRole('button', { name: 'Listen' })).toBeNull();
  });
});

describe('consults on the wallboard', () => {
  it('says whom the counsellor consults, and whether they have answered', () => {
    const { rerender } = render(<ActiveTable rows={[{ ...row, heldMs: 4_000, consult: { to: 'st_j', toName: 'Jo', state: 'ringing' } }]} lineNames={{}} showLine={false} />);
    expect(screen.getByTestId('consult-ct_1').textContent).toBe('consulting Jo (ringing)');
    expect(screen.getByTestId('held-ct_1').textContent).toBe('on hold 0:04');
    rerender(<ActiveTable rows={[{ ...row, heldMs: 9_000, consult: { to: 'st_j', toName: 'Jo', state: 'connected' } }]} lineNames={{}} showLine={false} />);
    expect(screen.getByTestId('consult-ct_1').textContent).toBe('consulting Jo');
    rerender(<ActiveTable rows={[row]} lineNames={{}} showLine={false} />);
    expect(screen.queryByTestId('consult-ct_1')).toBeNull();
  });
});

describe('encryption on the wallboard', () => {
  it('marks each call Encrypted or Not encrypted in words, naming a plain leg', () => {
    const encrypted = { ...row, encrypted: true, legs: { caller: 'srtp', counsellor: 'dtls-srtp' } };
    const plain = { ...row, call: 'ct_2', encrypted: false, legs: { caller: 'srtp', counsellor: 'rtp' } };
    render(<ActiveTable rows={[encrypted, plain]} lineNames={{}} showLine={false} />);
    expect(screen.getByRole('columnheader', { name: 'Media' })).toBeTruthy();
    expect(screen.getByTestId('encryption-ct_1').textContent).toBe('Encrypted');
    expect(screen.getByTestId('encryption-ct_2').textContent).toBe('Not encrypted (counsellor leg plain)');
    // In the call's own row, and not told by colour alone: the words differ, not just the class.
    expect(screen.getByTestId('active-ct_2').textContent).toContain('Not encrypted');
    expect(screen.getByTestId('active-ct_1').textContent).not.toContain('Not encrypted');
  });
});
