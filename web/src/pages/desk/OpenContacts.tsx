// My contacts not yet wrapped up (a call that ended while I was away from the desk, a reload after the
// wrap-up time): each one reopens with everything saved so far. A supervisor's list holds the whole line's open
// contacts; only their own are theirs to wrap up (the server refuses anyone else's).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { dateTime } from '../../lib/format';
import type { Contact } from '../../lib/types';

export function OpenContacts(props: {
  lines: string[];
  me: string;
  currentId: string | null;
  refreshKey: number;
  onOpen: (line: string, id: string) => void;
}) {
  const [rows, setRows] = useState<Array<{ line: string; contact: Contact }>>([]);
  useEffect(() => {
    let live = true;
    Promise.all(
      props.lines.map((line) =>
        api<{ contacts: Contact[] }>('GET', `/api/v1/lines/${line}/contacts?status=open&limit=20`)
          .then((r) => r.contacts.map((contact) => ({ line, contact })))
          .catch(() => []),
      ),
    ).then((all) => live && setRows(all.flat()));
    return () => {
      live = false;
    };
  }, [props.lines.join(','), props.refreshKey]);
  const others = rows.filter((r) => r.contact.id !== props.currentId && r.contact.counsellor_id === props.me);
  if (others.length === 0) return null;
  return (
    <section class="panel" aria-labelledby="open-title">
      <h2 id="open-title">Awaiting wrap-up</h2>
      <ul class="fu-list">
        {others.map(({ line, contact }) => (
          <li key={contact.id} class="fu">
            Call at {dateTime(contact.arrived_at)}{' '}
            <button type="button" class="small" onClick={() => props.onOpen(line, contact.id)}
              aria-label={`Open the contact of the call at ${dateTime(contact.arrived_at)}`}>
              Open
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
