// The fixed reports as the API answers them (docs/api.md, "Reports").
export interface Figure {
  value: number | null;
  suppressed: boolean;
  // A structural zero: a cell no contact can be in (before a region's start, in a period after it).
  not_applicable?: boolean;
}

export interface KeyedFigure extends Figure {
  key: string;
  unit?: 'count' | 'fraction' | 'seconds' | 'per_1000_workforce';
}

export type Section =
  | { name: string; kind: 'list'; items: KeyedFigure[]; total: Figure }
  | { name: string; kind: 'counts' | 'figures'; items: KeyedFigure[] }
  | {
      name: string;
      kind: 'table';
      rows: string[];
      columns: string[];
      cells: Figure[][];
      row_totals: Figure[];
      column_totals: Figure[];
      total: Figure;
    }
  // Counts nested in groups (demand's contacts_by_force: each region's forces, then not_recorded), each group's
  // total the same figure as the region's total in the demand table.
  | {
      name: string;
      kind: 'groups';
      groups: Array<{ key: string; items: KeyedFigure[]; total: Figure }>;
      total: Figure;
    };

export interface Report {
  line_id: string;
  report: string;
  period: { label: string; kind: string; from: string; to: string };
  disclosure: { threshold: number; rounding: number };
  sections: Section[];
  not_available: Array<{ figure: string; reason: string }>;
  // roll_out only: the line's regions and the day each began, with the workforce the operator entered.
  region_starts?: Array<{ region: string; began: string; workforce: number | null; workforce_source: string }>;
}

export interface ReportChoices {
  lines: Array<{ id: string; name: string }>;
  reports: string[];
}

// The monthly funder pack: every report of one month (GET /api/v1/lines/{line}/reports/pack?period=YYYY-MM).
export interface FunderPackData {
  line_id: string;
  line_name: string;
  period: Report['period'];
  disclosure: Report['disclosure'];
  reports: Report[];
}
