// Who the rota has on now but is not signed in, per line (staff ids and display names only, never caller data):
// refreshed every minute, as shifts start and people sign in.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { messageOf } from '../admin/shared';
import { rosteredNowPath } from '../staffing/rotaModel';

export const ROSTER_REFRESH_MS = 60_000;

interface Absent {
  staff_id: string;
  display_name: string;
  start: string;
  end: string;
}
interface RosteredNow {
  line: string;
  rostered: number;
  not_signed_in: Absent[];
}

const time = (iso: string) =>
  new Date(iso).toLocaleTimeString('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' });

export function RosteredAbsent(props: { lines: string[]; lineNames: Record<string, string> }) {
  const [answers, setAnswers] = useState<RosteredNow[]>([]);
  const [error, setError] = useState('');
  const key = props.lines.join(',');

  useEffect(() => {
    let alive = true;
    const load = () =>
      Promise.all(props.lines.map((line) => api<RosteredNow>('GET', rosteredNowPath(line))))
        .then((all) => {
          if (!alive) return;
          setAnswers(all.filter((a) => a && Array.isArray(a.not_signed_in)));
          setError('');
        })
        .catch((e) => alive && setError(messageOf(e)));
    void load();
    const timer = setInterval(load, ROSTER_REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [key]);

  const absent = answers.flatMap((a) => a.not_signed_in.map((p) => ({ ...p, line: a.line })));
  const rostered = answers.reduce((n, a) => n + a.rostered, 0);
  if (!error && rostered === 0) return null;
  return (
    <section class="wb-panel wb-rostered" aria-labelledby="wb-rostered-title">
      <h2 id="wb-rostered-title">Rostered now, not signed in</h2>
      {error && <p role="alert">{error}</p>}
      {!error && absent.length === 0 && <p>Everyone rostered now ({rostered}) is signed in.</p>}
      {absent.length > 0 && (
        <ul>
          {absent.map((p) => (
            <li key={`${p.line}-${p.staff_id}-${p.start}`} data-staff={p.staff_id}>
              <strong>{p.display_name || p.staff_id}</strong>, {props.lineNames[p.line] ?? p.line}, shift {time(p.start)} to{' '}
              {time(p.end)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
