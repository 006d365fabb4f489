// One report: each section as a table (headers for screen readers), with a bar per count where it helps, and a
// chart beside it.
import { useMemo } from 'preact/hooks';
import { useReference } from '../../lib/reference';
import { chartDataOf } from './chartData';
import { figureText, labelOf } from './format';
import { ReportChart } from './ReportChart';
import type { Figure, KeyedFigure, Report, Section } from './types';
import { sectionForRegion } from './regions';

function Cell({ f }: { f: Figure | KeyedFigure }) {
  return (
    <td
      class={f.suppressed ? 'figure suppressed' : f.not_applicable ? 'figure not-applicable' : 'figure'}
      data-suppressed={f.suppressed ? 'true' : undefined}
    >
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
    // A wide table scrolls sideways: the region takes the keyboard focus so it can be scrolled without a mouse.
    <div class="report-scroll" role="region" aria-label={labelOf(section.name)} tabIndex={0}>
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

// Each group (a region) is a row group headed by its name, its items (forces) below it, then its total.
function GroupsTable({ section, names }: { section: Extract<Section, { kind: 'groups' }>; names: Record<string, string> }) {
  return (
    <table class="report-table groups" data-testid={`section-${section.name}`}>
      <caption>{labelOf(section.name)}</caption>
      <thead>
        <tr>
          <th scope="col">Force</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      {section.groups.map((g) => (
        <tbody key={g.key}>
          <tr>
            <th scope="rowgroup" colSpan={2} class="group-heading">
              {labelOf(g.key)}
            </th>
          </tr>
          {g.items.map((item) => (
            <tr key={item.key}>
              <th scope="row">{item.key === 'not_recorded' ? 'Force not recorded' : (names[item.key] ?? labelOf(item.key))}</th>
              <Cell f={item} />
            </tr>
          ))}
          <tr class="group-total">
            <th scope="row">Total, {labelOf(g.key)}</th>
            <Cell f={g.total} />
          </tr>
        </tbody>
      ))}
      <tfoot>
        <tr>
          <th scope="row">Total</th>
          <Cell f={section.total} />
        </tr>
      </tfoot>
    </table>
  );
}

function SectionTable({ section, names }: { section: Section; names: Record<string, string> }) {
  if (section.kind === 'table') return <CrossTable section={section} />;
  if (section.kind === 'groups') return <GroupsTable section={section} names={names} />;
  return <ItemsTable section={section} />;
}

function SectionView({ section, names }: { section: Section; names: Record<string, string> }) {
  const chart = chartDataOf(section, names);
  return (
    <div class="report-section">
      <SectionTable section={section} names={names} />
      {chart && <ReportChart name={section.name} data={chart} />}
    </div>
  );
}

function RegionStarts({ starts }: { starts: NonNullable<Report['region_starts']> }) {
  return (
    <table class="report-table" data-testid="region-starts">
      <caption>Regions served and since when</caption>
      <thead>
        <tr>
          <th scope="col">Region</th>
          <th scope="col">Began</th>
          <th scope="col">Workforce</th>
          <th scope="col">Source of the workforce figure</th>
        </tr>
      </thead>
      <tbody>
        {starts.map((s) => (
          <tr key={s.region}>
            <th scope="row">{s.region}</th>
            <td>{s.began}</td>
            <td class="figure">{s.workforce === null ? 'not entered' : s.workforce.toLocaleString('en-GB')}</td>
            <td>{s.workforce_source}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// `region`: show only that region's part of the by-region sections ("" for every region).
export function ReportView({ report, region = '' }: { report: Report; region?: string }) {
  // Forces by the reference list's names ("Cleveland Police"); until it has loaded, the codes in words.
  const reference = useReference();
  const names = useMemo(() => Object.fromEntries((reference?.forces ?? []).map((f) => [f.code, f.name])), [reference]);
  return (
    <section aria-label={labelOf(report.report)} data-testid="report">
      {report.sections.map((s) => (
        <SectionView key={s.name} section={region ? sectionForRegion(s, region) : s} names={names} />
      ))}
      {report.region_starts && report.region_starts.length > 0 && <RegionStarts starts={report.region_starts} />}
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
