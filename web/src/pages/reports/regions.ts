// The console's region choice: one region's part of a report already fetched, shown without asking the server
// again (so it adds no request to the audit log or the allowance, and no figure the report did not publish).
import type { Report, Section } from './types';

// The regions a report breaks down by: the rows of its by-region tables and the groups of its by-force section.
export function regionsOf(report: Report): string[] {
  const out: string[] = [];
  const add = (r: string) => {
    if (!out.includes(r)) out.push(r);
  };
  for (const s of report.sections) {
    if (s.kind === 'table' && s.name.startsWith('contacts_by_region')) s.rows.forEach(add);
    if (s.kind === 'groups') s.groups.forEach((g) => add(g.key));
  }
  return out;
}

// `section` narrowed to `region`: a by-region table to that region's row (its cells are then the columns'
// figures, the row's total the table's), the by-force groups to that region's group. Other sections as they are.
export function sectionForRegion(section: Section, region: string): Section {
  if (section.kind === 'table' && section.name.startsWith('contacts_by_region')) {
    const i = section.rows.indexOf(region);
    if (i < 0) return section;
    return { ...section, rows: [region], cells: [section.cells[i]], row_totals: [section.row_totals[i]],
      column_totals: section.cells[i], total: section.row_totals[i] };
  }
  if (section.kind === 'groups') {
    const group = section.groups.find((g) => g.key === region);
    if (!group) return section;
    return { ...section, groups: [group], total: group.total };
  }
  return section;
}
