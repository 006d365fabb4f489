// The fixed reports as the API answers them (docs/api.md, "Reports").
export interface Figure {
  value: number | null;
  suppressed: boolean;
}

export interface KeyedFigure extends Figure {
  key: string;
  unit?: 'count' | 'fraction' | 'seconds';
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
    };

export interface Report {
  line_id: string;
  report: string;
  period: { label: string; kind: string; from: string; to: string };
  disclosure: { threshold: number; rounding: number };
  sections: Section[];
  not_available: Array<{ figure: string; reason: string }>;
}

export interface ReportChoices {
  lines: Array<{ id: string; name: string }>;
  reports: string[];
}
