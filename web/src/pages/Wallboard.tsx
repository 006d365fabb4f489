// The supervisor wallboard: queues, counsellors, calls in progress (timings and
// flags only, never content), escalation alerts and today's figures, per line.
// `/wallboard/large` is the same board for a screen across the room.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { linkHandler, usePath } from '../lib/router';
import { hasRole, useSession } from '../lib/session';
import type { Line } from '../lib/types';
import { monitorPhone } from '../lib/monitorPhone';
import { AlertSound } from './wallboard/alertSound';
import { MonitorAudio } from './wallboard/MonitorAudio';
import {
  type ActiveRow,
  activeRows,
  counsellorRows,
  pendingAlerts,
  queueTiles,
  stateCounts,
  waitingRows,
} from './wallboard/model';
import { NewReaders } from './wallboard/NewReaders';
import { OverdueFollowUps } from './wallboard/OverdueFollowUps';
import { RosteredAbsent } from './wallboard/RosteredAbsent';
import { ActiveTable, AlertArea, CounsellorSummary, CounsellorTable, LinePanel, WaitingTable } from './wallboard/parts';
import { useTodayFigures } from './wallboard/today';
import { useNow } from './wallboard/useNow';
import './wallboard/wallboard.css';

// While an alert is not acknowledged, the tone repeats this often (if sound is on).
export const ALERT_REPEAT_MS = 15_000;

export function Wallboard({ large = false }: { large?: boolean }) {
  const path = usePath();
  const overdue = path.match(/^\/wallboard\/follow-ups\/([a-z0-9-]+)\/?$/);
  if (overdue) return <OverdueFollowUps line={overdue[1]} />;
  return <Board large={large} />;
}

function Board({ large }: { large: boolean }) {
  const ctx = useSession();
  const { session, live } = ctx;
  const allowed = hasRole(session, 'supervisor') || hasRole(session, 'service_manager');
  const now = useNow(1000);
  const [lineNames, setLineNames] = useState<Record<string, string>>({});
  const [acked, setAcked] = useState<ReadonlySet<number>>(new Set());
  const [soundOn, setSoundOn] = useState(false);
  const [monitorError, setMonitorError] = useState('');
  const [soundMessage, setSoundMessage] = useState('Sound is off: alerts show on screen only.');
  const sound = useRef<AlertSound | null>(null);
  const monitoredSeen = useRef(false); // the live feed has shown the browser monitoring of monitorPhone().callId
  const lastSounded = useRef(0);

  const lines = useMemo(() => {
    const mine = session.staff.lines;
    return mine.length ? mine : Object.keys(live.picture?.queues ?? {}).sort();
  }, [session.staff.lines.join(','), live.picture?.queues]);

  useEffect(() => {
    let alive = true;
    api<Line[] | { lines: Line[] }>('GET', '/api/v1/lines')
      .then((r) => {
        const list = Array.isArray(r) ? r : r.lines ?? [];
        if (alive) setLineNames(Object.fromEntries(list.map((l) => [l.id, l.name])));
      })
      .catch(() => undefined);
    return () => {
      alive = false;
    };
  }, []);

  const today = useTodayFigures(allowed ? lines : [], live.callEvents);

  const pending = pendingAlerts(live.alerts, acked);
  const newestPending = pending.length ? pending[pending.length - 1].seq : 0;

  // A new alert sounds at once; an unacknowledged one repeats.
  useEffect(() => {
    if (!soundOn || newestPending === 0) return;
    if (newestPending > lastSounded.current) {
      lastSounded.current = newestPending;
      sound.current?.play();
    }
    const timer = setInterval(() => sound.current?.play(), ALERT_REPEAT_MS);
    return () => clearInterval(timer);
  }, [soundOn, newestPending]);

  useEffect(() => () => sound.current?.disable(), []);

  // A monitoring from this browser ends when the server says so (call.monitor "ended", or the call's end).
  const monitoredCall = monitorPhone().callId;
  const monitoredEntry = monitoredCall ? live.monitors[monitoredCall] : undefined;
  useEffect(() => {
    if (!monitoredCall) {
      monitoredSeen.current = false;
    } else if (monitoredEntry) {
      monitoredSeen.current = true;
    } else if (monitoredSeen.current) {
      monitoredSeen.current = false;
      monitorPhone().close();
    }
  }, [monitoredCall, monitoredEntry]);

  const toggleSound = async () => {
    if (soundOn) {
      sound.current?.disable();
      setSoundOn(false);
      setSoundMessage('Sound is off: alerts show on screen only.');
      return;
    }
    sound.current ??= new AlertSound();
    const ok = await sound.current.enable();
    setSoundOn(ok);
    lastSounded.current = 0; // an alert already showing sounds now
    setSoundMessage(ok ? 'Sound is on.' : 'This browser cannot play the alert sound.');
  };

  const acknowledge = (seq: number) => {
    setAcked((s) => new Set([...s, seq]));
    ctx.acknowledge(seq);
    // Keep keyboard focus on the board: the next alert's button, or the alert heading.
    setTimeout(() => {
      const next = document.querySelector<HTMLElement>('.wb-ack') ?? document.getElementById('wb-alerts-title');
      next?.focus();
    }, 0);
  };

  if (!allowed) {
    return (
      <main id="main" class="page">
        <h1>Wallboard</h1>
        <p>The wallboard is for supervisors and service managers.</p>
      </main>
    );
  }

  const counsellors = counsellorRows(live, now);
  // Listen, coach or join a call, or stop: the counsellor is always told. The supervisor's desk phone rings, or,
  // when their phone is this browser, the server rings this tab, which answers at once (they just asked).
  const monitor = (row: ActiveRow, mode: string | null) => {
    setMonitorError('');
    const path = `/api/v1/lines/${row.line}/calls/${encodeURIComponent(row.call)}/monitor`;
    const phone = monitorPhone();
    const done = mode
      ? api<{ state: string; browser?: boolean }>('POST', path, { mode }).then((r) => {
        if (r.browser && r.state === 'ringing' && phone.callId !== row.call) return phone.answer(row.call);
        return undefined;
      })
      : api('DELETE', path).then(() => {
        if (phone.callId === row.call) phone.close();
      });
    done.catch((e) => setMonitorError(e instanceof ApiError ? e.message : String(e)));
  };
  const counsellorNames = Object.fromEntries(counsellors.map((c) => [c.id, c.name]));
  const tiles = queueTiles(lines, lineNames, live, now);
  const active = activeRows(live, now);
  const waiting = waitingRows(live, now);

  return (
    <main id="main" class={`wallboard${large ? ' large' : ' page'}`}>
      <div class="wb-head">
        <h1>{large ? 'Crisis line wallboard' : 'Wallboard'}</h1>
        <p class="wb-status">
          {live.picture ? 'Live: timings count up every second.' : 'Waiting for the live picture…'}
        </p>
        <div class="wb-tools">
          {large ? (
            <>
              <FullScreenButton />
              <a href="/wallboard" onClick={linkHandler('/wallboard')}>
                Leave large-screen view
              </a>
            </>
          ) : (
            <a href="/wallboard/large" onClick={linkHandler('/wallboard/large')}>
              Large-screen view
            </a>
          )}
        </div>
      </div>

      <AlertArea
        pending={pending}
        counsellorNames={counsellorNames}
        lineNames={lineNames}
        soundOn={soundOn}
        soundMessage={soundMessage}
        onToggleSound={toggleSound}
        onAcknowledge={acknowledge}
      />

      {hasRole(session, 'supervisor') && (
        <NewReaders lines={lines} lineNames={lineNames} changes={live.announcementEvents ?? 0} />
      )}

      <RosteredAbsent lines={lines} lineNames={lineNames} />

      <div class="wb-lines">
        {tiles.map((t) => (
          <LinePanel key={t.line} tile={t} today={today[t.line]} />
        ))}
        {tiles.length === 0 && <p>You do not serve any line yet.</p>}
      </div>

      <div class="wb-grid">
        <section class="wb-panel" aria-labelledby="wb-counsellors-title">
          <h2 id="wb-counsellors-title">Counsellors</h2>
          <CounsellorSummary counts={stateCounts(counsellors)} />
          <CounsellorTable rows={counsellors} />
        </section>
        <div class="wb-side">
          <section class="wb-panel" aria-labelledby="wb-active-title">
            <h2 id="wb-active-title">Calls in progress</h2>
            {monitorError && <p class="field-error" role="alert">{monitorError}</p>}
            <MonitorAudio phone={monitorPhone()} mode={monitoredEntry?.mode ?? null} />
            <ActiveTable rows={active} lineNames={lineNames} showLine={lines.length > 1} me={session.staff.id}
              onMonitor={hasRole(session, 'supervisor') && !large ? monitor : undefined} />
          </section>
          <section class="wb-panel" aria-labelledby="wb-waiting-title">
            <h2 id="wb-waiting-title">Callers waiting</h2>
            <WaitingTable rows={waiting} lineNames={lineNames} showLine={lines.length > 1}
              canOffer={hasRole(session, 'supervisor') && !large} />
          </section>
        </div>
      </div>
    </main>
  );
}

function FullScreenButton() {
  const [full, setFull] = useState(typeof document !== 'undefined' && !!document.fullscreenElement);
  useEffect(() => {
    const update = () => setFull(!!document.fullscreenElement);
    document.addEventListener('fullscreenchange', update);
    return () => document.removeEventListener('fullscreenchange', update);
  }, []);
  if (typeof document === 'undefined' || !document.documentElement.requestFullscreen) return null;
  return (
    <button
      type="button"
      onClick={() =>
        (full ? document.exitFullscreen() : document.documentElement.requestFullscreen()).catch(() => undefined)
      }
    >
      {full ? 'Exit full screen' : 'Full screen'}
    </button>
  );
}
