import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { DirectoryAdmin } from './DirectoryAdmin';
import { apiError, LINES, mockFetch, REFERENCE } from './testing';
import { forgetReference } from './shared';

const SERVICES = [
  {
    id: 'sv_1', organisation: 'Cruse', name: 'Bereavement helpline', service_areas: ['national'], phone: '0808 808 1677',
    categories: ['bereavement'], languages: ['en'], assured_date: '2020-01-01', demo: true, stale: true,
    notice: 'demo data — verify before use', email: '', url: '', description: '', eligibility: '', opening_times: '',
  },
  {
    id: 'sv_2', organisation: 'Samaritans', name: 'Listening', service_areas: ['national'], phone: '116 123',
    categories: ['mental_health'], languages: ['en', 'cy'], assured_date: '2099-01-01', demo: false, stale: false,
  },
];

const base = {
  'GET /api/v1/lines': { json: { lines: LINES } },
  'GET /api/v1/reference': { json: REFERENCE },
  'GET /api/v1/lines/police/directory': { json: { services: SERVICES } },
};

function type(label: string | RegExp, value: string) {
  fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

describe('DirectoryAdmin', () => {
  beforeEach(() => forgetReference());
  afterEach(() => {
    cleanup();
    vi.restoreAllMocks();
  });

  it('lists the first line\'s services with the demo notice and the stale flag', async () => {
    mockFetch(base);
    render(<DirectoryAdmin />);
    expect(await screen.findByRole('heading', { name: 'Bereavement helpline' })).toBeTruthy();
    expect(screen.getByText('demo data — verify before use')).toBeTruthy();
    expect(screen.getAllByText(/not checked for over a year/)).toHaveLength(1);
  });

  it('searches with q', async () => {
    const { sent } = mockFetch(base);
    render(<DirectoryAdmin />);
    await screen.findByRole('heading', { name: 'Bereavement helpline' });
    type('Search services', 'grief wales');
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(sent('GET', '/api/v1/lines/police/directory?').some((c) => c.path.includes('q=grief+wales'))).toBe(true));
  });

  it('adds a service with POST and shows a field error beside the field', async () => {
    let attempt = 0;
    const { sent } = mockFetch({
      ...base,
      'POST /api/v1/lines/police/directory': (req) =>
        ++attempt === 1
          ? apiError(400, 'phone', 'give at least one way to reach the service: phone, email or url')
          : { status: 201, json: { id: 'sv_3', ...(req.body as object), stale: false } },
    });
    render(<DirectoryAdmin />);
    await screen.findByRole('heading', { name: 'Bereavement helpline' });
    fireEvent.click(screen.getByRole('button', { name: 'Add a service' }));
    await screen.findByLabelText('Bereavement');
    type('Organisation', 'Mind');
    type('Service name', 'Infoline');
    fireEvent.click(screen.getByLabelText('Mental health'));
    fireEvent.click(screen.getByLabelText('Wales'));
    type('Date the details were last checked', '2026-01-02');
    fireEvent.click(screen.getByRole('button', { name: 'Add service' }));
    const phone = screen.getByLabelText('Phone');
    await waitFor(() => expect(document.getElementById(`${phone.id}-error`)?.textContent).toMatch(/at least one way/));

    type('Phone', '0300 123 3393');
    fireEvent.click(screen.getByRole('button', { name: 'Add service' }));
    await waitFor(() => expect(sent('POST', '/api/v1/lines/police/directory')).toHaveLength(2));
    expect(sent('POST', '/api/v1/lines/police/directory')[1].body).toEqual({
      organisation: 'Mind', name: 'Infoline', description: '', eligibility: '', service_areas: ['Wales'],
      phone: '0300 123 3393', email: '', url: '', opening_times: '', categories: ['mental_health'], languages: ['en'],
      assured_date: '2026-01-02',
    });
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Added Infoline to the directory.'));
  });

  it('edits with PUT (never sending stale or notice) and deletes after confirming', async () => {
    const { sent } = mockFetch({
      ...base,
      'PUT /api/v1/lines/police/directory/sv_1': (req) => ({ json: { ...SERVICES[0], ...(req.body as object) } }),
      'DELETE /api/v1/lines/police/directory/sv_2': { status: 204 },
    });
    render(<DirectoryAdmin />);
    await screen.findByRole('heading', { name: 'Bereavement helpline' });
    fireEvent.click(screen.getByRole('button', { name: 'Edit Bereavement helpline' }));
    type('Opening times', '9am to 5pm');
    fireEvent.click(screen.getByRole('button', { name: 'Save service' }));
    await waitFor(() => expect(sent('PUT', '/api/v1/lines/police/directory/sv_1')).toHaveLength(1));
    const body = sent('PUT', '/api/v1/lines/police/directory/sv_1')[0].body as Record<string, unknown>;
    expect(body.opening_times).toBe('9am to 5pm');
    expect(body).not.toHaveProperty('stale');
    expect(body).not.toHaveProperty('notice');
    expect(body).not.toHaveProperty('id');
    expect(body.demo).toBe(true);

    fireEvent.click(screen.getByRole('button', { name: 'Delete Listening' }));
    expect(sent('DELETE', '/api/v1/lines/police/directory/sv_2')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: 'Yes, delete it' }));
    await waitFor(() => expect(sent('DELETE', '/api/v1/lines/police/directory/sv_2')).toHaveLength(1));
    await waitFor(() => expect(screen.queryByRole('heading', { name: 'Listening' })).toBeNull());
  });

  it('offers the HSDS export as a download link', async () => {
    mockFetch({ ...base, 'GET /api/v1/lines/police/hsds': { json: { services: [{ id: 'a' }, { id: 'b' }] } } });
    const create = vi.fn((_blob: Blob) => 'blob:http://localhost/export-1');
    URL.createObjectURL = create as unknown as typeof URL.createObjectURL;
    URL.revokeObjectURL = vi.fn();
    render(<DirectoryAdmin />);
    await screen.findByRole('heading', { name: 'Bereavement helpline' });
    fireEvent.click(screen.getByRole('button', { name: 'Prepare export' }));
    const link = await screen.findByRole('link', { name: /Download police-directory-hsds-.*\.json \(2 services\)/ });
    expect(link.getAttribute('href')).toBe('blob:http://localhost/export-1');
    expect(link.getAttribute('download')).toMatch(/^police-directory-hsds-\d{4}-\d\d-\d\d\.json$/);
    const blob = create.mock.calls[0][0];
    expect(blob.type).toBe('application/json');
    expect(JSON.parse(await blob.text())).toEqual({ services: [{ id: 'a' }, { id: 'b' }] });
  });

  it('imports an HSDS file and shows the server\'s services[i].field error', async () => {
    let attempt = 0;
    const { sent } = mockFetch({
      ...base,
      'POST /api/v1/lines/police/hsds': () =>
        ++attempt === 1 ? apiError(400, 'services[2].phone', 'must be a phone number') : { json: { imported: 3 } },
    });
    render(<DirectoryAdmin />);
    await screen.findByRole('heading', { name: 'Bereavement helpline' });
    const input = screen.getByLabelText('HSDS file to import (JSON)') as HTMLInputElement;
    const doc = { services: [{ id: 'x' }, { id: 'y' }, { id: 'z' }] };
    const file = new File([JSON.stringify(doc)], 'hsds.json', { type: 'application/json' });
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    fireEvent.change(input);
    fireEvent.click(screen.getByRole('button', { name: 'Import services' }));
    await waitFor(() => expect(sent('POST', '/api/v1/lines/police/hsds')).toHaveLength(1));
    expect(sent('POST', '/api/v1/lines/police/hsds')[0].body).toEqual(doc);
    const error = await screen.findByText(/services\[2\]\.phone: must be a phone number/);
    expect(error.id).toBe('directory-import-error');
    expect(input.getAttribute('aria-describedby')).toContain('directory-import-error');

    fireEvent.click(screen.getByRole('button', { name: 'Import services' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Imported 3 services from hsds.json.'));
  });

  it('refuses a file that is not JSON without sending it', async () => {
    const { sent } = mockFetch(base);
    render(<DirectoryAdmin />);
    await screen.findByRole('heading', { name: 'Bereavement helpline' });
    const input = screen.getByLabelText('HSDS file to import (JSON)') as HTMLInputElement;
    Object.defineProperty(input, 'files', { value: [new File(['not json'], 'x.json')], configurable: true });
    fireEvent.change(input);
    fireEvent.click(screen.getByRole('button', { name: 'Import services' }));
    expect(await screen.findByText('x.json is not valid JSON.')).toBeTruthy();
    expect(sent('POST', '/api/v1/lines/police/hsds')).toHaveLength(0);
    expect(within(document.body).queryByRole('status')?.textContent ?? '').toBe('');
  });
});
