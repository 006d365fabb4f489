// Staffing (service managers and supervisors): next week's forecast calls and the counsellors each half hour
// needs for the line's target, by Erlang C and Erlang A, with the plan's CSV; then the week's rota against it
// (staffing/Rota.tsx). Aggregates and staff only: nothing of a caller.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { useSession } from '../lib/session';
import { percent } from '../lib/format';
import { PlanChart } from './staffing/PlanChart';
import { Rota } from './staffing/Rota';
import { byDay, count, methodText, newRegionText, planPath, type StaffingPlan } from './staffing/model';
import './staffing/staffing.css';

type State = { status: 'loading' } | { status: 'ok'; plan: StaffingPlan } | { status: 'error'; message: string };

export function Staffing() {
  const { session } = useSession();
  const lines = session.staff.lines;
  const [line, setLine] = useState(lines[0] ?? '');
  const [week, setWeek] = useState('');  // empty: the server's next week
  const [state, setState] = useState<State>({ status: 'loading' });
  const [whatIf, setWhatIf] = useState(0);  // 0: none; else the counsellors on the phones to see the figures for

  useEffect(() => {
    if (!line) return;
    let live = true;
    setState({ status: 'loading' });
    api<StaffingPlan>('GET', planPath(line, week, undefined, whatIf || undefined))
      .then((plan) => live && setState({ status: 'ok', plan }))
      .catch((e: unknown) => live && setState({ status: 'error', message: e instanceof ApiError ? e.message : String(e) }));
    return () => {
      live = false;
    };
  }, [line, week, whatIf]);

  return (
    <main id="main" class="page staffing">
      <h1>Staffing</h1>
      {!lines.length && <p>You serve no line yet, so there is no plan to show.</p>}
      {lines.length > 0 && (
        <form class="actions-row" onSubmit={(e) => e.preventDefault()}>
          <div class="field">
            <label for="staffing-line">Line</label>
            <select id="staffing-line" value={line} onChange={(e) => setLine((e.target as HTMLSelectElement).value)}>
              {lines.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="staffing-week">Week</label>
            <input
              id="staffing-week"
              type="week"
              value={state.status === 'ok' && !week ? state.plan.week : week}
              onChange={(e) => setWeek((e.target as HTMLInputElement).value)}
            />
          </div>
          <div class="field">
            <label for="staffing-what-if">What if this many were on the phones</label>
            <input
              id="staffing-what-if"
              type="number"
              min={1}
              max={1000}
              placeholder="the plan's own"
              value={whatIf || ''}
              onChange={(e) => {
                const n = Number((e.target as HTMLInputElement).value);
                setWhatIf(Number.isInteger(n) && n >= 1 && n <= 1000 ? n : 0);
              }}
            />
          </div>
          {state.status === 'ok' && (
            <a href={planPath(line, state.plan.week, 'csv')} download>
              Export the plan (CSV)
            </a>
          )}
        </form>
      )}
      {state.status === 'loading' && lines.length > 0 && <p class="loading">Loading the plan…</p>}
      {state.status === 'error' && (
        <p class="form-error" role="alert">
          {state.message}
        </p>
      )}
      {state.status === 'ok' && <Plan plan={state.plan} />}
      {state.status === 'ok' && <Rota line={line} week={state.plan.week} />}
    </main>
  );
}

function Plan({ plan }: { plan: StaffingPlan }) {
  const t = plan.target;
  const withA = plan.patience_s !== null;
  const chosen = plan.chosen_on_phones ?? null;  // the what-if asked for, if any
  return (
    <>
      <section class="panel" aria-labelledby="staffing-summary">
        <h2 id="staffing-summary">
          {plan.line}, week {plan.week}
        </h2>
        <ul class="staffing-facts">
          <li>
            Target: {t.service_level_percent}% answered within {t.target_s} s; occupancy at most {t.max_occupancy_percent}%;
            shrinkage {t.shrinkage_percent}%; at least {t.min_counsellors} on the phones.
          </li>
          <li>
            Forecast: {methodText(plan)}, from {count(plan.history.calls)} calls.
            {plan.forecast.backtest && (
              <> Error over the last {plan.forecast.backtest.weeks} weeks (WAPE): {percent(plan.forecast.backtest.wape)}.</>
            )}
          </li>
          <li>
            Handling time {Math.round(plan.handling_s)} s (talk and wrap-up, {count(plan.handling_measured_calls)} calls measured);{' '}
            {withA
              ? `callers' patience ${Math.round(plan.patience_s ?? 0)} s (${count(plan.patience_abandoned_calls)} abandoned).`
              : 'nobody abandoned, so no patience to estimate: Erlang A is not shown.'}
          </li>
          <li>
            The week: {plan.totals.forecast_calls.toFixed(0)} calls forecast; Erlang C needs {plan.totals.erlang_c_rostered_hours}{' '}
            rostered counsellor-hours (peak {plan.totals.erlang_c_peak_rostered})
            {withA && `, Erlang A ${plan.totals.erlang_a_rostered_hours} (peak ${plan.totals.erlang_a_peak_rostered})`}.
          </li>
          {(plan.new_regions ?? []).length > 0 && (
            <li data-testid="new-regions">
              Regions not started yet:{' '}
              {(plan.new_regions ?? []).map((r) => newRegionText(r)).join(' ')}
            </li>
          )}
        </ul>
        <PlanChart intervals={plan.intervals} />
      </section>
      <table class="staffing-table">
        <caption class="visually-hidden">Forecast and counsellors needed per half hour (UK time)</caption>
        <thead>
          <tr>
            <th scope="col">Half hour (UK)</th>
            <th scope="col" class="num">Calls</th>
            <th scope="col" class="num">Erlang C: on phones</th>
            <th scope="col" class="num">rostered</th>
            <th scope="col" class="num">service level</th>
            <th scope="col" class="num">P(wait)</th>
            <th scope="col" class="num">ASA</th>
            <th scope="col" class="num">occupancy</th>
            {withA && (
              <>
                <th scope="col" class="num">Erlang A: on phones</th>
                <th scope="col" class="num">rostered</th>
                <th scope="col" class="num">service level</th>
                <th scope="col" class="num">abandon</th>
              </>
            )}
            {chosen !== null && (
              <>
                <th scope="col" class="num">With {chosen} on phones: service level (C)</th>
                <th scope="col" class="num">ASA (C)</th>
                {withA && <th scope="col" class="num">service level (A)</th>}
              </>
            )}
          </tr>
        </thead>
        {byDay(plan.intervals).map(({ day, intervals }) => (
          <tbody key={day}>
            <tr class="day">
              <th scope="rowgroup" colSpan={(withA ? 12 : 8) + (chosen === null ? 0 : withA ? 3 : 2)}>
                {new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long' })}
              </th>
            </tr>
            {intervals.map((i) => (
              <tr key={i.start} data-start={i.start}>
                <th scope="row">{i.start_uk.slice(11)}</th>
                <td class="num">{i.forecast_calls.toFixed(1)}</td>
                <td class="num">{i.erlang_c.on_phones}</td>
                <td class="num">{i.erlang_c.rostered}</td>
                <td class="num">{percent(i.erlang_c.service_level)}</td>
                <td class="num">{percent(i.erlang_c.p_wait)}</td>
                <td class="num">{i.erlang_c.asa_s.toFixed(0)} s</td>
                <td class="num">{percent(i.erlang_c.occupancy)}</td>
                {withA && (
                  <>
                    <td class="num">{i.erlang_a?.on_phones ?? '–'}</td>
                    <td class="num">{i.erlang_a?.rostered ?? '–'}</td>
                    <td class="num">{percent(i.erlang_a?.service_level)}</td>
                    <td class="num">{percent(i.erlang_a?.p_abandon)}</td>
                  </>
                )}
                {chosen !== null && (
                  <>
                    <td class="num">{percent(i.chosen?.erlang_c.service_level)}</td>
                    <td class="num">{i.chosen?.erlang_c.asa_s == null ? 'no end' : `${i.chosen.erlang_c.asa_s.toFixed(0)} s`}</td>
                    {withA && <td class="num">{percent(i.chosen?.erlang_a?.service_level)}</td>}
                  </>
                )}
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </>
  );
}
