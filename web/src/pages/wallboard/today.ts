// Today's figures per line from GET /api/v1/lines/{line}/today: read on mount,
// every 30 seconds, and (debounced) after the live events that change them.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import type { Today } from './model';

export type TodayState =
  | { status: 'loading' }
  | { status: 'ok'; data: Today; at: number; stale: boolean }
  | { status: 'unavailable' };

export const TODAY_EVERY_MS = 30_000;
export const TODAY_DEBOUNCE_MS = 1_000;

// The next state of one line's figures after a failed read: keep figures already shown
// (marked stale) unless the server says the figures do not exist (404) or cannot be had (503).
export function afterFailure(previous: TodayState | undefined, error: unknown): TodayState {
  const gone = error instanceof ApiError && (error.status === 404 || error.status === 503 || error.status === 403);
  if (!gone && previous?.status === 'ok') return { ...previous, stale: true };
  return { status: 'unavailable' };
}

// `callEvents` counts the call events that change today's figures (LiveState.callEvents).
export function useTodayFigures(lines: string[], callEvents: number): Record<string, TodayState> {
  const [figures, setFigures] = useState<Record<string, TodayState>>({});
  const mounted = useRef(true);
  const debounce = useRef<ReturnType<typeof setTimeout> | null>(null);
  const linesRef = useRef(lines);
  linesRef.current = lines;

  const load = useRef(() => {
    for (const line of linesRef.current) {
      api<Today>('GET', `/api/v1/lines/${encodeURIComponent(line)}/today`)
        .then((data) => {
          if (mounted.current) setFigures((f) => ({ ...f, [line]: { status: 'ok', data, at: Date.now(), stale: false } }));
        })
        .catch((error: unknown) => {
          if (mounted.current) setFigures((f) => ({ ...f, [line]: afterFailure(f[line], error) }));
        });
    }
  });

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      if (debounce.current) clearTimeout(debounce.current);
    };
  }, []);

  const key = lines.join(',');
  useEffect(() => {
    load.current();
    const timer = setInterval(() => load.current(), TODAY_EVERY_MS);
    return () => clearInterval(timer);
  }, [key]);

  useEffect(() => {
    if (callEvents === 0) return;
    if (debounce.current) clearTimeout(debounce.current);
    debounce.current = setTimeout(() => {
      debounce.current = null;
      load.current();
    }, TODAY_DEBOUNCE_MS);
  }, [callEvents]);

  return figures;
}
