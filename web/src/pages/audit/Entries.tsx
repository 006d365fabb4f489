// Browsing the audit log: filters, then pages of entries in seq order.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { FormError, Section, TextField } from '../../components/Field';
import { auditQuery, detailText, noFilters, type AuditEntry, type AuditFilters, type AuditPage } from './types';

export function Entries() {
  const [draft, setDraft] = useState<AuditFilters>(noFilters);
  const [filters, setFilters] = useState<AuditFilters>(noFilters);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [loaded, setLoaded] = useState(false);

  const load = async (which: AuditFilters, fromSeq: number, append: boolean) => {
    setErrors({});
    try {
      const page = await api<AuditPage>('GET', `/api/v1/audit?${auditQuery(which, fromSeq)}`);
      setEntries((old) => (append ? [...old, ...page.entries] : page.entries));
      setNext(page.next_from_seq);
      setLoaded(true);
    } catch (e) {
      setErrors(e instanceof ApiError ? { [e.field || '_']: e.message } : { _: String(e) });
    }
  };

  useEffect(() => {
    void load(filters, 1, false);
  }, [filters]);

  const field = (key: keyof AuditFilters, label: string, type: 'text' | 'date' = 'text') => (
    <TextField
      id={`audit-${key}`}
      label={label}
      type={type}
      value={draft[key]}
      onInput={(v) => setDraft({ ...draft, [key]: v })}
      error={errors[key]}
      maxLength={200}
    />
  );

  return (
    <Section title="Entries" id="entries">
      <form
        class="filters"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ ...draft });
        }}
        noValidate
      >
        {field('actor', 'Who (staff id or system)')}
        {field('action', 'Action, e.g. contact.read')}
        {field('line_id', 'Line')}
        {field('record_id', 'Record id')}
        {field('since', 'From (UTC date)', 'date')}
        {field('before', 'Before (UTC date)', 'date')}
        <button class="primary" type="submit">Show entries</button>
        <button
          type="button"
          onClick={() => {
            setDraft(noFilters);
            setFilters(noFilters);
          }}
        >
          Clear filters
        </button>
      </form>
      <FormError error={errors._} />
      {loaded && entries.length === 0 && <p role="status">No entries match.</p>}
      {entries.length > 0 && (
        <table data-testid="audit-entries">
          <caption class="visually-hidden">Audit log entries, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Seq</th>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Line</th>
              <th scope="col">Record</th>
              <th scope="col">Purpose</th>
              <th scope="col">What changed</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td>{e.at.replace('T', ' ').replace(/\.\d+Z$/, '')}</td>
                <td>{e.actor}</td>
                <td>{e.action}</td>
                <td>{e.line_id}</td>
                <td>{e.record_type ? `${e.record_type} ${e.record_id}` : e.record_id}</td>
                <td>{e.purpose}</td>
                <td>{detailText(e.detail)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next !== null && (
        <button type="button" onClick={() => void load(filters, next, true)}>
          Show more
        </button>
      )}
    </Section>
  );
}
