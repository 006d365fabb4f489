// The JSON API client. Every request is same-origin with the session cookie;
// changes carry the CSRF token. Errors arrive as ApiError with the server's
// field and message, so a form can show them next to the field concerned.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
const unauthenticatedListeners = new Set<() => void>();
let lastActivity = Date.now();

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

// Called whenever a request answers 401 (session expired or signed out elsewhere).
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

// When the server last saw a request from this console (it keeps the session alive).
export function lastRequestAt(): number {
  return lastActivity;
}

// `contentType` other than JSON sends `body` (a string) as it is, e.g. an iCalendar as text/calendar.
export async function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const raw = contentType !== 'application/json';
  if (body !== undefined) headers['Content-Type'] = contentType;
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : raw ? String(body) : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', '', 'The server could not be reached. Your work is kept here; try again.');
  }
  lastActivity = Date.now();
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: string; field?: string; message?: string } } | null)?.error;
    const failure = new ApiError(
      response.status,
      error?.code ?? 'error',
      error?.field ?? '',
      error?.message ?? `The server answered ${response.status}.`,
    );
    if (response.status === 401 && !path.startsWith('/api/v1/session')) {
      unauthenticatedListeners.forEach((l) => l());
    }
    throw failure;
  }
  return json as T;
}

// Field errors by field name, for forms.
export type FieldErrors = Record<string, string>;

export function fieldErrorsOf(error: unknown): FieldErrors {
  if (error instanceof ApiError) return { [error.field || '_']: error.message };
  return { _: String(error) };
}
