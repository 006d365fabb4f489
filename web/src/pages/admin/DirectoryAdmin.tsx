// The signposting directory of a line: search, add, change and remove services,
// and exchange the whole directory as HSDS JSON (export to a file, import from one).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { FormError, Section, Select, TextArea, TextField } from '../../components/Field';
import { Choices, ConfirmButton, StatusLine } from './controls';
import {
  errorsFor,
  LANGUAGE_OPTIONS,
  messageOf,
  regionOptions,
  useReference,
  type Errors,
  type LineConfig,
  type Option,
  type ServiceRecord,
} from './shared';

const SERVICE_FIELDS = [
  'organisation', 'name', 'description', 'eligibility', 'service_areas', 'phone', 'email', 'url',
  'opening_times', 'categories', 'languages', 'assured_date',
] as const;

const SEARCH_LIMIT = 100;

export function DirectoryAdmin() {
  const [lines, setLines] = useState<LineConfig[] | null>(null);
  const [line, setLine] = useState('');
  const [loadError, setLoadError] = useState('');
  const [status, setStatus] = useState('');

  useEffect(() => {
    api<{ lines: LineConfig[] }>('GET', '/api/v1/lines')
      .then((r) => {
        setLines(r.lines);
        if (r.lines.length) setLine((l) => l || r.lines[0].id);
      })
      .catch((e) => setLoadError(messageOf(e)));
  }, []);

  return (
    <>
      <Section title="Signposting directory" id="admin-directory">
        <FormError error={loadError} />
        {lines === null && !loadError && <p>Loading lines…</p>}
        {lines && lines.length === 0 && <p>Add a line first: each line has its own directory.</p>}
        {lines && lines.length > 0 && (
          <Select id="directory-line" label="Line" value={line} onChange={setLine} placeholder="Choose a line"
            options={lines.map((l) => ({ value: l.id, label: `${l.name} (${l.id})` }))} />
        )}
      </Section>
      <StatusLine id="admin-directory-status" message={status} />
      {line && (
        <LineDirectory key={line} line={line} lineName={lines?.find((l) => l.id === line)?.name ?? line}
          onStatus={setStatus} />
      )}
    </>
  );
}

function LineDirectory(props: { line: string; lineName: string; onStatus: (m: string) => void }) {
  const { line, onStatus } = props;
  const [q, setQ] = useState('');
  const [services, setServices] = useState<ServiceRecord[] | null>(null);
  const [searchError, setSearchError] = useState('');
  const [editing, setEditing] = useState<ServiceRecord | 'new' | null>(null);
  const [listError, setListError] = useState('');
  const seq = useRef(0);
  const ref = useReference();
  const categoryLabels = new Map((ref?.signposting_categories ?? []).map((c) => [c.code, c.label.toLowerCase()]));

  const search = (text: string) => {
    const mine = ++seq.current;
    const params = new URLSearchParams({ limit: String(SEARCH_LIMIT) });
    if (text.trim()) params.set('q', text.trim());
    setSearchError('');
    return api<{ services: ServiceRecord[] }>('GET', `/api/v1/lines/${encodeURIComponent(line)}/directory?${params}`)
      .then((r) => mine === seq.current && setServices(r.services))
      .catch((e) => mine === seq.current && setSearchError(messageOf(e)));
  };

  useEffect(() => {
    search('');
  }, [line]);

  const remove = async (s: ServiceRecord) => {
    setListError('');
    try {
      await api('DELETE', `/api/v1/lines/${encodeURIComponent(line)}/directory/${encodeURIComponent(s.id)}`);
      setServices((list) => (list ?? []).filter((x) => x.id !== s.id));
      if (editing !== 'new' && editing?.id === s.id) setEditing(null);
      onStatus(`Removed ${s.name} from the directory.`);
    } catch (err) {
      setListError(messageOf(err));
    }
  };

  return (
    <>
      <section class="panel" aria-labelledby="directory-services-title">
        <h2 id="directory-services-title">Services: {props.lineName}</h2>
        <form
          class="search-form"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            search(q);
          }}
        >
          <TextField id="directory-search" label="Search services" type="search" value={q} onInput={setQ}
            error={searchError} hint="Words that must all appear, for example: bereavement wales." />
          <button type="submit">Search</button>
        </form>
        <FormError error={listError} />
        {services === null && !searchError && <p>Loading services…</p>}
        {services && services.length === 0 && <p>No services match.</p>}
        {services && services.length > 0 && (
          <>
            <p class="hint">
              {services.length === SEARCH_LIMIT
                ? `Showing the first ${SEARCH_LIMIT} services: search to narrow the list.`
                : `${services.length} service${services.length === 1 ? '' : 's'}.`}
            </p>
            <ul class="service-list">
              {services.map((s) => (
                <li key={s.id} class="service-item">
                  <div class="service-head">
                    <h3 class="service-name">{s.name}</h3>
                    <span class="muted">{s.organisation}</span>
                    {s.notice && <span class="badge demo">{s.notice}</span>}
                    {s.stale && <span class="badge concern">not checked for over a year: verify before use</span>}
                  </div>
                  <p class="service-meta">
                    {[s.phone, s.email, s.url].filter(Boolean).join(' · ')}
                    {s.assured_date && <span class="muted"> · checked {s.assured_date}</span>}
                  </p>
                  <p class="service-meta muted">
                    Areas: {s.service_areas.join(', ')} · Needs:{' '}
                    {s.categories.map((c) => categoryLabels.get(c) ?? c).join(', ')}
                  </p>
                  <div class="actions-row">
                    <button type="button" class="small" onClick={() => setEditing(s)}>
                      Edit<span class="visually-hidden"> {s.name}</span>
                    </button>
                    <ConfirmButton
                      label="Delete"
                      hiddenSuffix={s.name}
                      small
                      question={`Delete ${s.name} (${s.organisation}) from this line's directory?`}
                      confirmLabel="Yes, delete it"
                      danger
                      onConfirm={() => remove(s)}
                    />
                  </div>
                </li>
              ))}
            </ul>
          </>
        )}
        <div class="actions-row">
          <button type="button" class="primary" onClick={() => setEditing('new')}>
            Add a service
          </button>
        </div>
      </section>
      {editing && (
        <ServiceForm
          key={editing === 'new' ? 'new' : editing.id}
          line={line}
          service={editing === 'new' ? undefined : editing}
          onCancel={() => setEditing(null)}
          onSaved={(s, created) => {
            setServices((list) =>
              created ? [s, ...(list ?? [])] : (list ?? []).map((x) => (x.id === s.id ? s : x)),
            );
            setEditing(null);
            onStatus(created ? `Added ${s.name} to the directory.` : `Saved ${s.name}.`);
          }}
        />
      )}
      <Hsds line={line} onStatus={onStatus} onImported={() => search(q)} />
    </>
  );
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function ServiceForm(props: {
  line: string;
  service?: ServiceRecord;
  onSaved: (s: ServiceRecord, created: boolean) => void;
  onCancel: () => void;
}) {
  const s = props.service;
  const ref = useReference();
  const p = s ? 'service-edit' : 'service-new';
  const [organisation, setOrganisation] = useState(s?.organisation ?? '');
  const [name, setName] = useState(s?.name ?? '');
  const [description, setDescription] = useState(s?.description ?? '');
  const [eligibility, setEligibility] = useState(s?.eligibility ?? '');
  const [areas, setAreas] = useState<string[]>(s?.service_areas ?? []);
  const [phone, setPhone] = useState(s?.phone ?? '');
  const [email, setEmail] = useState(s?.email ?? '');
  const [url, setUrl] = useState(s?.url ?? '');
  const [opening, setOpening] = useState(s?.opening_times ?? '');
  const [categories, setCategories] = useState<string[]>(s?.categories ?? []);
  const [languages, setLanguages] = useState<string[]>(s?.languages ?? ['en']);
  const [assured, setAssured] = useState(s?.assured_date ?? today());
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const categoryOptions: Option[] = (ref?.signposting_categories ?? []).map((c) => ({ value: c.code, label: c.label }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    const body = {
      organisation: organisation.trim(),
      name: name.trim(),
      description: description.trim(),
      eligibility: eligibility.trim(),
      service_areas: areas,
      phone: phone.trim(),
      email: email.trim(),
      url: url.trim(),
      opening_times: opening.trim(),
      categories,
      languages,
      assured_date: assured,
      // A demo entry stays marked as demo data until it is replaced by a real one.
      ...(s?.demo ? { demo: true } : {}),
    };
    const base = `/api/v1/lines/${encodeURIComponent(props.line)}/directory`;
    try {
      const saved = s
        ? await api<ServiceRecord>('PUT', `${base}/${encodeURIComponent(s.id)}`, body)
        : await api<ServiceRecord>('POST', base, body);
      props.onSaved(saved, !s);
    } catch (err) {
      setErrors(errorsFor(err, SERVICE_FIELDS));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby={`${p}-title`}>
      <h2 id={`${p}-title`} tabIndex={-1} ref={heading}>
        {s ? `Edit ${s.name}` : 'Add a service'}
      </h2>
      {s?.notice && <p class="notice-admin">{s.notice}</p>}
      {s?.stale && (
        <p class="notice-admin">Not checked for over a year: verify the details, then set the date checked to today.</p>
      )}
      <form onSubmit={submit} noValidate>
        <FormError error={errors._} />
        <div class="two-col-admin">
          <TextField id={`${p}-organisation`} label="Organisation" value={organisation} onInput={setOrganisation}
            error={errors.organisation} maxLength={200} />
          <TextField id={`${p}-name`} label="Service name" value={name} onInput={setName} error={errors.name}
            maxLength={200} />
        </div>
        <TextArea id={`${p}-description`} label="Description" value={description} onInput={setDescription}
          error={errors.description} maxLength={4000} />
        <TextArea id={`${p}-eligibility`} label="Who can use it" value={eligibility} onInput={setEligibility}
          error={errors.eligibility} maxLength={1000} rows={2} />
        <p class="hint">Give at least one of phone, email or web address.</p>
        <div class="three-col-admin">
          <TextField id={`${p}-phone`} label="Phone" type="tel" value={phone} onInput={setPhone} error={errors.phone}
            maxLength={40} />
          <TextField id={`${p}-email`} label="Email" type="email" value={email} onInput={setEmail}
            error={errors.email} maxLength={254} />
          <TextField id={`${p}-url`} label="Web address" type="url" value={url} onInput={setUrl} error={errors.url}
            maxLength={500} />
        </div>
        <div class="two-col-admin">
          <TextField id={`${p}-opening`} label="Opening times" value={opening} onInput={setOpening}
            error={errors.opening_times} maxLength={500} />
          <TextField id={`${p}-assured`} label="Date the details were last checked" type="date" value={assured}
            onInput={setAssured} error={errors.assured_date} hint="Entries over a year old are marked for checking." />
        </div>
        <Choices idPrefix={`${p}-categories`} legend="Needs it helps with" options={categoryOptions}
          selected={categories} onChange={setCategories} error={errors.categories} columns />
        <Choices idPrefix={`${p}-areas`} legend="Areas served" options={regionOptions(ref)} selected={areas}
          onChange={setAreas} error={errors.service_areas} columns />
        <Choices idPrefix={`${p}-languages`} legend="Languages" options={LANGUAGE_OPTIONS} selected={languages}
          onChange={setLanguages} error={errors.languages} />
        <div class="actions-row">
          <button type="submit" class="primary" disabled={busy}>
            {s ? 'Save service' : 'Add service'}
          </button>
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

function Hsds(props: { line: string; onStatus: (m: string) => void; onImported: () => void }) {
  const { line } = props;
  const [download, setDownload] = useState<{ url: string; name: string; count: number } | null>(null);
  const [exportError, setExportError] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [importError, setImportError] = useState('');
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  // An object URL holds the export in memory until it is replaced or the page changes.
  useEffect(() => () => {
    if (download) URL.revokeObjectURL(download.url);
  }, [download]);

  const prepare = async () => {
    setExportError('');
    try {
      const doc = await api<{ services?: unknown[] }>('GET', `/api/v1/lines/${encodeURIComponent(line)}/hsds`);
      const blob = new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' });
      setDownload({
        url: URL.createObjectURL(blob),
        name: `${line}-directory-hsds-${new Date().toISOString().slice(0, 10)}.json`,
        count: Array.isArray(doc?.services) ? doc.services.length : 0,
      });
    } catch (err) {
      setExportError(messageOf(err));
    }
  };

  const runImport = async (e: Event) => {
    e.preventDefault();
    setImportError('');
    if (!file) {
      setImportError('Choose an HSDS JSON file first.');
      return;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(await file.text());
    } catch {
      setImportError(`${file.name} is not valid JSON.`);
      return;
    }
    setBusy(true);
    try {
      const answer = await api<{ imported: number }>('POST', `/api/v1/lines/${encodeURIComponent(line)}/hsds`, doc);
      props.onStatus(`Imported ${answer.imported} service${answer.imported === 1 ? '' : 's'} from ${file.name}.`);
      setFile(null);
      if (fileInput.current) fileInput.current.value = '';
      props.onImported();
    } catch (err) {
      setImportError(`Nothing was imported. ${messageOf(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="directory-hsds-title">
      <h2 id="directory-hsds-title">Exchange the directory (HSDS)</h2>
      <p>
        The Open Referral UK / HSDS JSON format, for sharing the directory with other services or keeping a copy.
      </p>
      <h3>Export</h3>
      <FormError error={exportError} />
      <div class="actions-row">
        <button type="button" onClick={prepare}>
          Prepare export
        </button>
        {download && (
          <a href={download.url} download={download.name} class="download-link">
            Download {download.name} ({download.count} service{download.count === 1 ? '' : 's'})
          </a>
        )}
      </div>
      <h3>Import</h3>
      <form onSubmit={runImport} noValidate>
        <div class={`field${importError ? ' has-error' : ''}`}>
          <label for="directory-import-file">HSDS file to import (JSON)</label>
          <input
            id="directory-import-file"
            ref={fileInput}
            type="file"
            accept="application/json,.json"
            aria-describedby={importError ? 'directory-import-hint directory-import-error' : 'directory-import-hint'}
            aria-invalid={importError ? 'true' : undefined}
            onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
          />
          <p class="hint" id="directory-import-hint">
            All or nothing: if any service is refused, none is imported, and the message names it (for example
            services[3].phone is the fourth service's phone).
          </p>
          {importError && (
            <p class="field-error" id="directory-import-error" role="alert">
              {importError}
            </p>
          )}
        </div>
        <button type="submit" disabled={busy}>
          Import services
        </button>
      </form>
    </section>
  );
}
