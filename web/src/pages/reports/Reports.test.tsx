import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { apiError, mockFetch } from '../admin/testing';
import { Reports } from '../Reports';
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
  not_available: [{ figure: 'contacts_by_force', reason: 'the force is sealed with the content' }],
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

const choices = {
  'GET /api/v1/reports': {
    json: {
      lines: [
        { id: 'police', name: 'Police line' },
        { id: 'fire', name: 'Fire line' },
      ],
      reports: ['demand', 'outcomes'],
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
    expect(screen.getByText(/the force is sealed/)).toBeTruthy();
    const csv = screen.getByRole('link', { name: 'Download this report as CSV' }) as HTMLAnchorElement;
    expect(csv.getAttribute('href')).toBe('/api/v1/lines/police/reports/demand?period=2026-05&format=csv');
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
});
