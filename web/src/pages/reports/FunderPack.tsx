// The monthly funder pack: every fixed report of one month on one page, laid out to print on A4 (or save as PDF
// from the browser's print dialogue). One request (GET .../reports/pack), audited once; every figure is the
// report's own, under the same disclosure control.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { linkHandler } from '../../lib/router';
import { figureText, labelOf } from './format';
import { ReportView } from './ReportView';
import type { Figure, FunderPackData, KeyedFigure, Report } from './types';
import './reports.css';

function sectionOf(report: Report | undefined, name: string) {
  return report?.sections.find((s) => s.name === name);
}

function item(report: Report | undefined, section: string, key: string): Figure | undefined {
  const s = sectionOf(report, section);
  if (!s || s.kind === 'table' || s.kind === 'groups') return undefined;
  return s.items.find((i: KeyedFigure) => i.key === key);
}

// The figures a funder reads first, each from the report that publishes it.
export function headlineFigures(pack: FunderPackData): Array<{ label: string; figure: Figure | undefined }> {
  const byName = new Map(pack.reports.map((r) => [r.report, r]));
  const levels = byName.get('service_levels');
  const demand = byName.get('demand');
  const calls = sectionOf(levels, 'calls');
  const regions = sectionOf(demand, 'contacts_by_region_and_role');
  return [
    { label: 'Calls offered', figure: calls && calls.kind === 'list' ? calls.total : undefined },
    { label: 'Calls answered', figure: item(levels, 'calls', 'answered') },
    { label: 'Answer rate', figure: item(levels, 'timings', 'answer_rate') },
    { label: 'Answered within 20 s', figure: item(levels, 'timings', 'service_level_20s') },
    { label: 'Average speed of answer', figure: item(levels, 'timings', 'average_speed_of_answer_s') },
    { label: 'Contacts (all channels)', figure: regions && regions.kind === 'table' ? regions.total : undefined },
  ];
}

export function FunderPack({ line, month }: { line: string; month: string }) {
  const [pack, setPack] = useState<FunderPackData | null>(null);
  const [problem, setProblem] = useState('');

  useEffect(() => {
    setPack(null);
    setProblem('');
    api<FunderPackData>('GET', `/api/v1/lines/${encodeURIComponent(line)}/reports/pack?period=${encodeURIComponent(month)}`)
      .then(setPack)
      .catch((e: unknown) => setProblem(e instanceof ApiError ? e.message : 'The funder pack could not be loaded.'));
  }, [line, month]);

  const monthName = /^\d{4}-\d{2}$/.test(month)
    ? new Date(`${month}-01T12:00:00Z`).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' })
    : month;

  return (
    <main id="main" class="page funder-pack" data-testid="funder-pack">
      <p class="no-print">
        <a href="/reports" onClick={linkHandler('/reports')}>
          Back to the reports
        </a>{' '}
        <button type="button" onClick={() => window.print()} disabled={!pack}>
          Print or save as PDF
        </button>
      </p>
      <h1>
        Monthly funder pack: {pack ? pack.line_name : line}, {monthName}
      </h1>
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      {!pack && !problem && <p aria-live="polite">Loading the pack…</p>}
      {pack && (
        <>
          <p class="disclosure-note">
            Counts from 0 to {pack.disclosure.threshold} are suppressed and every other count is rounded to the nearest{' '}
            {pack.disclosure.rounding}; a suppressed figure may also hide another. No figure here can point at one caller.
          </p>
          <section aria-labelledby="headline-title" class="pack-part">
            <h2 id="headline-title">Headline figures</h2>
            <dl class="headline-figures" data-testid="headline-figures">
              {headlineFigures(pack).map(({ label, figure }) => (
                <div key={label}>
                  <dt>{label}</dt>
                  <dd>{figure ? figureText(figure) : 'not available'}</dd>
                </div>
              ))}
            </dl>
          </section>
          {pack.reports.map((report) => (
            <section key={report.report} class="pack-part" aria-labelledby={`pack-${report.report}`}>
              <h2 id={`pack-${report.report}`}>{labelOf(report.report)}</h2>
              <ReportView report={report} />
            </section>
          ))}
          <p class="pack-footer">
            Period {pack.period.label} (UTC, {pack.period.from.slice(0, 10)} to the end of the month). Produced by
            crisisline from coded facts only; nothing identifying a caller is in this pack.
          </p>
        </>
      )}
    </main>
  );
}
