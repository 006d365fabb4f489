import { afterEach, describe, expect, it, vi } from 'vitest';
import { bodyOf, createSaver, draftOf, type SaveState } from './draft';
import { wrapUpGaps } from './ContactPanel';
import type { Contact } from '../../lib/types';

const contact: Contact = { id: 'ct_1', status: 'open', version: 3, arrived_at: '2026-11-28T10:00:00Z' };

function respond(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }));
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('the draft saver', () => {
  it('debounces typing into one PATCH with the version and the counsellor\'s fields', async () => {
    vi.useFakeTimers();
    const fetch = vi.fn(() => respond(200, { ...contact, version: 4 }));
    vi.stubGlobal('fetch', fetch);
    const states: SaveState[] = [];
    const saver = createSaver('police', contact, (s) => states.push(s), () => undefined, 300);
    const d = draftOf(contact);
    saver.change({ ...d, addressed_as: 'C' });
    saver.change({ ...d, addressed_as: 'Ch' });
    saver.change({ ...d, addressed_as: 'Chris' });
    await vi.advanceTimersByTimeAsync(350);
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/lines/police/contacts/ct_1');
    expect(init.method).toBe('PATCH');
    const body = JSON.parse(String(init.body));
    expect(body.version).toBe(3);
    expect(body.addressed_as).toBe('Chris');
    expect(body).not.toHaveProperty('caller_role'); // an unchosen code is left out, not sent empty
    expect(states.at(-1)?.kind).toBe('saved');
    saver.dispose();
  });

  it('re-reads the version after a 409 and saves the counsellor\'s fields on top', async () => {
    const fetch = vi
      .fn()
      .mockImplementationOnce(() => respond(409, { error: { code: 'conflict', field: 'version', message: 'stale' } }))
      .mockImplementationOnce(() => respond(200, { ...contact, version: 5, ended_at: '2026-11-28T10:05:00Z' }))
      .mockImplementationOnce(() => respond(200, { ...contact, version: 6 }));
    vi.stubGlobal('fetch', fetch);
    const saver = createSaver('police', contact, () => undefined, () => undefined, 0);
    saver.change({ ...draftOf(contact), notes: 'kept' });
    await saver.flush();
    expect(fetch).toHaveBeenCalledTimes(3);
    const retried = JSON.parse(String((fetch.mock.calls[2] as unknown as [string, RequestInit])[1].body));
    expect(retried).toMatchObject({ version: 5, notes: 'kept' });
    saver.dispose();
  });

  it('keeps what was typed when the session has expired, and saves it later', async () => {
    const fetch = vi
      .fn()
      .mockImplementationOnce(() => respond(401, { error: { code: 'unauthenticated', field: '', message: 'session expired' } }))
      .mockImplementationOnce(() => respond(200, { ...contact, version: 4 }));
    vi.stubGlobal('fetch', fetch);
    const states: SaveState[] = [];
    const saver = createSaver('police', contact, (s) => states.push(s), () => undefined, 0);
    saver.change({ ...draftOf(contact), notes: 'do not lose me' });
    await saver.flush();
    expect(states.at(-1)).toMatchObject({ kind: 'failed' });
    await saver.flush();
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(JSON.parse(String((fetch.mock.calls[1] as unknown as [string, RequestInit])[1].body)).notes).toBe('do not lose me');
    expect(states.at(-1)?.kind).toBe('saved');
    saver.dispose();
  });
});

describe('a save the server refuses', () => {
  it('is shown at once with what to do, and never sent again on its own', async () => {
    vi.useFakeTimers();
    const fetch = vi.fn(() => respond(409, { error: { code: 'conflict', field: '', message: 'this contact is closed and can no longer change' } }));
    vi.stubGlobal('fetch', fetch);
    const states: SaveState[] = [];
    const saver = createSaver('police', contact, (s) => states.push(s), () => undefined, 500);
    saver.change({ ...draftOf(contact), notes: 'typed when the contact was closed' });
    await vi.advanceTimersByTimeAsync(600);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(states.at(-1)).toMatchObject({ kind: 'refused', closed: true, message: 'this contact is closed and can no longer change' });
    expect((states.at(-1) as { advice: string }).advice).toMatch(/copy it/);
    await vi.advanceTimersByTimeAsync(30_000); // no loop: neither the debounce nor the 5 s retry sends it again
    expect(fetch).toHaveBeenCalledTimes(1);
    saver.dispose();
  });

  it('is tried again once the counsellor changes something (a field they corrected)', async () => {
    vi.useFakeTimers();
    const fetch = vi
      .fn()
      .mockImplementationOnce(() => respond(400, { error: { code: 'invalid', field: 'notes', message: 'at most 8000 characters' } }))
      .mockImplementationOnce(() => respond(200, { ...contact, version: 4 }));
    vi.stubGlobal('fetch', fetch);
    const states: SaveState[] = [];
    const saver = createSaver('police', contact, (s) => states.push(s), () => undefined, 500);
    saver.change({ ...draftOf(contact), notes: 'x'.repeat(8001) });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(states.at(-1)).toMatchObject({ kind: 'refused', field: 'notes', closed: false });
    saver.change({ ...draftOf(contact), notes: 'shorter' });
    await vi.advanceTimersByTimeAsync(600);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(states.at(-1)?.kind).toBe('saved');
    saver.dispose();
  });

  it('that could not reach the server is tried again every 5 s, not every keystroke\'s debounce', async () => {
    vi.useFakeTimers();
    const fetch = vi.fn(() => respond(503, { error: { code: 'unavailable', field: '', message: 'busy' } }));
    vi.stubGlobal('fetch', fetch);
    const saver = createSaver('police', contact, () => undefined, () => undefined, 500);
    saver.change({ ...draftOf(contact), notes: 'kept' });
    await vi.advanceTimersByTimeAsync(10_400);
    expect(fetch).toHaveBeenCalledTimes(3); // 0.5 s, 5 s, 10 s
    saver.dispose();
  });
});

describe('closing', () => {
  it('sends the latest draft with the close, on a version re-read if telephony ended the call meanwhile', async () => {
    const fetch = vi
      .fn()
      .mockImplementationOnce(() => respond(409, { error: { code: 'conflict', field: 'version', message: 'stale' } }))
      .mockImplementationOnce(() => respond(200, { ...contact, version: 5, ended_at: '2026-11-28T10:05:00Z' }))
      .mockImplementationOnce(() => respond(200, { ...contact, version: 6, status: 'closed' }));
    vi.stubGlobal('fetch', fetch);
    const saver = createSaver('police', contact, () => undefined, () => undefined, 0);
    const closed = await saver.close({ ...draftOf(contact), notes: 'the last words typed', outcome: 'signposted' });
    expect(closed.status).toBe('closed');
    const [url, init] = fetch.mock.calls[2] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/lines/police/contacts/ct_1/close');
    expect(JSON.parse(String(init.body))).toMatchObject({ version: 5, notes: 'the last words typed', outcome: 'signposted' });
    saver.dispose();
  });

  it('says why when the contact is already closed, and keeps the draft', async () => {
    const fetch = vi.fn(() => respond(409, { error: { code: 'conflict', field: '', message: 'this contact is closed and can no longer change' } }));
    vi.stubGlobal('fetch', fetch);
    const states: SaveState[] = [];
    const saver = createSaver('police', contact, (s) => states.push(s), () => undefined, 0);
    await expect(saver.close({ ...draftOf(contact), notes: 'kept' })).rejects.toMatchObject({ status: 409 });
    expect(states.at(-1)).toMatchObject({ kind: 'refused', closed: true });
    saver.dispose();
  });
});

describe('the wrap-up', () => {
  it('names every gap before the contact can close', () => {
    const d = draftOf(contact);
    expect(Object.keys(wrapUpGaps(d, 0)).sort()).toEqual(['caller_role', 'outcome']);
    const publicCaller = { ...d, caller_role: 'member_of_public', outcome: 'signposted' };
    expect(Object.keys(wrapUpGaps(publicCaller, 0))).toEqual(['signposting']);
    const concern = { ...d, caller_role: 'police_officer', outcome: 'support_given', assessment: { cause_for_concern: true } };
    expect(Object.keys(wrapUpGaps(concern, 0)).sort()).toEqual(['assessment.concern_reasons', 'follow_up_plan']);
    const planned = { ...concern, assessment: { cause_for_concern: true, concern_reasons: 'why' } };
    expect(wrapUpGaps(planned, 1)).toEqual({});
  });

  it('sends the distress ratings asked, and none when not asked', () => {
    expect(bodyOf(draftOf(contact)).distress).toEqual({});
    const asked = draftOf({ ...contact, distress: { at_start: 8 } });
    expect(asked.distress_start).toBe('8');
    expect(bodyOf({ ...asked, distress_end: '0' }).distress).toEqual({ at_start: 8, at_end: 0 });
  });

  it('sends coded fields only when chosen', () => {
    const body = bodyOf({ ...draftOf(contact), outcome: 'signposted' });
    expect(body.outcome).toBe('signposted');
    expect(body).not.toHaveProperty('force');
  });
});
