// Signposting: search the line's directory and add a service with one key
// (Enter on a result, or its Add button).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import type { DirectoryService, Reference, Signpost } from '../../lib/types';
import { Select, TextField } from '../../components/Field';
import { options } from '../../lib/reference';

export function Signposting(props: {
  line: string;
  reference: Reference;
  value: Signpost[];
  onChange: (s: Signpost[]) => void;
}) {
  const { line, reference, value, onChange } = props;
  const [q, setQ] = useState('');
  const [need, setNeed] = useState('');
  const [results, setResults] = useState<DirectoryService[]>([]);
  const [message, setMessage] = useState('');
  const seq = useRef(0);

  useEffect(() => {
    const mine = ++seq.current;
    const timer = setTimeout(() => {
      const params = new URLSearchParams({ limit: '8' });
      if (q.trim()) params.set('q', q.trim());
      if (need) params.set('need', need);
      api<{ services: DirectoryService[] }>('GET', `/api/v1/lines/${line}/directory?${params}`)
        .then((r) => mine === seq.current && setResults(r.services))
        .catch((e) => mine === seq.current && setMessage(String(e.message ?? e)));
    }, 200);
    return () => clearTimeout(timer);
  }, [q, need, line]);

  const add = (s: DirectoryService) => {
    if (value.some((v) => v.service_id === s.id)) return;
    onChange([...value, { service_id: s.id, name: `${s.name} — ${s.organisation}` }]);
    setMessage(`Added ${s.name}.`);
  };

  return (
    <div class="signposting">
      <div class="search-row">
        <TextField id="directory-q" label="Search the directory" type="search" value={q} onInput={setQ}
          hint="Words that must all appear. Press Enter on a result to add it." />
        <Select id="directory-need" label="Need" value={need} onChange={setNeed}
          options={options(reference.signposting_categories)} placeholder="Any need" />
      </div>
      <ul class="results" aria-label="Directory results">
        {results.map((s) => (
          <li key={s.id}>
            <button type="button" class="result" onClick={() => add(s)}>
              <span class="result-add">Add </span>
              <span class="result-name">{s.name}</span>
              <span class="muted"> — {s.organisation}</span>
              {s.phone && <span class="muted"> · {s.phone}</span>}
              {s.notice && <span class="badge demo">{s.notice}</span>}
              {s.stale && <span class="badge concern">check details: not assured for over a year</span>}
            </button>
          </li>
        ))}
        {results.length === 0 && <li class="muted">No services match.</li>}
      </ul>
      <h3>Signposted on this call</h3>
      {value.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <ul class="chosen">
          {value.map((s, i) => (
            <li key={`${s.service_id ?? s.name}-${i}`}>
              {s.name}{' '}
              <button type="button" class="small" aria-label={`Remove ${s.name}`}
                onClick={() => onChange(value.filter((_, j) => j !== i))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <p class="visually-hidden" role="status">{message}</p>
    </div>
  );
}
