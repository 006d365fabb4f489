// The rota as the API answers it (docs/api.md: shifts, coverage, counsellors), and the UK-time conversions the
// shift form needs: people enter shifts on the UK's clock; the server stores UTC instants.

export interface Shift {
  id: string;
  line: string;
  counsellor: string;
  display_name: string;
  welsh: boolean;
  start: string;
  end: string;
  start_uk: string;
  end_uk: string;
}

export interface ShiftWeek {
  line: string;
  week: string;
  from: string;
  to: string;
  shifts: Shift[];
}

export interface Cover {
  start: string;
  start_uk: string;
  required: number;
  rostered: number;
  required_welsh: number; // Welsh speakers the Welsh calls alone need (0 where the line has no Welsh)
  rostered_welsh: number;
  gap: number;
  welsh_gap: boolean;
}

export interface Coverage {
  line: string;
  week: string;
  intervals: Cover[];
  gaps: number;
  short_by: number;
  welsh_gaps: number;
  welsh_offered: boolean;
  shifts: number;
}

export interface RotaCounsellor {
  id: string;
  display_name: string;
  welsh: boolean;
}

function linePath(line: string, rest: string): string {
  return `/api/v1/lines/${encodeURIComponent(line)}/${rest}`;
}

export function shiftsPath(line: string, week: string, format?: 'ics'): string {
  const query = new URLSearchParams({ week });
  if (format) query.set('format', format);
  return linePath(line, `shifts?${query.toString()}`);
}

export const coveragePath = (line: string, week: string) =>
  linePath(line, `coverage?${new URLSearchParams({ week }).toString()}`);
export const shiftPath = (line: string, id: string) => linePath(line, `shifts/${encodeURIComponent(id)}`);
export const newShiftPath = (line: string) => linePath(line, 'shifts');
export const counsellorsPath = (line: string) => linePath(line, 'rota/counsellors');
export const rosteredNowPath = (line: string) => linePath(line, 'rota/now');

const ukParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

// "2026-12-07T08:00", the UK wall clock at `ms` (what an <input type="datetime-local"> holds).
export function ukLocalOf(ms: number): string {
  const p = Object.fromEntries(ukParts.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

// The UTC instant (ISO 8601) of a UK wall-clock time "YYYY-MM-DDTHH:MM"; '' when malformed. At the autumn change
// the first (BST) 01:30 is taken; a time skipped in spring moves on by the hour that does not exist.
export function utcOfUkLocal(local: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return '';
  const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  for (const offsetH of [1, 0]) {
    const t = asUtc - offsetH * 3_600_000;
    if (ukLocalOf(t) === local) return new Date(t).toISOString();
  }
  return new Date(asUtc - 0).toISOString();
}

// The coverage's days (UK dates), each with its half hours, as the plan's table groups them.
export function coverByDay(intervals: Cover[]): Array<{ day: string; intervals: Cover[] }> {
  const days: Array<{ day: string; intervals: Cover[] }> = [];
  for (const c of intervals) {
    const day = c.start_uk.slice(0, 10);
    if (!days.length || days[days.length - 1].day !== day) days.push({ day, intervals: [] });
    days[days.length - 1].intervals.push(c);
  }
  return days;
}
