// The public description of a line (GET /api/v1/public/lines/{line}, no sign-in),
// and how its phone numbers are shown and dialled.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import type { Lang } from './content';

export interface PublicLine {
  id: string;
  name: string;
  name_cy: string; // "" when no Welsh name was given
  numbers: string[];
  hours: string;
  always_open: boolean;
  languages: string[];
  regions: string[];
  audience: string;
  audience_cy: string;
}

// What an administrator typed, in the page's language: the Welsh they gave, else the English (marked as English
// on the Welsh page, so a screen reader reads it with an English voice).
export function typedText(english: string, welsh: string, lang: Lang): { text: string; lang?: 'en' } {
  if (lang === 'cy' && welsh.trim()) return { text: welsh };
  return { text: english, lang: lang === 'cy' ? 'en' : undefined };
}

export type PublicLineState =
  | { status: 'loading' }
  | { status: 'ok'; line: PublicLine }
  | { status: 'not_found' }
  | { status: 'unavailable' };

export function usePublicLine(id: string): PublicLineState {
  const [state, setState] = useState<PublicLineState>({ status: 'loading' });
  useEffect(() => {
    let alive = true;
    setState({ status: 'loading' });
    api<PublicLine>('GET', `/api/v1/public/lines/${encodeURIComponent(id)}`)
      .then((line) => alive && setState({ status: 'ok', line: normalise(line) }))
      .catch((e: unknown) => {
        if (!alive) return;
        setState(e instanceof ApiError && e.status === 404 ? { status: 'not_found' } : { status: 'unavailable' });
      });
    return () => {
      alive = false;
    };
  }, [id]);
  return state;
}

function normalise(l: Partial<PublicLine>): PublicLine {
  return {
    id: l.id ?? '',
    name: l.name ?? '',
    name_cy: l.name_cy ?? '',
    numbers: Array.isArray(l.numbers) ? l.numbers : [],
    hours: l.hours ?? '',
    always_open: l.always_open === true,
    languages: Array.isArray(l.languages) ? l.languages : [],
    regions: Array.isArray(l.regions) ? l.regions : [],
    audience: l.audience ?? '',
    audience_cy: l.audience_cy ?? '',
  };
}

// "+448081570000" → "0808 157 0000"; other numbers are shown as given.
export function displayNumber(number: string): string {
  const compact = number.replace(/[\s()-]/g, '');
  let national = '';
  if (/^\+44\d{10}$/.test(compact)) national = `0${compact.slice(3)}`;
  else if (/^0\d{10}$/.test(compact)) national = compact;
  else return number.trim();
  if (national.startsWith('02')) return `${national.slice(0, 3)} ${national.slice(3, 7)} ${national.slice(7)}`;
  if (national.startsWith('01') || national.startsWith('07'))
    return `${national.slice(0, 5)} ${national.slice(5)}`;
  return `${national.slice(0, 4)} ${national.slice(4, 7)} ${national.slice(7)}`;
}

// The tel: URI of a number: digits and a leading +, nothing else.
export function telHref(number: string): string {
  const trimmed = number.trim();
  const digits = trimmed.replace(/[^\d]/g, '');
  return `tel:${trimmed.startsWith('+') ? '+' : ''}${digits}`;
}
