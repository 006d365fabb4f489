// The coded lists (/api/v1/reference), loaded once per page load.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import type { Coded, Reference } from '../../lib/types';

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
