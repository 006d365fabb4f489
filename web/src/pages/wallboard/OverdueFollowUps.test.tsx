import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/preact';
import { Wallboard } from '../Wallboard';
import { attemptsText } from './OverdueFollowUps';
import { SessionContext, type SessionContextValue } from '../../lib/session';
import { emptyLive } from '../../lib/liveState';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('overdue follow-ups', () => {
  it('counts attempts from the list or a number', () => {
    expect(attemptsText({ attempts: [{}, {}], max_attempts: 3 })).toBe('2 of 3');
    expect(attemptsText({ attempts: 1 })).toBe('1');
  });

  it('lists the overdue follow-ups of the line linked from the wallboard, without numbers', async () => {
    const fetchMock = vi.fn(async () =>
      new Response(
        JSON.stringify({
          follow_ups: [
            {
              id: 'fu_1',
              status: 'overdue',
              earliest: '2027-01-14T09:00:00.000Z',
              latest: '2027-01-14T17:00:00.000Z',
              assigned_to: 'pool',
              attempts: [{ outcome: 'no_answer' }],
              max_attempts: 3,
              number_on_file: true,
            },
          ],
        }),
        { status: 200, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    vi.stubGlobal('fetch', fetchMock);
    history.replaceState(null, '', '/wallboard/follow-ups/police');
    const value = {
      session: {
        staff: { id: 's', username: 'jo', display_name: 'Jo', roles: ['supervisor'], lines: ['police'], languages: [], specialisms: [] },
        csrf_token: '',
        mfa_complete: true,
      },
      live: emptyLive,
      signOut: async () => undefined,
      acknowledge: () => undefined,
    } as SessionContextValue;
    render(
      <SessionContext.Provider value={value}>
        <Wallboard />
      </SessionContext.Provider>,
    );
    await waitFor(() => expect(screen.getByText('fu_1')).toBeTruthy());
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Overdue follow-ups: police');
    expect(document.body.textContent).toContain('1 of 3');
    expect(document.body.textContent).toContain('Any counsellor (pool)');
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/lines/police/follow-ups?status=overdue', expect.anything());
  });
});
