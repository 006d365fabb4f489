import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { Staffing } from './Staffing';
import { SessionContext, type SessionContextValue } from '../lib/session';
import { emptyLive } from '../lib/liveState';
import type { StaffingPlan } from './staffing/model';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function session(roles: string[], lines: string[]): SessionContextValue {
  return {
    session: {
      staff: { id: 's', username: 'sam', display_name: 'Sam', roles, lines, languages: [], specialisms: [] },
      csrf_token: '',
      mfa_complete: true,
    },
    live: emptyLive,
    signOut: async () => undefined,
    acknowledge: () => undefined,
  } as unknown as SessionContextValue;
}

const staffed = (on: number, rostered: number, level: number) => ({
  on_phones: on, rostered, service_level: level, p_wait: 0.2, asa_s: 7.8, occupancy: 0.71,
});

function plan(week: string, withA: boolean): StaffingPlan {
  return {
    line: 'police', week, from: '2026-12-07T00:00:00.000Z', to: '2026-12-14T00:00:00.000Z',
    target: { service_level_percent: 90, target_s: 20, max_occupancy_percent: 85, shrinkage_percent: 30, min_counsellors: 1 },
    history: { from: '2026-10-05T00:00:00.000Z', to: '2026-12-03T14:00:00.000Z', calls: 12345 },
    forecast: { method: 'holt_winters', backtest: { weeks: 8, intervals: 2688, wape: 0.123, mape: 0.2 } },
    handling_s: 672, handling_measured_calls: 800, patience_s: withA ? 95 : null, patience_abandoned_calls: withA ? 40 : 0,
    totals: { forecast_calls: 1500, erlang_c_rostered_hours: 400, erlang_c_peak_rostered: 20,
      erlang_a_rostered_hours: withA ? 380 : null, erlang_a_peak_rostered: withA ? 19 : null },
    intervals: [
      { start: '2026-12-07T00:00:00.000Z', start_uk: '2026-12-07 00:00', forecast_calls: 2.25,
        erlang_c: staffed(2, 3, 0.93), erlang_a: withA ? { ...staffed(2, 3, 0.95), p_abandon: 0.02 } : null },
      { start: '2026-12-07T00:30:00.000Z', start_uk: '2026-12-07 00:30', forecast_calls: 100,
        erlang_c: staffed(14, 20, 0.888), erlang_a: withA ? { ...staffed(13, 19, 0.91), p_abandon: 0.04 } : null },
      { start: '2026-12-08T00:00:00.000Z', start_uk: '2026-12-08 00:00', forecast_calls: 0,
        erlang_c: staffed(1, 2, 1), erlang_a: withA ? { ...staffed(1, 2, 1), p_abandon: 0 } : null },
    ],
  };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

// The rota of the sample week: Ceri (Welsh) 00:00-01:00 on Monday; the plan needs 3 then 20 then 2.
function coverage(week: string) {
  return {
    line: 'police', week, gaps: 2, short_by: 21, welsh_gaps: 1, welsh_offered: true, shifts: 1,
    intervals: [
      { start: '2026-12-07T00:00:00.000Z', start_uk: '2026-12-07 00:00', required: 3, rostered: 3, required_welsh: 1, rostered_welsh: 1, gap: 0, welsh_gap: false },
      { start: '2026-12-07T00:30:00.000Z', start_uk: '2026-12-07 00:30', required: 20, rostered: 1, required_welsh: 1, rostered_welsh: 1, gap: 19, welsh_gap: false },
      { start: '2026-12-08T00:00:00.000Z', start_uk: '2026-12-08 00:00', required: 2, rostered: 0, required_welsh: 1, rostered_welsh: 0, gap: 2, welsh_gap: true },
    ],
  };
}

const ceri = {
  id: 'sh_1', line: 'police', counsellor: 'st_ceri', display_name: 'Ceri', welsh: true,
  start: '2026-12-07T00:00:00.000Z', end: '2026-12-07T01:00:00.000Z', start_uk: '2026-12-07 00:00', end_uk: '2026-12-07 01:00',
};

function answering(withA: boolean) {
  const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
    const parsed = new URL(url, 'http://x');
    const week = parsed.searchParams.get('week') ?? '2026-W50';
    if (parsed.pathname.endsWith('/coverage')) return json(coverage(week));
    if (parsed.pathname.endsWith('/rota/counsellors')) {
      return json({ counsellors: [{ id: 'st_ceri', display_name: 'Ceri', welsh: true }, { id: 'st_sam', display_name: 'Sam', welsh: false }] });
    }
    if (parsed.pathname.endsWith('/shifts') && init?.method === 'POST') {
      const body = JSON.parse(String(init.body));
      if (body.end <= body.start) return json({ error: { code: 'invalid', field: 'end', message: 'must be after the start' } }, 400);
      return json({ ...ceri, id: 'sh_2', counsellor: body.counsellor, start: body.start, end: body.end }, 201);
    }
    if (parsed.pathname.endsWith('/shifts')) {
      return json({ line: 'police', week, from: '2026-12-07T00:00:00.000Z', to: '2026-12-14T00:00:00.000Z', shifts: [ceri] });
    }
    const onPhones = Number(parsed.searchParams.get('on_phones') ?? 0);
    if (onPhones) {
      const p = plan(week, withA);
      const chosen = { service_level: 0.5, p_wait: 0.7, asa_s: null, occupancy: 1, stable: false };
      return json({ ...p, chosen_on_phones: onPhones,
        intervals: p.intervals.map((i) => ({ ...i, chosen: { erlang_c: chosen, erlang_a: null } })) });
    }
    return json(plan(week, withA));
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

describe('the staffing page', () => {
  it('shows next week per half hour with Erlang C and Erlang A, and links the CSV', async () => {
    const fetchMock = answering(true);
    render(
      <SessionContext.Provider value={session(['service_manager'], ['police', 'fire'])}>
        <Staffing />
      </SessionContext.Provider>,
    );
    await waitFor(() => expect(screen.getByText('police, week 2026-W50')).toBeTruthy());
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/lines/police/staffing', expect.anything());
    const row = document.querySelector('tr[data-start="2026-12-07T00:30:00.000Z"]') as HTMLElement;
    const cells = Array.from(row.querySelectorAll('th, td')).map((c) => c.textContent);
    expect(cells).toEqual(['00:30', '100.0', '14', '20', '89%', '20%', '8 s', '71%', '13', '19', '91%', '4%']);
    expect(document.querySelectorAll('tbody tr.day').length).toBe(2);  // two days in the sample
    expect(document.body.textContent).toContain('WAPE): 12%');
    expect(document.body.textContent).toContain("callers' patience 95 s");
    const csv = screen.getByText('Export the plan (CSV)') as HTMLAnchorElement;
    expect(csv.getAttribute('href')).toBe('/api/v1/lines/police/staffing?week=2026-W50&format=csv');
    expect(document.querySelectorAll('svg rect.calls').length).toBe(3);
  });

  it('forecasts the regions not started yet from the workforce, or says why not', async () => {
    const withRegions = { ...plan('2026-W50', false), new_regions: [
      { region: 'London', began: '2027-04-01', workforce: 2000, served_workforce: 4000, forecast_calls: 750.4,
        peak_forecast_calls: 50, reason: null },
      { region: 'Wales', began: '2027-06-01', workforce: null, served_workforce: 4000, forecast_calls: null,
        peak_forecast_calls: null, reason: 'the region has no workforce entered' },
    ] };
    const rest = { intervals: [], shifts: [], counsellors: [] };
    vi.stubGlobal('fetch', vi.fn(async (url: string) =>
      json(new URL(url, 'http://x').pathname.endsWith('/staffing') ? withRegions : rest)));
    render(
      <SessionContext.Provider value={session(['service_manager'], ['police'])}>
        <Staffing />
      </SessionContext.Provider>,
    );
    await waitFor(() => expect(screen.getByTestId('new-regions')).toBeTruthy());
    expect(screen.getByTestId('new-regions').textContent).toBe(
      'Regions not started yet: London (from 2027-04-01): about 750 calls this week (at most 50.0 a half hour), ' +
        "the line's forecast scaled by its workforce of 2000 to the 4000 of the regions served. " +
        'Wales (from 2027-06-01): no forecast, the region has no workforce entered.');
  });

  it('lists no new regions when every region has started', async () => {
    answering(false);
    render(
      <SessionContext.Provider value={session(['service_manager'], ['police'])}>
        <Staffing />
      </SessionContext.Provider>,
    );
    await waitFor(() => expect(screen.getByText('police, week 2026-W50')).toBeTruthy());
    expect(screen.queryByTestId('new-regions')).toBeNull();
  });

  it('asks for the week and line chosen', async () => {
    const fetchMock = answering(false);
    render(
      <SessionContext.Provider value={session(['supervisor'], ['police', 'fire'])}>
        <Staffing />
      </SessionContext.Provider>,
    );
    await waitFor(() => expect(screen.getByText('police, week 2026-W50')).toBeTruthy());
    fireEvent.change(screen.getByLabelText('Week'), { target: { value: '2027-W02' } });
    await waitFor(() => expect(screen.getByText('police, week 2027-W02')).toBeTruthy());
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/lines/police/staffing?week=2027-W02', expect.anything());
    fireEvent.change(screen.getByLabelText('Line'), { target: { value: 'fire' } });
    await waitFor(() =>
      expect(fetchMock).toHaveBeenCalledWith('/api/v1/lines/fire/staffing?week=2027-W02', expect.anything()),
    );
    // Without an estimated patience there is no Erlang A column.
    expect(document.body.textContent).toContain('Erlang A is not shown');
    expect(screen.queryByText('Erlang A: on phones')).toBeNull();
  });

  it('shows the figures for a number of counsellors the manager chooses', async () => {
    const fetchMock = answering(false);
    render(
      <SessionContext.Provider value={session(['service_manager'], ['police'])}>
        <Staffing />
      </SessionContext.Provider>,
    );
    await waitFor(() => expect(screen.getByText('police, week 2026-W50')).toBeTruthy());
    expect(screen.queryByText(/With .* on phones/)).toBeNull();
    fireEvent.change(screen.getByLabelText('What if this many were on the phones'), { target: { value: '3' } });
    await waitFor(() => expect(screen.getByText('With 3 on phones: service level (C)')).toBeTruthy());
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/lines/police/staffing?on_phones=3', expect.anything());
    expect(screen.getAllByText('no end').length).toBe(3);  // an unstable queue has no average wait
  });

  it('shows the coverage with its gaps in words, and Welsh cover apart', async () => {
    answering(true);
    render(
      <SessionContext.Provider value={session(['service_manager'], ['police'])}>
        <Staffing />
      </SessionContext.Provider>,
    );
    await waitFor(() => expect(screen.getByText('Coverage, week 2026-W50')).toBeTruthy());
    expect(screen.getByTestId('coverage-summary').textContent).toContain('2 half hours short of the plan (21 counsellor half hours in all)');
    expect(screen.getByTestId('coverage-summary').textContent).toContain('1 half hours with fewer Welsh speakers rostered than the Welsh calls need');
    const rows = Array.from(document.querySelectorAll('table.coverage-table tr[data-start]'));
    expect(rows.map((r) => r.classList.contains('gap'))).toEqual([false, true, true]);
    expect(Array.from(rows[1].querySelectorAll('th, td')).map((c) => c.textContent)).toEqual(['00:30', '20', '1', '1 / 1', 'Short by 19']);
    expect(rows[2].textContent).toContain('1 / 0');
    expect(rows[2].textContent).toContain('(short of Welsh speakers)');
    const ics = screen.getByText('Export the rota (iCalendar)') as HTMLAnchorElement;
    expect(ics.getAttribute('href')).toBe('/api/v1/lines/police/shifts?week=2026-W50&format=ics');
  });

  it('adds a shift entered in UK time as UTC, and shows a refusal beside its field', async () => {
    const fetchMock = answering(false);
    render(
      <SessionContext.Provider value={session(['supervisor'], ['police'])}>
        <Staffing />
      </SessionContext.Provider>,
    );
    await waitFor(() => expect(screen.getByLabelText('Counsellor')).toBeTruthy());
    expect(screen.getByText('Ceri', { selector: 'th' })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Counsellor'), { target: { value: 'st_sam' } });
    fireEvent.input(screen.getByLabelText('Start (UK time)'), { target: { value: '2026-07-06T08:00' } });  // BST
    fireEvent.input(screen.getByLabelText('End (UK time)'), { target: { value: '2026-07-06T07:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add the shift' }));
    await waitFor(() => expect(screen.getByText('must be after the start')).toBeTruthy());
    expect(screen.getByLabelText('End (UK time)').getAttribute('aria-invalid')).toBe('true');
    fireEvent.input(screen.getByLabelText('End (UK time)'), { target: { value: '2026-07-06T16:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add the shift' }));
    await waitFor(() => expect(screen.getByText('Shift of Sam added.')).toBeTruthy());
    const posts = fetchMock.mock.calls.filter(([, init]) => init?.method === 'POST');
    expect(JSON.parse(String(posts[posts.length - 1][1]?.body))).toEqual({
      counsellor: 'st_sam', start: '2026-07-06T07:00:00.000Z', end: '2026-07-06T15:00:00.000Z',
    });
  });

  it('says what the server refused', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(
      JSON.stringify({ error: { code: 'forbidden', field: '', message: 'your roles do not allow reading staffing plans' } }),
      { status: 403, headers: { 'Content-Type': 'application/json' } })));
    render(
      <SessionContext.Provider value={session(['supervisor'], ['police'])}>
        <Staffing />
      </SessionContext.Provider>,
    );
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('do not allow reading staffing plans'));
  });
});
