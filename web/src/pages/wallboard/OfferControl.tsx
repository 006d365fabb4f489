// "Offer to…" on a waiting caller: a supervisor of the line offers them to a counsellor they choose (a Welsh
// speaker, a specialist), ahead of the routing order, while the caller keeps their place
// (POST /api/v1/lines/{line}/calls/{call}/offer). The list is the server's: the line's counsellors who are
// available now (or ringing for another waiting caller) and whose phone can ring; names and ids only.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import type { WaitingRow } from './model';

interface OfferTarget {
  counsellor: string;
  name: string;
  state: string;
}

function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : String(e);
}

export function OfferControl({ row }: { row: WaitingRow }) {
  const [open, setOpen] = useState(false);
  const [targets, setTargets] = useState<OfferTarget[] | null>(null);
  const [chosen, setChosen] = useState('');
  const [message, setMessage] = useState('');
  const opener = useRef<HTMLButtonElement>(null);
  const select = useRef<HTMLSelectElement>(null);
  const base = `/api/v1/lines/${encodeURIComponent(row.line)}/calls/${encodeURIComponent(row.call)}`;
  const id = `wb-offer-${row.call}`;

  useEffect(() => {
    if (open && targets?.length) select.current?.focus();
  }, [open, targets]);

  const show = () => {
    setOpen(true);
    setMessage('');
    setTargets(null);
    api<{ counsellors: OfferTarget[] }>('GET', `${base}/offer-targets`)
      .then((r) => {
        setTargets(r.counsellors);
        setChosen(r.counsellors[0]?.counsellor ?? '');
      })
      .catch((e) => setMessage(errorText(e)));
  };
  const close = () => {
    setOpen(false);
    setTimeout(() => opener.current?.focus(), 0);
  };
  const offer = (e: Event) => {
    e.preventDefault();
    const name = targets?.find((t) => t.counsellor === chosen)?.name ?? chosen;
    api('POST', `${base}/offer`, { counsellor: chosen })
      .then(() => {
        setMessage(`Offered to ${name}: their phone rings.`);
        close();
      })
      .catch((err) => setMessage(errorText(err)));
  };

  if (row.offeredTo) return <span class="muted">Offered to {row.offeredToName ?? row.offeredTo}</span>;
  return (
    <div class="wb-offer" onKeyDown={(e) => e.key === 'Escape' && open && close()}>
      {!open && (
        <button type="button" ref={opener} aria-expanded="false" aria-controls={id} onClick={show}>
          Offer to…<span class="visually-hidden"> (caller {row.position} waiting)</span>
        </button>
      )}
      {open && (
        <form id={id} class="wb-offer-form" onSubmit={offer} aria-label={`Offer caller ${row.position} to a counsellor`}>
          {targets === null && !message && <span class="muted">Finding available counsellors…</span>}
          {targets?.length === 0 && <span class="muted">No counsellor of the line is available now.</span>}
          {!!targets?.length && (
            <>
              <label for={`${id}-who`}>Counsellor</label>{' '}
              <select id={`${id}-who`} ref={select} value={chosen}
                onChange={(e) => setChosen((e.target as HTMLSelectElement).value)}>
                {targets.map((t) => (
                  <option key={t.counsellor} value={t.counsellor}>
                    {t.name}{t.state === 'ringing' ? ' (ringing for another caller)' : ''}
                  </option>
                ))}
              </select>{' '}
              <button type="submit">Offer</button>{' '}
            </>
          )}
          <button type="button" onClick={close}>Cancel</button>
        </form>
      )}
      <span role="status" class="wb-offer-status">{message}</span>
    </div>
  );
}
