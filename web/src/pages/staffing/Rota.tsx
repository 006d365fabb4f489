// The rota of a week on the Staffing page: coverage (the plan's counsellors needed against those rostered per
// half hour, gaps marked in words as well as colour, Welsh cover apart), the week's shifts with a form to add or
// change one (UK time), and iCalendar import and export. Staff ids, names and times only.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, fieldErrorsOf, type FieldErrors } from '../../lib/api';
import {
  counsellorsPath,
  coveragePath,
  coverByDay,
  newShiftPath,
  shiftPath,
  shiftsPath,
  ukLocalOf,
  utcOfUkLocal,
  type Coverage,
  type RotaCounsellor,
  type Shift,
  type ShiftWeek,
} from './rotaModel';

type Loaded = { coverage: Coverage; week: ShiftWeek; counsellors: RotaCounsellor[] };

export function Rota({ line, week }: { line: string; week: string }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState('');
  const [changes, setChanges] = useState(0);
  const [notice, setNotice] = useState('');

  useEffect(() => {
    let live = true;
    Promise.all([
      api<Coverage>('GET', coveragePath(line, week)),
      api<ShiftWeek>('GET', shiftsPath(line, week)),
      api<{ counsellors: RotaCounsellor[] }>('GET', counsellorsPath(line)),
    ])
      .then(([coverage, shifts, people]) => {
        if (!live) return;
        setLoaded({ coverage, week: shifts, counsellors: people.counsellors ?? [] });
        setError('');
      })
      .catch((e: unknown) => live && setError(e instanceof ApiError ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [line, week, changes]);

  const changed = (message: string) => {
    setNotice(message);
    setChanges((n) => n + 1);
  };

  if (error) {
    return (
      <section class="panel" aria-labelledby="rota-title">
        <h2 id="rota-title">Rota and coverage</h2>
        <p class="form-error" role="alert">
          {error}
        </p>
      </section>
    );
  }
  if (!loaded || !Array.isArray(loaded.coverage.intervals)) return <p class="loading">Loading the rota…</p>;
  return (
    <>
      <CoverageView coverage={loaded.coverage} />
      <Shifts line={line} week={week} loaded={loaded} notice={notice} onChange={changed} />
    </>
  );
}

function CoverageView({ coverage }: { coverage: Coverage }) {
  return (
    <section class="panel" aria-labelledby="coverage-title">
      <h2 id="coverage-title">Coverage, week {coverage.week}</h2>
      <p class="coverage-summary" data-testid="coverage-summary">
        {coverage.gaps === 0
          ? 'The rota covers every half hour of the plan.'
          : `${coverage.gaps} half hours short of the plan (${coverage.short_by} counsellor half hours in all).`}{' '}
        {coverage.welsh_offered &&
          (coverage.welsh_gaps === 0
            ? 'Enough Welsh speakers are rostered in every half hour.'
            : `${coverage.welsh_gaps} half hours with fewer Welsh speakers rostered than the Welsh calls need.`)}
      </p>
      <table class="coverage-table">
        <caption class="visually-hidden">Counsellors needed and rostered per half hour (UK time)</caption>
        <thead>
          <tr>
            <th scope="col">Half hour (UK)</th>
            <th scope="col" class="num">Needed</th>
            <th scope="col" class="num">Rostered</th>
            <th scope="col" class="num">Welsh speakers (needed / rostered)</th>
            <th scope="col">Gap</th>
          </tr>
        </thead>
        {coverByDay(coverage.intervals).map(({ day, intervals }) => (
          <tbody key={day}>
            <tr class="day">
              <th scope="rowgroup" colSpan={5}>
                {new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { weekday: 'long', day: 'numeric', month: 'long' })}
              </th>
            </tr>
            {intervals.map((c) => (
              <tr key={c.start} data-start={c.start} class={c.gap > 0 ? 'gap' : undefined}>
                <th scope="row">{c.start_uk.slice(11)}</th>
                <td class="num">{c.required}</td>
                <td class="num">{c.rostered}</td>
                <td class={`num${c.welsh_gap ? ' welsh-gap' : ''}`}>
                  {coverage.welsh_offered ? `${c.required_welsh} / ${c.rostered_welsh}` : c.rostered_welsh}
                  {c.welsh_gap && <span class="visually-hidden"> (short of Welsh speakers)</span>}
                </td>
                <td>{c.gap > 0 ? `Short by ${c.gap}` : '–'}</td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </section>
  );
}

const FORM_FIELDS = ['counsellor', 'start', 'end', 'calendar'];

// The server's field error beside its field; any other (or none) above the form.
function shown(error: unknown): FieldErrors {
  const e = fieldErrorsOf(error);
  const [field, message] = Object.entries(e)[0] ?? ['_', ''];
  return FORM_FIELDS.includes(field) ? e : { _: message };
}

type Draft = { id: string | null; counsellor: string; start: string; end: string };

function draftOf(shift: Shift | null, counsellors: RotaCounsellor[], weekFrom: string): Draft {
  if (shift) {
    return { id: shift.id, counsellor: shift.counsellor, start: ukLocalOf(Date.parse(shift.start)), end: ukLocalOf(Date.parse(shift.end)) };
  }
  const monday = Date.parse(weekFrom);
  return {
    id: null,
    counsellor: counsellors[0]?.id ?? '',
    start: ukLocalOf(monday + 7 * 3_600_000),
    end: ukLocalOf(monday + 15 * 3_600_000),
  };
}

function Shifts(props: { line: string; week: string; loaded: Loaded; notice: string; onChange: (m: string) => void }) {
  const { line, week, loaded } = props;
  const [draft, setDraft] = useState<Draft>(() => draftOf(null, loaded.counsellors, loaded.week.from));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [file, setFile] = useState<File | null>(null);

  const save = async (e: Event) => {
    e.preventDefault();
    const start = utcOfUkLocal(draft.start);
    const end = utcOfUkLocal(draft.end);
    if (!start || !end) {
      setErrors(start ? { end: 'Enter the end date and time.' } : { start: 'Enter the start date and time.' });
      return;
    }
    setBusy(true);
    try {
      const body = { counsellor: draft.counsellor, start, end };
      if (draft.id) await api('PUT', shiftPath(line, draft.id), body);
      else await api('POST', newShiftPath(line), body);
      setErrors({});
      const who = loaded.counsellors.find((c) => c.id === draft.counsellor)?.display_name ?? draft.counsellor;
      props.onChange(draft.id ? `Shift of ${who} changed.` : `Shift of ${who} added.`);
      setDraft(draftOf(null, loaded.counsellors, loaded.week.from));
    } catch (err) {
      setErrors(shown(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (s: Shift) => {
    try {
      await api('DELETE', shiftPath(line, s.id));
      props.onChange(`Shift of ${s.display_name || s.counsellor} (${s.start_uk} to ${s.end_uk}) removed.`);
    } catch (err) {
      setErrors(shown(err));
    }
  };

  const importCalendar = async (e: Event) => {
    e.preventDefault();
    if (!file) {
      setErrors({ calendar: 'Choose an iCalendar file (.ics) first.' });
      return;
    }
    try {
      const text = await file.text();
      const done = await api<{ added: number }>('POST', newShiftPath(line), text, 'text/calendar');
      setErrors({});
      props.onChange(`${done.added} shifts imported.`);
    } catch (err) {
      setErrors(shown(err));
    }
  };

  const fieldError = (name: string) =>
    errors[name] ? (
      <p class="field-error" id={`shift-${name}-error`}>
        {errors[name]}
      </p>
    ) : null;
  const described = (name: string) => (errors[name] ? `shift-${name}-error` : undefined);

  return (
    <section class="panel" aria-labelledby="shifts-title">
      <h2 id="shifts-title">Shifts, week {week}</h2>
      <p role="status" class="rota-notice">
        {props.notice}
      </p>
      {errors._ && (
        <p class="form-error" role="alert">
          {errors._}
        </p>
      )}
      <table class="shifts-table">
        <caption class="visually-hidden">The week's shifts (UK time)</caption>
        <thead>
          <tr>
            <th scope="col">Counsellor</th>
            <th scope="col">From (UK)</th>
            <th scope="col">To (UK)</th>
            <th scope="col">Welsh</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {loaded.week.shifts.length === 0 && (
            <tr>
              <td colSpan={5}>No shifts this week yet.</td>
            </tr>
          )}
          {loaded.week.shifts.map((s) => (
            <tr key={s.id} data-shift={s.id} data-counsellor={s.counsellor}>
              <th scope="row">{s.display_name || s.counsellor}</th>
              <td>{s.start_uk}</td>
              <td>{s.end_uk}</td>
              <td>{s.welsh ? 'Yes' : 'No'}</td>
              <td class="shift-actions">
                <button type="button" class="small" onClick={() => setDraft(draftOf(s, loaded.counsellors, loaded.week.from))}>
                  Edit<span class="visually-hidden"> the shift of {s.display_name || s.counsellor} from {s.start_uk}</span>
                </button>{' '}
                <button type="button" class="small" onClick={() => remove(s)}>
                  Remove<span class="visually-hidden"> the shift of {s.display_name || s.counsellor} from {s.start_uk}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <form class="shift-form" onSubmit={save} aria-labelledby="shift-form-title" noValidate>
        <h3 id="shift-form-title">{draft.id ? 'Change the shift' : 'Add a shift'}</h3>
        <div class="field">
          <label for="shift-counsellor">Counsellor</label>
          <select
            id="shift-counsellor"
            value={draft.counsellor}
            aria-describedby={described('counsellor')}
            aria-invalid={errors.counsellor ? 'true' : undefined}
            onChange={(e) => setDraft({ ...draft, counsellor: (e.target as HTMLSelectElement).value })}
          >
            {loaded.counsellors.map((c) => (
              <option key={c.id} value={c.id}>
                {c.display_name}
                {c.welsh ? ' (Welsh)' : ''}
              </option>
            ))}
          </select>
          {fieldError('counsellor')}
        </div>
        <div class="field">
          <label for="shift-start">Start (UK time)</label>
          <input
            id="shift-start"
            type="datetime-local"
            value={draft.start}
            aria-describedby={described('start')}
            aria-invalid={errors.start ? 'true' : undefined}
            onInput={(e) => setDraft({ ...draft, start: (e.target as HTMLInputElement).value })}
          />
          {fieldError('start')}
        </div>
        <div class="field">
          <label for="shift-end">End (UK time)</label>
          <input
            id="shift-end"
            type="datetime-local"
            value={draft.end}
            aria-describedby={described('end')}
            aria-invalid={errors.end ? 'true' : undefined}
            onInput={(e) => setDraft({ ...draft, end: (e.target as HTMLInputElement).value })}
          />
          {fieldError('end')}
        </div>
        <div class="actions-row">
          <button type="submit" disabled={busy}>
            {draft.id ? 'Save the shift' : 'Add the shift'}
          </button>
          {draft.id && (
            <button type="button" class="secondary" onClick={() => setDraft(draftOf(null, loaded.counsellors, loaded.week.from))}>
              Cancel the change
            </button>
          )}
        </div>
      </form>

      <form class="shift-import" onSubmit={importCalendar} aria-labelledby="shift-import-title">
        <h3 id="shift-import-title">iCalendar</h3>
        <div class="field">
          <label for="shift-calendar">Import shifts from an iCalendar file (.ics)</label>
          <input
            id="shift-calendar"
            type="file"
            accept=".ics,text/calendar"
            aria-describedby={described('calendar')}
            onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)}
          />
          {fieldError('calendar')}
        </div>
        <div class="actions-row">
          <button type="submit">Import the shifts</button>
          <a href={shiftsPath(line, week, 'ics')} download>
            Export the rota (iCalendar)
          </a>
        </div>
      </form>
    </section>
  );
}
