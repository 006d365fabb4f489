import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { apiError, mockFetch } from '../admin/testing';
import { Reports } from '../Reports';
import { forgetReference } from '../../lib/reference';
import { chartDataOf } from './chartData';
import type { Report } from './types';

const hidden = { value: null, suppressed: true };
const shown = (value: number) => ({ value, suppressed: false });

const demand: Report = {
  line_id: 'police',
  report: 'demand',
  period: { label: '2026-05', kind: 'month', from: '2026-05-01T00:00:00.000Z', to: '2026-06-01T00:00:00.000Z' },
  disclosure: { threshold: 7, rounding: 5 },
  sections: [
    {
      name: 'contacts_by_region_and_role',
      kind: 'table',
      rows: ['North East', 'Wales'],
      columns: ['police_officer', 'family_member'],
      cells: [
        [shown(35), hidden],
        [hidden, hidden],
      ],
      row_totals: [shown(40), hidden],
      column_totals: [shown(40), hidden],
      total: shown(45),
    },
  ],
  not_available: [{ figure: 'contacts_by_force', reason: 'force-level figures are published for whole calendar months only' }],
};

const outcomes: Report = {
  ...demand,
  report: 'outcomes',
  period: { ...demand.period, label: '2026-Q2', kind: 'quarter' },
  sections: [
    {
      name: 'contacts_by_outcome',
      kind: 'list',
      items: [
        { key: 'support_given', ...shown(20) },
        { key: 'signposted', ...hidden },
      ],
      total: shown(25),
    },
  ],
  not_available: [],
};

const na = { value: null, suppressed: false, not_applicable: true };

const rollOut: Report = {
  ...demand,
  report: 'roll_out',
  period: { ...demand.period, label: '2025', kind: 'year' },
  sections: [
    {
      name: 'contacts_by_region_and_start',
      kind: 'table',
      rows: ['North East', 'Wales'],
      columns: ['before_start', 'since_start'],
      cells: [
        [na, shown(2310)],
        [shown(15), hidden],
      ],
      row_totals: [shown(2310), shown(160)],
      column_totals: [shown(15), hidden],
      total: shown(2470),
    },
    {
      name: 'contacts_per_1000_workforce_since_start',
      kind: 'figures',
      items: [
        { key: 'North East', unit: 'per_1000_workforce', ...shown(256.67) },
        { key: 'Wales', unit: 'per_1000_workforce', ...hidden },
      ],
    },
  ],
  not_available: [],
  region_starts: [
    { region: 'North East', began: '2024-06-01', workforce: 9000, workforce_source: 'FICTIONAL demo figure' },
    { region: 'Wales', began: '2025-07-21', workforce: null, workforce_source: '' },
  ],
};

const choices = {
  'GET /api/v1/reports': {
    json: {
      lines: [
        { id: 'police', name: 'Police line' },
        { id: 'fire', name: 'Fire line' },
      ],
      reports: ['demand', 'roll_out', 'outcomes'],
    },
  },
};

afterEach(cleanup);

describe('the Reports page', () => {
  it('shows the chosen month as a table with totals, a zero and a small count alike', async () => {
    const { sent } = mockFetch({ ...choices, 'GET /api/v1/lines/police/reports/demand?period=2026-05': { json: demand } });
    render(<Reports now={new Date('2026-06-14T09:00:00Z')} />);
    const month = (await screen.findByLabelText('Month')) as HTMLInputElement;
    expect(month.value).toBe('2026-05');
    fireEvent.click(screen.getByRole('button', { name: 'Show report' }));
    const table = await screen.findByTestId('section-contacts_by_region_and_role');
    const rows = within(table).getAllByRole('row').map((r) => r.textContent);
    expect(rows).toEqual([
      'Police officerFamily memberTotal',
      'North East35suppressed40',
      'Walessuppressedsuppressedsuppressed',
      'Total40suppressed45',
    ]);
    expect(screen.getByText(/published for whole calendar months only/)).toBeTruthy();
    const csv = screen.getByRole('link', { name: 'Download this report as CSV' }) as HTMLAnchorElement;
    expect(csv.getAttribute('href')).toBe('/api/v1/lines/police/reports/demand?period=2026-05&format=csv');
    expect(sent('GET', '/api/v1/lines/').length).toBe(1);
  });

  it('shows one region\'s part of the report it has, without asking the server again', async () => {
    const { sent } = mockFetch({ ...choices, 'GET /api/v1/lines/police/reports/demand?period=2026-05': { json: demand } });
    render(<Reports now={new Date('2026-06-14T09:00:00Z')} />);
    await screen.findByLabelText('Month');
    fireEvent.click(screen.getByRole('button', { name: 'Show report' }));
    await screen.findByTestId('section-contacts_by_region_and_role');
    const choice = screen.getByLabelText('Region') as HTMLSelectElement;
    expect(Array.from(choice.options).map((o) => o.textContent)).toEqual(['Every region', 'North East', 'Wales']);
    fireEvent.change(choice, { target: { value: 'North East' } });
    const table = screen.getByTestId('section-contacts_by_region_and_role');
    expect(within(table).getAllByRole('row').map((r) => r.textContent)).toEqual([
      'Police officerFamily memberTotal',
      'North East35suppressed40',
      'Total35suppressed40',
    ]);
    expect(sent('GET', '/api/v1/lines/').length).toBe(1);
  });

  it('asks for a quarter of another line and report', async () => {
    mockFetch({ ...choices, 'GET /api/v1/lines/fire/reports/outcomes?period=2026-Q2': { json: outcomes } });
    render(<Reports now={new Date('2026-06-14T09:00:00Z')} />);
    fireEvent.change(await screen.findByLabelText('Line'), { target: { value: 'fire' } });
    fireEvent.change(screen.getByLabelText('Report'), { target: { value: 'outcomes' } });
    fireEvent.change(screen.getByLabelText('Period'), { target: { value: 'quarter' } });
    fireEvent.change(screen.getByLabelText('Quarter'), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Show report' }));
    const table = await screen.findByTestId('section-contacts_by_outcome');
    expect(within(table).getAllByRole('row').map((r) => r.textContent)).toEqual([
      'CategoryValue',
      'Support given20',
      'Signpostedsuppressed',
      'Total25',
    ]);
  });

  it('says why when the server refuses, such as past the hourly allowance', async () => {
    mockFetch({
      ...choices,
      'GET /api/v1/lines/police/reports/demand?period=2026-05': apiError(
        429,
        'report',
        'too many report requests in the last hour; try again in 600 s',
        'throttled',
      ),
    });
    render(<Reports now={new Date('2026-06-14T09:00:00Z')} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Show report' }));
    expect((await screen.findByRole('alert')).textContent).toContain('try again in 600 s');
  });
  it('charts each section beside its table, with the figures as the chart\'s text alternative', async () => {
    mockFetch({ ...choices, 'GET /api/v1/lines/police/reports/roll_out?period=2025': { json: rollOut } });
    render(<Reports now={new Date('2026-06-14T09:00:00Z')} />);
    fireEvent.change(await screen.findByLabelText('Report'), { target: { value: 'roll_out' } });
    fireEvent.change(screen.getByLabelText('Period'), { target: { value: 'year' } });
    fireEvent.input(screen.getByLabelText('Year'), { target: { value: '2025' } });
    fireEvent.click(screen.getByRole('button', { name: 'Show report' }));
    const chart = await screen.findByTestId('chart-contacts_by_region_and_start');
    const image = within(chart).getByRole('img');
    expect(image.getAttribute('aria-label')).toBe(
      'Bar chart of contacts by region and start. North East: Before start not applicable, Since start 2,310; ' +
        'Wales: Before start 15, Since start suppressed.',
    );
    const table = screen.getByTestId('section-contacts_by_region_and_start');
    expect(table.parentElement?.parentElement).toBe(chart.parentElement);
    expect(within(table).getAllByRole('row').map((r) => r.textContent)).toEqual([
      'Before startSince startTotal',
      'North Eastnot applicable2,3102,310',
      'Wales15suppressed160',
      'Total15suppressed2,470',
    ]);
    const rates = within(screen.getByTestId('chart-contacts_per_1000_workforce_since_start')).getByRole('img');
    expect(rates.getAttribute('aria-label')).toContain('North East: 256.67 per 1,000; Wales: suppressed');
    const starts = within(screen.getByTestId('region-starts')).getAllByRole('row').map((r) => r.textContent);
    expect(starts).toEqual([
      'RegionBeganWorkforceSource of the workforce figure',
      'North East2024-06-019,000FICTIONAL demo figure',
      'Wales2025-07-21not entered',
    ]);
  });
});

const byForce: Report = {
  ...demand,
  sections: [
    demand.sections[0],
    {
      name: 'contacts_by_force',
      kind: 'groups',
      groups: [
        {
          key: 'North East',
          items: [
            { key: 'cleveland_police', ...shown(25) },
            { key: 'durham_constabulary', ...hidden },
            { key: 'northumbria_police', ...hidden },
            { key: 'not_recorded', ...hidden },
          ],
          total: shown(40),
        },
        { key: 'not_recorded', items: [{ key: 'not_recorded', ...hidden }], total: hidden },
      ],
      total: shown(45),
    },
  ],
  not_available: [],
};

describe('contacts by force', () => {
  it('shows each region\'s forces under it with its total, as a table beside the chart', async () => {
    forgetReference();
    const forces = [
      { code: 'cleveland_police', name: 'Cleveland Police', region: 'North East', country: 'England' },
      { code: 'durham_constabulary', name: 'Durham Constabulary', region: 'North East', country: 'England' },
      { code: 'northumbria_police', name: 'Northumbria Police', region: 'North East', country: 'England' },
    ];
    mockFetch({ ...choices, 'GET /api/v1/lines/police/reports/demand?period=2026-05': { json: byForce },
      'GET /api/v1/reference': { json: { forces } } });
    render(<Reports now={new Date('2026-06-14T09:00:00Z')} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Show report' }));
    const table = await screen.findByTestId('section-contacts_by_force');
    await within(table).findByText('Cleveland Police');  // the reference list's names, once it has loaded
    expect(within(table).getByText('Contacts by force').tagName).toBe('CAPTION');
    expect(within(table).getAllByRole('row').map((r) => r.textContent)).toEqual([
      'ForceValue',
      'North East',
      'Cleveland Police25',
      'Durham Constabularysuppressed',
      'Northumbria Policesuppressed',
      'Force not recordedsuppressed',
      'Total, North East40',
      'Not recorded',
      'Force not recordedsuppressed',
      'Total, Not recordedsuppressed',
      'Total45',
    ]);
    const heading = within(table).getByText('North East');
    expect(heading.getAttribute('scope')).toBe('rowgroup');
    const chart = screen.getByTestId('chart-contacts_by_force');
    expect(table.parentElement).toBe(chart.parentElement);
    expect(within(chart).getByRole('img').getAttribute('aria-label')).toBe(
      'Bar chart of contacts by force. Cleveland Police: 25; Durham Constabulary: suppressed; ' +
        'Northumbria Police: suppressed.',
    );
  });

  it('charts forces only, with a gap for each suppressed one, and no chart when every force is suppressed', () => {
    const data = chartDataOf(byForce.sections[1]);
    expect(data?.labels).toEqual(['Cleveland police', 'Durham constabulary', 'Northumbria police']);
    expect(data?.series).toEqual([{ label: 'Contacts by force', values: [25, null, null] }]);
    const allHidden = {
      ...byForce.sections[1],
      groups: [{ key: 'Wales', items: [{ key: 'gwent_police', ...hidden }, { key: 'not_recorded', ...hidden }], total: hidden }],
    } as Report['sections'][number];
    expect(chartDataOf(allHidden)).toBeNull();
  });
});

describe('chart data', () => {
  it('leaves a gap for a suppressed or not-applicable figure, never a zero bar', () => {
    const data = chartDataOf(rollOut.sections[0]);
    expect(data?.labels).toEqual(['North East', 'Wales']);
    expect(data?.series).toEqual([
      { label: 'Before start', values: [null, 15] },
      { label: 'Since start', values: [2310, null] },
    ]);
  });

  it('charts a wide table by its row totals, and no chart for times and rates or when all is suppressed', () => {
    const wide = { ...demand.sections[0], columns: ['a', 'b', 'c', 'd'], cells: [[hidden, hidden, hidden, hidden], [hidden, hidden, hidden, hidden]] } as Report['sections'][number];
    expect(chartDataOf(wide)?.series).toEqual([{ label: 'Total', values: [40, null] }]);
    expect(chartDataOf({ name: 'timings', kind: 'figures', items: [{ key: 'answer_rate', unit: 'fraction', ...shown(0.9) }] })).toBeNull();
    expect(chartDataOf({ name: 'contacts_by_theme', kind: 'counts', items: [{ key: 'bereavement', ...hidden }] })).toBeNull();
  });
});
