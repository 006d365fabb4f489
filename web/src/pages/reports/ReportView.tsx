// One report: each section as a table (headers for screen readers), with a bar per count where it helps.
import { figureText, labelOf } from './format';
import type { Figure, KeyedFigure, Report, Section } from './types';

function Cell({ f }: { f: Figure | KeyedFigure }) {
  return (
    <td class={f.suppressed ? 'figure suppressed' : 'figure'} data-suppressed={f.suppressed ? 'true' : undefined}>
      {figureText(f)}
    </td>
  );
}

function Bar({ f, max }: { f: KeyedFigure; max: number }) {
  if (f.suppressed || f.value === null || max <= 0 || (f.unit && f.unit !== 'count')) return <td />;
  return (
    <td aria-hidden="true">
      <meter class="bar" min={0} max={max} value={f.value} />
    </td>
  );
}

function ItemsTable({ section }: { section: Extract<Section, { items: KeyedFigure[] }> }) {
  const max = Math.max(0, ...section.items.map((i) => (i.suppressed || i.value === null ? 0 : i.value)));
  const showBars = section.kind !== 'figures';
  return (
    <table class="report-table" data-testid={`section-${section.name}`}>
      <caption>{labelOf(section.name)}</caption>
      <thead>
        <tr>
          <th scope="col">{section.kind === 'figures' ? 'Figure' : 'Category'}</th>
          <th scope="col">Value</th>
          {showBars && <th scope="col" aria-hidden="true" />}
        </tr>
      </thead>
      <tbody>
        {section.items.map((item) => (
          <tr key={item.key}>
            <th scope="row">{labelOf(item.key)}</th>
            <Cell f={item} />
            {showBars && <Bar f={item} max={max} />}
          </tr>
        ))}
      </tbody>
      {section.kind === 'list' && (
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <Cell f={section.total} />
            {showBars && <td />}
          </tr>
        </tfoot>
      )}
    </table>
  );
}

function CrossTable({ section }: { section: Extract<Section, { kind: 'table' }> }) {
  return (
    <div class="report-scroll">
      <table class="report-table cross" data-testid={`section-${section.name}`}>
        <caption>{labelOf(section.name)}</caption>
        <thead>
          <tr>
            <td />
            {section.columns.map((c) => (
              <th scope="col" key={c}>
                {labelOf(c)}
              </th>
            ))}
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {section.rows.map((r, i) => (
            <tr key={r}>
              <th scope="row">{labelOf(r)}</th>
              {section.cells[i].map((f, j) => (
                <Cell key={section.columns[j]} f={f} />
              ))}
              <Cell f={section.row_totals[i]} />
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            {section.column_totals.map((f, j) => (
              <Cell key={section.columns[j]} f={f} />
            ))}
            <Cell f={section.total} />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

export function ReportView({ report }: { report: Report }) {
  return (
    <section aria-label={labelOf(report.report)} data-testid="report">
      {report.sections.map((s) =>
        s.kind === 'table' ? <CrossTable key={s.name} section={s} /> : <ItemsTable key={s.name} section={s} />,
      )}
      {report.not_available.length > 0 && (
        <div class="not-available">
          <h3>Not in this report yet</h3>
          <ul>
            {report.not_available.map((n) => (
              <li key={n.figure}>
                {labelOf(n.figure)}: {n.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
