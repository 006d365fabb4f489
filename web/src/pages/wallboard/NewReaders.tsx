// Who can newly read a line's contacts: each counsellor or supervisor role given on a line the supervisor
// serves, for 7 days or until a supervisor of the line acknowledges it (who, which role, when; no content).
// Refreshed whenever the live feed says one was added or acknowledged.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { dateTime } from '../../lib/format';
import { messageOf } from '../admin/shared';

export interface Announcement {
  id: string;
  line: string;
  kind: string;
  staff_id: string;
  display_name: string;
  role: string;
  at: string;
  expires_at: string;
}

const ROLE_WORDS: Record<string, string> = { counsellor: 'counsellor', supervisor: 'supervisor' };

export function NewReaders(props: { lines: string[]; lineNames: Record<string, string>; changes: number }) {
  const [items, setItems] = useState<Announcement[]>([]);
  const [error, setError] = useState('');
  const key = props.lines.join(',');

  useEffect(() => {
    let alive = true;
    Promise.all(
      props.lines.map((line) =>
        api<{ announcements: Announcement[] }>('GET', `/api/v1/lines/${encodeURIComponent(line)}/announcements`),
      ),
    )
      .then((answers) => {
        if (!alive) return;
        setItems(answers.flatMap((a) => a.announcements));
        setError('');
      })
      .catch((e) => alive && setError(messageOf(e)));
    return () => {
      alive = false;
    };
  }, [key, props.changes]);

  const acknowledge = async (a: Announcement) => {
    try {
      await api('POST', `/api/v1/lines/${encodeURIComponent(a.line)}/announcements/${encodeURIComponent(a.id)}/acknowledge`);
      setItems((list) => list.filter((x) => x.id !== a.id));
      setTimeout(() => {
        const next = document.querySelector<HTMLElement>('.wb-reader-ack') ?? document.getElementById('wb-readers-title');
        next?.focus();
      }, 0);
    } catch (e) {
      setError(messageOf(e));
    }
  };

  if (items.length === 0 && !error) return null;
  return (
    <section class="wb-panel wb-readers" aria-labelledby="wb-readers-title">
      <h2 id="wb-readers-title" tabIndex={-1}>
        New access to contacts
      </h2>
      {error && <p role="alert">{error}</p>}
      <ul>
        {items.map((a) => (
          <li key={a.id}>
            <strong>{a.display_name || a.staff_id}</strong> can now read contacts of{' '}
            {props.lineNames[a.line] ?? a.line} as {ROLE_WORDS[a.role] ?? a.role} (since {dateTime(a.at)}).{' '}
            <button type="button" class="small wb-reader-ack" onClick={() => acknowledge(a)}>
              Mark as seen<span class="visually-hidden">: {a.display_name || a.staff_id} can read contacts</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
