// How report figures read on screen. A suppressed figure (a zero too) always reads the same.
import type { Figure, KeyedFigure } from './types';

export const SUPPRESSED_TEXT = 'suppressed';
export const NOT_APPLICABLE_TEXT = 'not applicable';

export function figureText(f: Figure | KeyedFigure): string {
  if (f.not_applicable) return NOT_APPLICABLE_TEXT;
  if (f.suppressed || f.value === null) return SUPPRESSED_TEXT;
  const unit = 'unit' in f ? f.unit : 'count';
  if (unit === 'fraction') return `${Math.round(f.value * 100)}%`;
  if (unit === 'seconds') return `${f.value} s`;
  if (unit === 'per_1000_workforce') return `${f.value.toLocaleString('en-GB', { maximumFractionDigits: 2 })} per 1,000`;
  return f.value.toLocaleString('en-GB');
}

// "contacts_by_region_and_role" -> "Contacts by region and role"; region names stay as they are.
export function labelOf(code: string): string {
  if (/[A-Z ]/.test(code)) return code;
  const words = code.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// The period the picker's choice names: "2026-05", "2026-Q2" or "2026".
export function periodOf(kind: 'month' | 'quarter' | 'year', month: string, year: string, quarter: string): string {
  if (kind === 'month') return month;
  if (kind === 'quarter') return `${year}-Q${quarter}`;
  return year;
}

// The last whole calendar month before `now`, as YYYY-MM.
export function lastWholeMonth(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
