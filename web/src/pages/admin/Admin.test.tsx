import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import axe from 'axe-core';
import { Admin } from '../Admin';
import { LINES, mockFetch, PROMPTS, REFERENCE, STAFF, TRUNKS } from './testing';
import { forgetReference } from './shared';
import { navigate } from '../../lib/router';

const routes = {
  'GET /api/v1/staff': { json: { staff: STAFF } },
  'GET /api/v1/lines': { json: { lines: LINES } },
  'GET /api/v1/reference': { json: REFERENCE },
  'GET /api/v1/telephony/trunks': { json: TRUNKS },
  'GET /api/v1/prompts': { json: { prompts: PROMPTS, restart_needed: true } },
  'GET /api/v1/lines/police/directory': {
    json: {
      services: [
        {
          id: 'sv_1', organisation: 'Cruse', name: 'Bereavement helpline', service_areas: ['national'],
          phone: '0808 808 1677', categories: ['bereavement'], assured_date: '2020-01-01', stale: true,
          notice: 'demo data — verify before use',
        },
      ],
    },
  },
};

// axe-core in happy-dom: colour contrast needs real layout, so it is checked in a browser instead.
async function violations() {
  const result = await axe.run(document.body, { rules: { 'color-contrast': { enabled: false } } });
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

function duplicateIds(): string[] {
  const seen = new Map<string, number>();
  document.querySelectorAll('[id]').forEach((el) => seen.set(el.id, (seen.get(el.id) ?? 0) + 1));
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}

describe('Admin', () => {
  beforeEach(() => forgetReference());
  afterEach(() => cleanup());

  it('opens staff from /admin and moves between sections with links', async () => {
    mockFetch(routes);
    navigate('/admin', true);
    render(<Admin />);
    await waitFor(() => expect(location.pathname).toBe('/admin/staff'));
    const nav = screen.getByRole('navigation', { name: 'Administration sections' });
    expect(nav.querySelector('[aria-current="page"]')?.textContent).toBe('Staff');
    await screen.findByRole('heading', { level: 2, name: 'Staff' });

    fireEvent.click(screen.getByRole('link', { name: 'Lines' }));
    await screen.findByRole('heading', { level: 2, name: 'Lines' });
    expect(location.pathname).toBe('/admin/lines');
    expect(nav.querySelector('[aria-current="page"]')?.textContent).toBe('Lines');

    fireEvent.click(screen.getByRole('link', { name: 'Signposting directory' }));
    await screen.findByRole('heading', { name: 'Bereavement helpline' });
    expect(location.pathname).toBe('/admin/directory');

    fireEvent.click(screen.getByRole('link', { name: 'Telephony' }));
    await screen.findByRole('heading', { level: 2, name: 'Prompts' });
    expect(location.pathname).toBe('/admin/telephony');
  });

  it('has no axe violations and no duplicate ids on /admin/telephony, with an upload refused', async () => {
    mockFetch({
      ...routes,
      'PUT /api/v1/prompts/hold': {
        status: 400,
        json: { error: { code: 'invalid', field: 'body', message: 'must be 8 kHz mono 16-bit PCM WAV' } },
      },
    });
    navigate('/admin/telephony', true);
    render(<Admin />);
    await screen.findByText('digest-carrier');
    await screen.findByText(/Restart needed/);
    expect(await violations()).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Upload a recording for hold' }));
    await screen.findByText('Choose a WAV file first.');
    expect(duplicateIds()).toEqual([]);
    expect(await violations()).toEqual([]);
  });

  for (const [path, ready, open, field] of [
    ['/admin/staff', 'Alex Admin', 'Edit Sam (demo.counsellor)', 'Police support line (police)'],
    ['/admin/lines', 'Police support line', 'Edit Police support line', 'North East'],
    ['/admin/directory', 'Bereavement helpline', 'Edit Bereavement helpline', 'North East'],
  ] as const) {
    it(`has no axe violations and no duplicate ids on ${path}, with a form open`, async () => {
      mockFetch(routes);
      navigate(path, true);
      render(<Admin />);
      await screen.findAllByText(ready);
      expect(await violations()).toEqual([]);
      fireEvent.click(screen.getByRole('button', { name: open }));
      await screen.findByRole('heading', { level: 2, name: /^Edit / });
      await screen.findAllByLabelText(field);
      expect(duplicateIds()).toEqual([]);
      expect(await violations()).toEqual([]);
    });
  }
});
