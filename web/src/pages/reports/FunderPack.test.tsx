import { cleanup, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { apiError, mockFetch } from '../admin/testing';
import { FunderPack, headlineFigures } from './FunderPack';
import type { FunderPackData, Report } from './types';

const hidden = { value: null, suppressed: true };
const shown = (value: number) => ({ value, suppressed: false });
const period = { label: '2026-05', kind: 'month', from: '2026-05-01T00:00:00.000Z', to: '2026-06-01T00:00:00.000Z' };
const disclosure = { threshold: 7, rounding: 5 };

const levels: Report = {
  line_id: 'police', report: 'service_levels', period, disclosure, not_available: [],
  sections: [
    { name: 'calls', kind: 'list', items: [{ key: 'answered', ...shown(410) }, { key: 'abandoned', ...shown(20) },
      { key: 'overflowed', ...hidden }, { key: 'other', ...hidden }], total: shown(435) },
    { name: 'timings', kind: 'figures', items: [{ key: 'answer_rate', unit: 'fraction', ...shown(0.94) },
      { key: 'service_level_20s', unit: 'fraction', ...shown(0.9) },
      { key: 'average_speed_of_answer_s', unit: 'seconds', ...shown(15) }] },
  ],
};
const demand: Report = {
  line_id: 'police', report: 'demand', period, disclosure, not_available: [],
  sections: [{ name: 'contacts_by_region_and_role', kind: 'table', rows: ['Wales'], columns: ['police_officer'],
    cells: [[hidden]], row_totals: [hidden], column_totals: [hidden], total: shown(440) }],
};
const pack: FunderPackData = { line_id: 'police', line_name: 'Police line (test)', period, disclosure, reports: [levels, demand] };

afterEach(cleanup);

describe('the monthly funder pack', () => {
  it('takes its headline figures from the reports that publish them, suppressed where they are', () => {
    const figures = headlineFigures(pack).map(({ label, figure }) => [label, figure?.value ?? null]);
    expect(figures).toEqual([
      ['Calls offered', 435], ['Calls answered', 410], ['Answer rate', 0.94], ['Answered within 20 s', 0.9],
      ['Average speed of answer', 15], ['Contacts (all channels)', 440],
    ]);
    const withoutLevels = headlineFigures({ ...pack, reports: [demand] });
    expect(withoutLevels.filter((f) => f.figure === undefined).length).toBe(5);
  });

  it('shows every report of the month from one request, with a print button', async () => {
    const { sent } = mockFetch({ 'GET /api/v1/lines/police/reports/pack?period=2026-05': { json: pack } });
    render(<FunderPack line="police" month="2026-05" />);
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toContain('Monthly funder pack');
    const headline = await screen.findByTestId('headline-figures');
    expect(within(headline).getAllByRole('definition').map((d) => d.textContent)).toEqual(['435', '410', '94%', '90%', '15 s', '440']);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Monthly funder pack: Police line (test), May 2026');
    expect(screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent)).toEqual(['Headline figures', 'Service levels', 'Demand']);
    expect(screen.getByTestId('section-contacts_by_region_and_role')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Print or save as PDF' }) as HTMLButtonElement).disabled).toBe(false);
    expect(sent('GET', '/api/v1/lines/').length).toBe(1);
  });

  it('says why when the server refuses', async () => {
    mockFetch({ 'GET /api/v1/lines/police/reports/pack?period=2026-Q2': apiError(400, 'period', 'the funder pack is monthly: a calendar month such as 2026-05') });
    render(<FunderPack line="police" month="2026-Q2" />);
    expect((await screen.findByRole('alert')).textContent).toContain('the funder pack is monthly');
    expect((screen.getByRole('button', { name: 'Print or save as PDF' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
