// The counsellor's desk: status, the incoming call, the call being handled
// (restored exactly after a reload), and follow-ups due.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { useSession } from '../lib/session';
import type { Contact, LivePicture } from '../lib/types';
import { ContactPanel } from './desk/ContactPanel';
import { IncomingCall } from './desk/IncomingCall';
import { MyFollowUps } from './desk/MyFollowUps';
import { OpenContacts } from './desk/OpenContacts';
import { useReference } from '../lib/reference';
import { StatusControl } from './desk/StatusControl';
import { BrowserPhonePanel } from './desk/BrowserPhonePanel';
import { CallControls } from './desk/CallControls';
import { browserPhone } from '../lib/browserPhone';
import './desk/desk.css';

interface Open {
  line: string;
  contact: Contact;
}

// A call's contact is on one of the counsellor's lines: find which. The purpose says why it is opened (the
// server checks it against what telephony shows: on the call, or wrapping it up).
async function findContact(lines: string[], id: string, purpose: 'on_call' | 'wrap_up'): Promise<Open | null> {
  for (const line of lines) {
    try {
      const contact = await api<Contact>('GET', `/api/v1/lines/${line}/contacts/${id}?purpose=${purpose}`);
      return { line, contact };
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404) throw e;
    }
  }
  return null;
}

export function Desk() {
  const { session, live } = useSession();
  const reference = useReference();
  const [open, setOpen] = useState<Open | null>(null);
  const [closedIds, setClosedIds] = useState<string[]>([]);
  const [message, setMessage] = useState('');
  const [now, setNow] = useState(Date.now());
  const [wrapUpEnds, setWrapUpEnds] = useState<string | undefined>(undefined);
  const [followUpsKey, setFollowUpsKey] = useState(0);
  const lines = session.staff.lines;
  const me = live.picture?.me ?? null;

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  // The call this counsellor is on (or wrapping up): open its contact.
  const call = live.currentCall;
  useEffect(() => {
    if (!call || closedIds.includes(call) || open?.contact.id === call) return;
    let cancelled = false;
    findContact(lines, call, me?.state === 'wrap_up' ? 'wrap_up' : 'on_call')
      .then((found) => {
        if (cancelled || !found) return;
        if (found.contact.status === 'closed') return;
        setOpen(found);
      })
      .catch((e) => setMessage(e instanceof ApiError ? e.message : String(e)));
    return () => {
      cancelled = true;
    };
  }, [call, lines.join(',')]);

  // The wrap-up's end time comes with the live picture.
  useEffect(() => {
    if (me?.state !== 'wrap_up') {
      setWrapUpEnds(undefined);
      return;
    }
    if (me.wrap_up_ends) {
      setWrapUpEnds(me.wrap_up_ends);
      return;
    }
    api<LivePicture>('GET', '/api/v1/live')
      .then((p) => setWrapUpEnds(p.me?.wrap_up_ends))
      .catch(() => undefined);
  }, [me?.state, me?.wrap_up_ends]);

  const recordWithoutCall = async () => {
    const line = lines[0];
    if (!line) return;
    try {
      const contact = await api<Contact>('POST', `/api/v1/lines/${line}/contacts`, {});
      setOpen({ line, contact });
    } catch (e) {
      setMessage(e instanceof ApiError ? e.message : String(e));
    }
  };

  const [lineNames, setLineNames] = useState<Record<string, string>>({});
  useEffect(() => {
    api<{ lines: Array<{ id: string; name: string }> }>('GET', '/api/v1/lines')
      .then((r) => setLineNames(Object.fromEntries(r.lines.map((l) => [l.id, l.name]))))
      .catch(() => undefined);
  }, []);
  const lineName = (id: string) => lineNames[id] ?? id;
  // Closing a contact removes the button that was pressed: the keyboard goes to what the desk says next.
  const closedNote = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (closedIds.length > 0 && !open) closedNote.current?.focus();
  }, [closedIds.length, open]);
  const state = me?.state;
  const callState = state === 'on_call' || state === 'wrap_up' || state === 'ringing' ? state : 'none';

  return (
    <main id="main" class="page desk">
      <h1 class="visually-hidden">Counsellor desk</h1>
      <div class={`desk-grid${open ? ' has-contact' : ''}`}>
        <aside class="desk-side" aria-label="Status and follow-ups">
          <StatusControl me={me} since={live.receivedAt} now={now} />
          {me && (
            <BrowserPhonePanel phone={browserPhone()} ringing={live.ringing} callEnds={live.callEnds}
              takenFrom={live.phoneTakenFrom} />
          )}
          {state === 'on_call' && live.consultingFor && (
            <section class="panel call-controls" aria-label="Consult" data-testid="consulted">
              <p role="status">A colleague is consulting you about their call. The caller is on hold and cannot hear
                you; if your colleague completes the transfer, the caller is put through to you.</p>
            </section>
          )}
          {state === 'on_call' && live.conferencedInto && (
            <section class="panel call-controls" aria-label="Three-party call" data-testid="conferenced">
              <p role="status">A colleague has added you to their call: you, they and the caller all hear each other.
                If they leave the call to you, the caller stays with you.</p>
            </section>
          )}
          {state === 'on_call' && call && !live.consultingFor && !live.conferencedInto && (
            <CallControls call={call} heldSince={live.held[call]} now={now} monitor={live.monitors[call]}
              transfer={live.transfers[call]} consult={live.consults[call]} conference={live.conferences[call]} />
          )}
          {/* Always the same size, so nothing on the desk moves when a call rings. */}
          <div class="incoming-slot">
            {live.ringing ? (
              <IncomingCall call={live.ringing} lineName={lineName(live.ringing.line)} now={now} />
            ) : (
              <section class="panel incoming-idle" aria-label="Incoming call">
                <p class="muted">No call ringing. A call put through to you shows here at once.</p>
              </section>
            )}
          </div>
          {state === 'wrap_up' && !open && (
            <section class="panel">
              <h2>Wrap-up</h2>
              <button type="button" class="primary" onClick={() => api('POST', '/api/v1/me/wrap-up-done').catch(() => undefined)}>
                Ready for the next call
              </button>
            </section>
          )}
          <OpenContacts lines={lines} me={session.staff.id} currentId={open?.contact.id ?? null} refreshKey={followUpsKey + live.callEvents}
            onOpen={(line, id) => {
              findContact([line], id, 'wrap_up')
                .then((found) => found && setOpen(found))
                .catch((e) => setMessage(e instanceof ApiError ? e.message : String(e)));
            }} />
          {reference && <MyFollowUps lines={lines} reference={reference} refreshKey={followUpsKey} />}
        </aside>
        <div class="desk-main">
          {message && <p class="form-error" role="alert">{message}</p>}
          {open && reference ? (
            <ContactPanel
              key={open.contact.id}
              line={open.line}
              initial={open.contact}
              reference={reference}
              callState={callState}
              wrapUpEnds={wrapUpEnds}
              callEnd={live.callEnds[open.contact.id]}
              onClosed={(c) => {
                setClosedIds([...closedIds, c.id]);
                setOpen(null);
                setFollowUpsKey(followUpsKey + 1);
                setMessage('');
              }}
            />
          ) : state === 'on_call' && call && closedIds.includes(call) ? (
            // Closed mid-call (the counsellor confirmed it): the call goes on, and the desk says both.
            <section class="panel waiting-for-call" data-testid="closed-mid-call">
              <h2>On a call: its contact is closed</h2>
              <p role="status">
                You closed this call's contact while the call goes on. When the call ends you go to wrap-up as
                usual; anything more to record goes in a new contact.
              </p>
              <button type="button" onClick={recordWithoutCall}>Record a contact without a call</button>
            </section>
          ) : (
            <section class="panel waiting-for-call">
              <h2>No call open</h2>
              <p>
                When a call is put through to your phone, it appears here at once, with the caller's language and
                how long they waited. Your notes are saved as you type.
              </p>
              {closedIds.length > 0 && <p role="status" tabIndex={-1} ref={closedNote}>Contact closed. Thank you.</p>}
              <button type="button" onClick={recordWithoutCall}>Record a contact without a call</button>
            </section>
          )}
        </div>
      </div>
    </main>
  );
}
