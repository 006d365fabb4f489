import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { LinesAdmin } from './LinesAdmin';
import { apiError, LINES, mockFetch, REFERENCE } from './testing';
import { forgetReference } from './shared';

function type(label: string | RegExp, value: string) {
  fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

const base = {
  'GET /api/v1/lines': { json: { lines: LINES } },
  'GET /api/v1/reference': { json: REFERENCE },
};

describe('LinesAdmin', () => {
  beforeEach(() => forgetReference());
  afterEach(() => cleanup());

  it('lists lines with links to their public information page and poster', async () => {
    mockFetch(base);
    render(<LinesAdmin />);
    const table = await screen.findByRole('table');
    expect(within(table).getByRole('button', { name: 'Edit Police support line' })).toBeTruthy();
    const info = within(table).getByRole('link', { name: 'Information page for Police support line' });
    expect(info.getAttribute('href')).toBe('/info/police');
    expect(within(table).getByRole('link', { name: 'Poster for Wales line' }).getAttribute('href')).toBe('/info/wales/poster');
    expect(screen.getByText(/are on the Telephony/)).toBeTruthy();
  });

  it('saves the whole configuration, routing included, with PATCH', async () => {
    const { sent } = mockFetch({
      ...base,
      'PATCH /api/v1/lines/police': (req) => ({ json: { ...LINES[0], ...(req.body as object) } }),
    });
    render(<LinesAdmin />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Edit Police support line' }));
    await screen.findByLabelText('North East');
    fireEvent.click(screen.getByLabelText('North East'));
    type('Phone numbers', '0300 123 4567\n029 2000 0000\n');
    type('Ring for (seconds)', '25');
    type('Name in Welsh (optional)', ' Llinell gymorth yr heddlu ');
    fireEvent.click(screen.getByLabelText('Every free counsellor at once'));
    fireEvent.click(screen.getByLabelText('To a partner service (SIP address)'));
    type('Partner SIP address', 'sip:overflow@partner.example');
    type('Overflow after waiting (seconds)', '90');
    const survey = screen.getByLabelText(/^Post-call survey/) as HTMLInputElement;
    expect(survey.checked).toBe(false);
    fireEvent.click(survey);
    fireEvent.click(screen.getByRole('button', { name: 'Save line' }));

    await waitFor(() => expect(sent('PATCH', '/api/v1/lines/police')).toHaveLength(1));
    expect(sent('PATCH', '/api/v1/lines/police')[0].body).toEqual({
      name: 'Police support line',
      numbers: ['0300 123 4567', '029 2000 0000'],
      hours: '7pm to 7am',
      always_open: false,
      post_call_survey: true,
      regions: ['national', 'North East'],
      languages: ['en', 'cy'],
      retention_days: 1095,
      follow_up_max_attempts: 3,
      follow_up_max_days: 7,
      audience: 'Police officers and staff',
      name_cy: 'Llinell gymorth yr heddlu',
      audience_cy: '',
      routing: {
        strategy: 'ring_all',
        ring_timeout_s: 25,
        wrap_up_s: 60,
        wrap_up_after_concern_s: 300,
        overflow_after_s: 90,
        overflow_to: 'sip:overflow@partner.example',
        announce_every_s: 45,
        every_leg_encrypted: false,
      },
    });
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Saved Police support line.'));
  });

  it('turns on every leg encrypted, and shows the server\'s refusal beside it', async () => {
    const { sent } = mockFetch({
      ...base,
      'PATCH /api/v1/lines/police': () => apiError(400, 'routing.every_leg_encrypted', 'must be true or false'),
    });
    render(<LinesAdmin />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Edit Police support line' }));
    const box = (await screen.findByLabelText(/^Every leg encrypted/)) as HTMLInputElement;
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    fireEvent.click(screen.getByRole('button', { name: 'Save line' }));
    await waitFor(() => expect(sent('PATCH', '/api/v1/lines/police')).toHaveLength(1));
    const routing = (sent('PATCH', '/api/v1/lines/police')[0].body as { routing: Record<string, unknown> }).routing;
    expect(routing.every_leg_encrypted).toBe(true);
    expect(await screen.findByText('must be true or false')).toBeTruthy();
  });

  it('has one choice for overflow: never sends no wait and no place, and hides the wait', async () => {
    const { sent } = mockFetch({
      ...base,
      'PATCH /api/v1/lines/police': (req) => ({ json: { ...LINES[0], ...(req.body as object) } }),
    });
    render(<LinesAdmin />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Edit Police support line' }));
    const overflow = await screen.findByRole('group', { name: 'Overflow' });
    // The police line waits 120 s with nowhere to go: that is "never".
    expect((within(overflow).getByLabelText(/^Never/) as HTMLInputElement).checked).toBe(true);
    expect(screen.queryByLabelText('Never overflow')).toBeNull();
    expect(screen.queryByLabelText('Overflow after waiting (seconds)')).toBeNull();
    fireEvent.click(within(overflow).getByLabelText('To another line'));
    expect(screen.getByLabelText('Overflow after waiting (seconds)')).toBeTruthy();
    fireEvent.click(within(overflow).getByLabelText(/^Never/));
    fireEvent.click(screen.getByRole('button', { name: 'Save line' }));
    await waitFor(() => expect(sent('PATCH', '/api/v1/lines/police')).toHaveLength(1));
    const routing = (sent('PATCH', '/api/v1/lines/police')[0].body as { routing: Record<string, unknown> }).routing;
    expect(routing.overflow_after_s).toBeNull();
    expect(routing.overflow_to).toBe('');
  });

  it('shows routing.ring_timeout_s from the server beside the ring time field', async () => {
    mockFetch({ ...base, 'PATCH /api/v1/lines/police': apiError(400, 'routing.ring_timeout_s', 'must be between 5 and 300') });
    render(<LinesAdmin />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Edit Police support line' }));
    type('Ring for (seconds)', '3');
    fireEvent.click(screen.getByRole('button', { name: 'Save line' }));
    const input = screen.getByLabelText('Ring for (seconds)');
    await waitFor(() => expect(input.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(`${input.id}-error`)!.textContent).toBe('must be between 5 and 300');
    expect(input.closest('.field')!.textContent).toContain('must be between 5 and 300');
  });

  it('names the phone number the server refused', async () => {
    mockFetch({ ...base, 'PATCH /api/v1/lines/police': apiError(400, 'numbers[1]', 'is not a phone number') });
    render(<LinesAdmin />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Edit Police support line' }));
    type('Phone numbers', '0300 123 4567\nnot a number');
    fireEvent.click(screen.getByRole('button', { name: 'Save line' }));
    const input = screen.getByLabelText('Phone numbers');
    await waitFor(() => expect(document.getElementById(`${input.id}-error`)?.textContent).toBe('Item 2: is not a phone number'));
  });

  it('refuses a number of seconds that is not a whole number before sending', async () => {
    const { sent } = mockFetch(base);
    render(<LinesAdmin />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Edit Police support line' }));
    type('Wrap-up after a call (seconds)', 'soon');
    fireEvent.click(screen.getByRole('button', { name: 'Save line' }));
    const input = screen.getByLabelText('Wrap-up after a call (seconds)');
    await waitFor(() => expect(input.getAttribute('aria-invalid')).toBe('true'));
    expect(sent('PATCH', '/api/v1/lines/police')).toHaveLength(0);
  });

  it('creates a line with POST, its id and another line to overflow to', async () => {
    const { sent } = mockFetch({
      ...base,
      'POST /api/v1/lines': (req) => ({ status: 201, json: { ...LINES[0], ...(req.body as object) } }),
    });
    render(<LinesAdmin />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Add a line' }));
    type('Line id', 'veterans');
    type('Name', 'Veterans line');
    fireEvent.click(screen.getByLabelText('To another line'));
    fireEvent.change(screen.getByLabelText('Line to overflow to'), { target: { value: 'wales' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add line' }));
    await waitFor(() => expect(sent('POST', '/api/v1/lines')).toHaveLength(1));
    const body = sent('POST', '/api/v1/lines')[0].body as Record<string, unknown>;
    expect(body.id).toBe('veterans');
    expect(body.name).toBe('Veterans line');
    expect(body.regions).toEqual(['national']);
    expect((body.routing as Record<string, unknown>).overflow_to).toBe('line:wales');
    expect((body.routing as Record<string, unknown>).overflow_after_s).toBe(120);
  });

  it('shows a taken line id beside the id field', async () => {
    mockFetch({ ...base, 'POST /api/v1/lines': apiError(409, 'id', 'a line with this id already exists', 'conflict') });
    render(<LinesAdmin />);
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Add a line' }));
    type('Line id', 'police');
    type('Name', 'Again');
    fireEvent.click(screen.getByRole('button', { name: 'Add line' }));
    const input = screen.getByLabelText('Line id');
    await waitFor(() => expect(document.getElementById(`${input.id}-error`)?.textContent).toBe('a line with this id already exists'));
  });
});
