// The overdue follow-ups of one line, reached from the wallboard's count: the
// window, who has it and how many attempts, never the number or notes.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { dateTime } from '../../lib/format';
import { linkHandler } from '../../lib/router';
import { useSession } from '../../lib/session';
import './wallboard.css';

interface OverdueSummary {
  id: string;
  status: string;
  earliest: string;
  latest: string;
  assigned_to?: string;
  attempts?: unknown[] | number;
  max_attempts?: number;
}

export function attemptsText(f: Pick<OverdueSummary, 'attempts' | 'max_attempts'>): string {
  const n = Array.isArray(f.attempts) ? f.attempts.length : typeof f.attempts === 'number' ? f.attempts : 0;
  return f.max_attempts ? `${n} of ${f.max_attempts}` : String(n);
}

export function OverdueFollowUps({ line }: { line: string }) {
  const { live } = useSession();
  const [rows, setRows] = useState<OverdueSummary[] | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    let alive = true;
    api<{ follow_ups: OverdueSummary[] }>('GET', `/api/v1/lines/${encodeURIComponent(line)}/follow-ups?status=overdue`)
      .then((r) => alive && setRows([...r.follow_ups].sort((a, b) => a.latest.localeCompare(b.latest))))
      .catch((e: unknown) => alive && setError(e instanceof ApiError ? e.message : String(e)));
    return () => {
      alive = false;
    };
  }, [line]);

  const names: Record<string, string> = {};
  for (const c of live.picture?.counsellors ?? []) names[c.counsellor] = c.display_name;
  const assignee = (a?: string) => (!a || a === 'pool' ? 'Any counsellor (pool)' : names[a] ?? a);

  return (
    <main id="main" class="page wallboard">
      <p>
        <a href="/wallboard" onClick={linkHandler('/wallboard')}>
          Back to the wallboard
        </a>
      </p>
      <h1>Overdue follow-ups: {line}</h1>
      <p class="muted">Follow-up calls whose agreed window has passed. Numbers and notes are not shown here.</p>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {!error && rows === null && <p>Loading…</p>}
      {rows && rows.length === 0 && <p>No follow-ups are overdue on this line.</p>}
      {rows && rows.length > 0 && (
        <table>
          <caption class="visually-hidden">Overdue follow-ups</caption>
          <thead>
            <tr>
              <th scope="col">Follow-up</th>
              <th scope="col">Window</th>
              <th scope="col">Assigned to</th>
              <th scope="col">Attempts</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr key={f.id}>
                <td>
                  <code>{f.id}</code>
                </td>
                <td>
                  {dateTime(f.earliest)} – {dateTime(f.latest)}
                </td>
                <td>{assignee(f.assigned_to)}</td>
                <td class="num">{attemptsText(f)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
