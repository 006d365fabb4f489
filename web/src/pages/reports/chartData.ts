// What a report section's chart shows, as plain data: bars of the published counts only. A suppressed or
// not-applicable figure is a gap (null), never a zero-height bar that would tell a zero apart.
import { figureText, labelOf } from './format';
import type { Figure, KeyedFigure, Section } from './types';

export interface ChartData {
  labels: string[];
  series: Array<{ label: string; values: Array<number | null> }>;
  unit: 'count' | 'per_1000_workforce';
  // The text alternative: every bar's figure as the table beside it writes it.
  description: string;
}

const shownValue = (f: Figure): number | null => (f.suppressed || f.not_applicable ? null : f.value);

// Tables with more columns than this chart their row totals only (a bar per region, not one per region and role).
const MAX_SERIES = 3;

function describe(title: string, labels: string[], series: Array<{ label: string; figures: Figure[] }>): string {
  const parts = labels.map((l, i) => {
    if (series.length === 1) return `${l}: ${figureText(series[0].figures[i])}`;
    return `${l}: ${series.map((s) => `${s.label} ${figureText(s.figures[i])}`).join(', ')}`;
  });
  return `Bar chart of ${title.toLowerCase()}. ${parts.join('; ')}.`;
}

// The chart of `section`, or null when a chart would not help (times and fractions, or nothing published).
export function chartDataOf(section: Section): ChartData | null {
  const title = labelOf(section.name);
  let labels: string[];
  let series: Array<{ label: string; figures: Figure[] }>;
  let unit: ChartData['unit'] = 'count';
  if (section.kind === 'groups') {
    // A bar per force: the groups' last items (what is left of each region's total) are in the table only.
    const forces = section.groups.flatMap((g) => g.items.slice(0, g.items.length > 1 ? -1 : undefined));
    const named = forces.filter((f) => f.key !== 'not_recorded');
    labels = named.map((f) => labelOf(f.key));
    series = [{ label: title, figures: named }];
  } else if (section.kind === 'table') {
    labels = section.rows.map(labelOf);
    series =
      section.columns.length <= MAX_SERIES
        ? section.columns.map((c, j) => ({ label: labelOf(c), figures: section.cells.map((row) => row[j]) }))
        : [{ label: 'Total', figures: section.row_totals }];
  } else {
    const units = new Set(section.items.map((i: KeyedFigure) => i.unit ?? 'count'));
    if (units.size !== 1) return null;
    const only = [...units][0];
    if (only !== 'count' && only !== 'per_1000_workforce') return null;
    unit = only;
    labels = section.items.map((i) => labelOf(i.key));
    series = [{ label: title, figures: section.items }];
  }
  const out = series.map((s) => ({ label: s.label, values: s.figures.map(shownValue) }));
  if (!out.some((s) => s.values.some((v) => v !== null))) return null;
  return { labels, series: out, unit, description: describe(title, labels, series) };
}
