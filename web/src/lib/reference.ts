// The coded lists (/api/v1/reference), loaded once per page load and shared by every page.
import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import type { Coded, Reference } from './types';

let cached: Promise<Reference> | null = null;

export function loadReference(): Promise<Reference> {
  if (!cached) {
    cached = api<Reference>('GET', '/api/v1/reference').catch((e) => {
      cached = null;
      throw e;
    });
  }
  return cached;
}

// For tests: forget the cached lists.
export function forgetReference(): void {
  cached = null;
}

export function useReference(): Reference | null {
  const [ref, setRef] = useState<Reference | null>(null);
  useEffect(() => {
    let live = true;
    loadReference()
      .then((r) => live && setRef(r))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return ref;
}

export function options(list: Coded[] | undefined): Array<{ value: string; label: string }> {
  return (list ?? []).map((c) => ({ value: c.code, label: c.label }));
}
