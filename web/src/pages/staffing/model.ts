// The staffing plan as GET /api/v1/lines/{line}/staffing answers it (docs/api.md), and what the page derives.

export interface Staffed {
  on_phones: number;
  rostered: number;
  service_level: number;
  p_wait: number;
  p_abandon?: number;
  asa_s: number;
  occupancy: number;
}

// A what-if's figures for the number the manager chose (`on_phones`), whatever the model chose.
export interface Chosen {
  service_level: number;
  p_wait: number;
  asa_s: number | null;  // null: the queue would grow without end (Erlang C, load above the counsellors)
  occupancy: number;
  p_abandon?: number;
  stable?: boolean;
}

export interface PlanInterval {
  start: string;
  start_uk: string;
  forecast_calls: number;
  erlang_c: Staffed;
  erlang_a: Staffed | null;
  chosen?: { erlang_c: Chosen; erlang_a: Chosen | null };
}

export interface StaffingPlan {
  line: string;
  week: string;
  from: string;
  to: string;
  target: {
    service_level_percent: number;
    target_s: number;
    max_occupancy_percent: number;
    shrinkage_percent: number;
    min_counsellors: number;
  };
  // counts published as the reports publish one: rounded, a small one null
  history: { from: string; to: string; calls: number | null };
  forecast: {
    method: 'holt_winters' | 'too_little_history' | 'none';
    backtest: { weeks: number; intervals: number; wape: number; mape: number | null } | null;
  };
  handling_s: number;
  handling_measured_calls: number | null;
  patience_s: number | null;
  patience_abandoned_calls: number | null;
  totals: {
    forecast_calls: number;
    erlang_c_rostered_hours: number;
    erlang_c_peak_rostered: number;
    erlang_a_rostered_hours: number | null;
    erlang_a_peak_rostered: number | null;
  };
  intervals: PlanInterval[];
  new_regions?: NewRegion[];
  chosen_on_phones?: number;  // the what-if asked for (on_phones)
}

// A region of the roll-out whose calls the history does not hold yet, forecast from the served ones by workforce.
export interface NewRegion {
  region: string;
  began: string;
  workforce: number | null;
  served_workforce: number | null;
  forecast_calls: number | null;
  peak_forecast_calls: number | null;
  reason: string | null;
}

export function newRegionText(r: NewRegion): string {
  const from = r.began ? ` (from ${r.began})` : '';
  if (r.forecast_calls === null) return `${r.region}${from}: no forecast, ${r.reason ?? 'no workforce to scale by'}.`;
  return (
    `${r.region}${from}: about ${r.forecast_calls.toFixed(0)} calls this week (at most ` +
    `${(r.peak_forecast_calls ?? 0).toFixed(1)} a half hour), the line's forecast scaled by its workforce of ` +
    `${r.workforce} to the ${r.served_workforce} of the regions served.`
  );
}

export function planPath(line: string, week: string, format?: 'csv', onPhones?: number): string {
  const query = new URLSearchParams();
  if (week) query.set('week', week);
  if (format) query.set('format', format);
  if (onPhones) query.set('on_phones', String(onPhones));
  const q = query.toString();
  return `/api/v1/lines/${encodeURIComponent(line)}/staffing${q ? `?${q}` : ''}`;
}

// A count the server published through disclosure control: null when it is too small to show.
export function count(n: number | null): string {
  return n === null ? 'a few' : n.toLocaleString('en-GB');
}

export function methodText(plan: StaffingPlan): string {
  switch (plan.forecast.method) {
    case 'holt_winters':
      return 'Holt–Winters on the hour of the week (bank holidays as Sundays)';
    case 'too_little_history':
      return 'none yet: under two weeks of calls (a forecast from them would show the calls themselves)';
    default:
      return 'no calls yet: nothing to forecast from';
  }
}

// The days of the plan, each with its half hours, for the chart and the table's groups.
export function byDay(intervals: PlanInterval[]): Array<{ day: string; intervals: PlanInterval[] }> {
  const days: Array<{ day: string; intervals: PlanInterval[] }> = [];
  for (const interval of intervals) {
    const day = interval.start_uk.slice(0, 10);
    if (!days.length || days[days.length - 1].day !== day) days.push({ day, intervals: [] });
    days[days.length - 1].intervals.push(interval);
  }
  return days;
}
