import { cleanup, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../App';
import { markSignedIn, markSignedOut } from '../../lib/signedInMark';
import { mockFetch } from '../admin/testing';

const auditor = {
  staff: { id: 'st_9', username: 'lee', display_name: 'Lee', roles: ['auditor'], lines: [], languages: ['en'], specialisms: [] },
  csrf_token: 't',
  mfa_complete: true,
};

afterEach(() => {
  cleanup();
  markSignedOut();
});

describe('the auditor in the console', () => {
  it('lands on the audit page, named in the main navigation', async () => {
    mockFetch({
      'GET /api/v1/session': { json: auditor },
      'GET /api/v1/audit/checkpoint': { json: { checkpoint: null, count: 0, fault: null } },
      'GET /api/v1/audit': { json: { entries: [], next_from_seq: null } },
    });
    history.replaceState(null, '', '/');
    markSignedIn(); // this browser signed in before, so the console asks the server for the session
    render(<App />);
    expect(await screen.findByRole('heading', { level: 1, name: 'Audit log' })).toBeTruthy();
    expect(location.pathname).toBe('/audit');
    const link = screen.getByRole('link', { name: 'Audit log' });
    expect(link.getAttribute('aria-current')).toBe('page');
    expect(await screen.findByText('The server has written no checkpoint yet.')).toBeTruthy();
  });
});
