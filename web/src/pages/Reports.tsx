// Reports for service managers (every line) and supervisors (their lines): the fixed reports under disclosure
// control, one at a time (each request is audited and counts against an hourly allowance), with its CSV.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { linkHandler } from '../lib/router';
import { labelOf, lastWholeMonth, periodOf } from './reports/format';
import { ReportView } from './reports/ReportView';
import { regionsOf } from './reports/regions';
import type { Report, ReportChoices } from './reports/types';
import './reports/reports.css';

type Kind = 'month' | 'quarter' | 'year';

export function Reports({ now = new Date() }: { now?: Date }) {
  const [choices, setChoices] = useState<ReportChoices | null>(null);
  const [problem, setProblem] = useState('');
  const [line, setLine] = useState('');
  const [report, setReport] = useState('service_levels');
  const [kind, setKind] = useState<Kind>('month');
  const [month, setMonth] = useState(lastWholeMonth(now));
  const [year, setYear] = useState(lastWholeMonth(now).slice(0, 4));
  const [quarter, setQuarter] = useState('1');
  const [shown, setShown] = useState<Report | null>(null);
  const [busy, setBusy] = useState(false);
  const [region, setRegion] = useState('');  // '' : every region

  useEffect(() => {
    api<ReportChoices>('GET', '/api/v1/reports')
      .then((c) => {
        setChoices(c);
        if (c.lines.length) setLine(c.lines[0].id);
        if (c.reports.length) setReport(c.reports[0]);
      })
      .catch((e: unknown) => setProblem(e instanceof ApiError ? e.message : 'The reports could not be loaded.'));
  }, []);

  const period = periodOf(kind, month, year, quarter);
  const query = `period=${encodeURIComponent(period)}`;
  const path = `/api/v1/lines/${encodeURIComponent(line)}/reports/${encodeURIComponent(report)}`;

  async function show(e: Event) {
    e.preventDefault();
    setBusy(true);
    setProblem('');
    try {
      setShown(await api<Report>('GET', `${path}?${query}`));
      setRegion('');
    } catch (err) {
      setShown(null);
      setProblem(err instanceof ApiError ? err.message : 'The report could not be loaded.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="page">
      <h1>Reports</h1>
      <p class="disclosure-note">
        Whole calendar months, quarters and years only. Counts from 0 to 7 are suppressed and every other count is
        rounded to the nearest 5, so no figure can point at one caller; a suppressed figure may also be hidden to
        protect another. Each report you open is recorded in the audit log.
      </p>
      {choices && (
        <form class="report-controls" onSubmit={show}>
          <label>
            Line
            <select value={line} onChange={(e) => setLine((e.target as HTMLSelectElement).value)}>
              {choices.lines.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Report
            <select value={report} onChange={(e) => setReport((e.target as HTMLSelectElement).value)}>
              {choices.reports.map((r) => (
                <option key={r} value={r}>
                  {labelOf(r)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Period
            <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as Kind)}>
              <option value="month">Month</option>
              <option value="quarter">Quarter</option>
              <option value="year">Year</option>
            </select>
          </label>
          {kind === 'month' ? (
            <label>
              Month
              <input
                type="month"
                value={month}
                required
                onInput={(e) => setMonth((e.target as HTMLInputElement).value)}
              />
            </label>
          ) : (
            <label>
              Year
              <input
                type="number"
                min={2000}
                max={2099}
                value={year}
                required
                onInput={(e) => setYear((e.target as HTMLInputElement).value)}
              />
            </label>
          )}
          {kind === 'quarter' && (
            <label>
              Quarter
              <select value={quarter} onChange={(e) => setQuarter((e.target as HTMLSelectElement).value)}>
                {['1', '2', '3', '4'].map((q) => (
                  <option key={q} value={q}>
                    Q{q}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button type="submit" disabled={busy || !line}>
            Show report
          </button>
        </form>
      )}
      {choices && line && (
        <p>
          <a
            href={`/reports/pack?line=${encodeURIComponent(line)}&month=${encodeURIComponent(month)}`}
            onClick={linkHandler(`/reports/pack?line=${encodeURIComponent(line)}&month=${encodeURIComponent(month)}`)}
          >
            Open the monthly funder pack for {month} (printable, A4)
          </a>
        </p>
      )}
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      {shown && (
        <>
          <h2>
            {labelOf(shown.report)}, {shown.period.label}
          </h2>
          <p>
            <a href={`/api/v1/lines/${encodeURIComponent(shown.line_id)}/reports/${encodeURIComponent(shown.report)}?period=${encodeURIComponent(shown.period.label)}&format=csv`}>
              Download this report as CSV
            </a>
          </p>
          {regionsOf(shown).length > 0 && (
            <p class="report-controls">
              <label>
                Region
                <select value={region} onChange={(e) => setRegion((e.target as HTMLSelectElement).value)}>
                  <option value="">Every region</option>
                  {regionsOf(shown).map((r) => (
                    <option key={r} value={r}>
                      {r === 'not_recorded' ? 'Region not recorded' : r}
                    </option>
                  ))}
                </select>
              </label>{' '}
              (shows that region's part of this report; nothing more is asked of the server)
            </p>
          )}
          <ReportView report={shown} region={region} />
        </>
      )}
    </main>
  );
}
