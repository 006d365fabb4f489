// Telephony: the carrier trunks (TrunksAdmin) and the recorded prompts callers
// hear, which an administrator can listen to, replace and restore.
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { SessionContext } from '../../lib/session';
import { FormError, Section } from '../../components/Field';
import { StatusLine } from './controls';
import { messageOf } from './shared';
import { TrunksAdmin } from './TrunksAdmin';

export type { TrunkSummary } from './TrunksAdmin';

export interface PromptInfo {
  name: string;
  text: string;
  present: boolean;
  seconds: number | null;
  fallback: boolean;
  previous?: boolean;
}

interface PromptList {
  prompts: PromptInfo[];
  restart_needed: boolean;
}

// What the server answers a change: whether the telephony could not take it at once.
interface PromptChange {
  restart_needed: boolean;
}

// When callers hear a changed prompt.
const heard = (change: PromptChange) =>
  change.restart_needed ? 'callers hear it after the server restarts' : 'callers hear it from their next call';

const promptUrl = (name: string) => `/api/v1/prompts/${encodeURIComponent(name)}`;

// PUT of a recording as the raw body. lib/api sends JSON only, so this mirrors its error handling.
async function uploadRecording(name: string, file: File, csrf: string): Promise<PromptChange> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'audio/wav' };
  if (csrf) headers['X-CSRF-Token'] = csrf;
  let response: Response;
  try {
    response = await fetch(promptUrl(name), {
      method: 'PUT',
      headers,
      body: file,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', '', 'The server could not be reached; try again.');
  }
  if (response.ok) return (await response.json()) as PromptChange;
  let error: { code?: string; field?: string; message?: string } | undefined;
  try {
    error = (JSON.parse(await response.text()) as { error?: typeof error }).error;
  } catch {
    error = undefined;
  }
  throw new ApiError(
    response.status,
    error?.code ?? 'error',
    error?.field ?? '',
    error?.message ?? `The server answered ${response.status}.`,
  );
}

function PromptRow(props: {
  prompt: PromptInfo;
  version: number;
  onChanged: (message: string) => void;
}) {
  const { prompt } = props;
  const csrf = useContext(SessionContext)?.session.csrf_token ?? '';
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const inputId = `prompt-file-${prompt.name}`;

  const upload = async (e: Event) => {
    e.preventDefault();
    setError('');
    if (!file) {
      setError('Choose a WAV file first.');
      return;
    }
    setBusy(true);
    try {
      const change = await uploadRecording(prompt.name, file, csrf);
      setFile(null);
      if (fileInput.current) fileInput.current.value = '';
      props.onChanged(`Replaced ${prompt.name} with ${file.name}; ${heard(change)}.`);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const restore = async () => {
    setError('');
    setBusy(true);
    try {
      const change = await api<PromptChange>('DELETE', promptUrl(prompt.name));
      props.onChanged(`Restored the previous recording of ${prompt.name}; ${heard(change)}.`);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <tr>
      <th scope="row">
        <code>{prompt.name}</code>
      </th>
      <td>{prompt.text}</td>
      <td>
        {prompt.present ? 'Recording' : <span class="muted">No file</span>}
        {prompt.fallback && <span class="badge off">Playing generated audio</span>}
      </td>
      <td>{prompt.seconds === null ? <span class="muted">–</span> : prompt.seconds.toFixed(1)}</td>
      <td>
        {prompt.present ? (
          <audio
            controls
            preload="none"
            src={`${promptUrl(prompt.name)}?v=${props.version}`}
            aria-label={`Listen to ${prompt.name}`}
          />
        ) : (
          <span class="muted">Nothing to play</span>
        )}
      </td>
      <td>
        <form class="prompt-upload" onSubmit={upload} noValidate>
          <div class={`field${error ? ' has-error' : ''}`}>
            <label for={inputId}>Replace {prompt.name} with a recording</label>
            <input
              id={inputId}
              ref={fileInput}
              type="file"
              accept=".wav,audio/wav,audio/x-wav"
              aria-invalid={error ? 'true' : undefined}
              aria-describedby={error ? `${inputId}-error` : undefined}
              onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
            />
            {error && (
              <p class="field-error" id={`${inputId}-error`} role="alert">
                {error}
              </p>
            )}
          </div>
          <div class="actions-row">
            <button type="submit" class="small" disabled={busy}>
              Upload<span class="visually-hidden"> a recording for {prompt.name}</span>
            </button>
            {prompt.previous && (
              <button type="button" class="small" disabled={busy} onClick={restore}>
                Restore previous<span class="visually-hidden"> recording of {prompt.name}</span>
              </button>
            )}
          </div>
        </form>
      </td>
    </tr>
  );
}

function Prompts(props: { onStatus: (message: string) => void }) {
  const [list, setList] = useState<PromptList | null>(null);
  const [loadError, setLoadError] = useState('');
  const [version, setVersion] = useState(0);

  const load = () =>
    api<PromptList>('GET', '/api/v1/prompts')
      .then((r) => {
        setList(r);
        setLoadError('');
      })
      .catch((e) => setLoadError(messageOf(e)));

  useEffect(() => {
    void load();
  }, []);

  return (
    <Section title="Prompts" id="admin-prompts">
      <p>
        What callers hear before a counsellor answers. Each recording must be a WAV file of 8 kHz mono 16-bit PCM,
        from 0.2 to 65 seconds long (<code>sox in.wav -r 8000 -c 1 -b 16 out.wav</code> converts one). A prompt with no
        file plays generated audio.
      </p>
      {list?.restart_needed && (
        <p class="notice-admin" id="prompts-restart-notice">
          Restart needed: a changed recording could not be handed to the telephony, so callers hear the earlier one
          until the server is restarted. The server's log says why.
        </p>
      )}
      <FormError error={loadError} />
      {list === null && !loadError && <p>Loading prompts…</p>}
      {list && (
        <div class="table-scroll">
          <table class="admin-table prompts-table">
            <caption class="visually-hidden">Prompts</caption>
            <thead>
              <tr>
                <th scope="col">Prompt</th>
                <th scope="col">What it says</th>
                <th scope="col">File</th>
                <th scope="col">Seconds</th>
                <th scope="col">Listen</th>
                <th scope="col">Replace</th>
              </tr>
            </thead>
            <tbody>
              {list.prompts.map((p) => (
                <PromptRow
                  key={p.name}
                  prompt={p}
                  version={version}
                  onChanged={(message) => {
                    props.onStatus(message);
                    setVersion((v) => v + 1);
                    void load();
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

export function TelephonyAdmin() {
  const [status, setStatus] = useState('');
  return (
    <>
      <TrunksAdmin />
      <StatusLine id="admin-telephony-status" message={status} />
      <Prompts onStatus={setStatus} />
    </>
  );
}
