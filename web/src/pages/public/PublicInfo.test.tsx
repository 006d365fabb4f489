import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { PublicInfo } from '../PublicInfo';
import { Poster } from '../Poster';
import { displayNumber, telHref } from './line';
import { langFromSearch, text } from './content';

const police = {
  id: 'police',
  name: 'Police Mental Health Crisis Line',
  numbers: ['+448081570000', '0300 123 4567'],
  hours: '24 hours a day, 7 days a week, 365 days a year',
  always_open: true,
  languages: ['en', 'cy'],
  regions: ['national'],
  audience: 'police officers, police staff, special constables and police volunteers in England and Wales',
};

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

let answer: () => Response;

beforeEach(() => {
  answer = () => json(200, police);
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      if (url === '/api/v1/public/lines/police') return answer();
      return json(404, { error: { code: 'not_found', message: 'no such line' } });
    }),
  );
  history.replaceState(null, '', '/info/police');
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('phone numbers', () => {
  it('shows UK numbers in national form and dials them in full', () => {
    expect(displayNumber('+448081570000')).toBe('0808 157 0000');
    expect(displayNumber('+442079460000')).toBe('020 7946 0000');
    expect(displayNumber('07700 900123')).toBe('07700 900123');
    expect(displayNumber('116 123')).toBe('116 123');
    expect(telHref('+44 808 157 0000')).toBe('tel:+448081570000');
    expect(telHref('116 123')).toBe('tel:116123');
  });
  it('reads the language from the address', () => {
    expect(langFromSearch('?lang=cy')).toBe('cy');
    expect(langFromSearch('')).toBe('en');
  });
  it('has every text in both languages', () => {
    expect(Object.keys(text.cy).sort()).toEqual(Object.keys(text.en).sort());
    expect(text.cy.what).toHaveLength(text.en.what.length);
  });
});

describe('PublicInfo', () => {
  it('shows the numbers as tel: links and the hours', async () => {
    render(<PublicInfo line="police" />);
    await waitFor(() => expect(screen.getByRole('heading', { level: 1, name: police.name })).toBeTruthy());
    const numbers = screen.getAllByTestId('line-number');
    expect(numbers[0].textContent).toBe('0808 157 0000');
    expect(numbers[0].getAttribute('href')).toBe('tel:+448081570000');
    expect(numbers[1].getAttribute('href')).toBe('tel:03001234567');
    expect(screen.getByTestId('line-hours').textContent).toBe(
      'Open 24 hours a day, 7 days a week, 365 days a year.',
    );
    expect(document.body.textContent).toContain(police.audience);
    expect(document.body.textContent).toContain('Nothing you tell us is shared with your force');
    expect(document.body.textContent).toContain('option 2');
    expect(screen.getAllByRole('link', { name: '116 123' })[0].getAttribute('href')).toBe('tel:116123');
    expect(screen.getByRole('link', { name: 'Printable poster for noticeboards (A4)' }).getAttribute('href')).toBe(
      '/info/police/poster',
    );
    expect(document.querySelector('main#main')?.getAttribute('lang')).toBe('en');
  });

  it('shows the hours as published when the line is not always open', async () => {
    answer = () => json(200, { ...police, always_open: false, hours: 'Monday to Friday, 8am to 8pm' });
    render(<PublicInfo line="police" />);
    await waitFor(() => expect(screen.getByTestId('line-hours').textContent).toBe('Monday to Friday, 8am to 8pm'));
  });

  it('switches to Welsh', async () => {
    render(<PublicInfo line="police" />);
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Call us' })).toBeTruthy());
    fireEvent.click(screen.getByRole('button', { name: 'Cymraeg' }));
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Ffoniwch ni' })).toBeTruthy());
    expect(document.querySelector('main#main')?.getAttribute('lang')).toBe('cy');
    // The whole page is Welsh; what administrators typed in English is marked as English.
    expect(document.documentElement.lang).toBe('cy');
    expect(screen.getByRole('heading', { level: 1 }).getAttribute('lang')).toBe('en');
    expect(screen.getByRole('button', { name: 'Cymraeg' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByTestId('line-hours').textContent).toContain('Ar agor 24 awr y dydd');
    expect(screen.getByRole('heading', { name: 'Ein haddewid cyfrinachedd' })).toBeTruthy();
    expect(location.search).toBe('?lang=cy');
    // The number stays the same.
    expect(screen.getAllByTestId('line-number')[0].textContent).toBe('0808 157 0000');
    fireEvent.click(screen.getByRole('button', { name: 'English' }));
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Call us' })).toBeTruthy());
    expect(location.search).toBe('');
    expect(document.documentElement.lang).toBe('en');
  });

  it('gives the line name and audience in Welsh when the line has them', async () => {
    answer = () => json(200, { ...police, name_cy: 'Llinell Argyfwng yr Heddlu', audience_cy: 'swyddogion yr heddlu' });
    history.replaceState(null, '', '/info/police?lang=cy');
    render(<PublicInfo line="police" />);
    const heading = await screen.findByRole('heading', { level: 1, name: 'Llinell Argyfwng yr Heddlu' });
    expect(heading.getAttribute('lang')).toBeNull(); // Welsh, like the page
    expect(document.body.textContent).toContain('Mae’r llinell hon ar gyfer swyddogion yr heddlu.');
    expect(document.body.textContent).not.toContain(police.audience);
    await waitFor(() => expect(document.title).toBe('Llinell Argyfwng yr Heddlu'));
  });

  it('opens in Welsh from ?lang=cy', async () => {
    history.replaceState(null, '', '/info/police?lang=cy');
    render(<PublicInfo line="police" />);
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Ffoniwch ni' })).toBeTruthy());
  });

  it('says there is no such line, and still shows where to get help', async () => {
    render(<PublicInfo line="nope" />);
    await waitFor(() => expect(screen.getByRole('heading', { level: 1, name: 'No such line' })).toBeTruthy());
    expect(document.body.textContent).toContain('Samaritans');
    expect(screen.queryAllByTestId('line-number')).toHaveLength(0);
  });

  it('copes with the server being unavailable', async () => {
    answer = () => json(503, { error: { code: 'unavailable', message: 'x' } });
    render(<PublicInfo line="police" />);
    await waitFor(() =>
      expect(screen.getByRole('heading', { level: 1, name: 'This information is not available right now' })).toBeTruthy(),
    );
  });
});

describe('Poster', () => {
  it('shows the name, number, hours, promise, both languages and a QR code that dials', async () => {
    render(<Poster line="police" />);
    await waitFor(() => expect(screen.getByRole('heading', { level: 1, name: police.name })).toBeTruthy());
    expect(screen.getByTestId('poster-number').textContent).toBe('0808 157 0000');
    expect(screen.getByTestId('poster-hours').textContent).toContain('24/7/365');
    expect(document.body.textContent).toContain('Confidential — independent of your force');
    expect(document.body.textContent).toContain('Cyfrinachol — yn annibynnol ar eich heddlu');
    expect(document.querySelector('main [lang="cy"]')).toBeTruthy();
    expect(screen.getByRole('img', { name: 'QR code: scan to call 0808 157 0000' })).toBeTruthy();
  });

  it('prints', async () => {
    const print = vi.fn();
    vi.stubGlobal('print', print);
    window.print = print;
    render(<Poster line="police" />);
    fireEvent.click(screen.getByRole('button', { name: /Print or save as PDF/ }));
    expect(print).toHaveBeenCalled();
  });

  it('says there is no such line', async () => {
    render(<Poster line="nope" />);
    await waitFor(() => expect(screen.getByRole('heading', { level: 1, name: 'No such line' })).toBeTruthy());
  });
});
