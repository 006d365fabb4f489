// The wallboard's building blocks. Every cell has a fixed size and numbers are
// tabular, so nothing moves when live events arrive.
import { duration } from '../../lib/format';
import { linkHandler } from '../../lib/router';
import type { Alert } from '../../lib/liveState';
import {
  alertText,
  encryptionText,
  languageName,
  longestWaitText,
  LONG_WAIT_MS,
  sinceText,
  STATE_ORDER,
  todayTiles,
  waitingText,
  type ActiveRow,
  type CounsellorRow,
  type Flags,
  type QueueTile,
  type WaitingRow,
} from './model';
import { stateName } from '../../lib/format';
import type { TodayState } from './today';
import { OfferControl } from './OfferControl';

export function FlagBadges({ flags }: { flags: Flags | null }) {
  if (!flags || (!flags.cause_for_concern && !flags.imminent_risk)) return <span class="muted">None</span>;
  return (
    <span class="wb-flags">
      {flags.imminent_risk && <span class="badge risk">imminent risk</span>}
      {flags.cause_for_concern && <span class="badge concern">cause for concern</span>}
    </span>
  );
}

export function AlertArea(props: {
  pending: Alert[];
  counsellorNames: Record<string, string>;
  lineNames: Record<string, string>;
  soundOn: boolean;
  soundMessage: string;
  onToggleSound: () => void;
  onAcknowledge: (seq: number) => void;
}) {
  const first = props.pending[0];
  const more = props.pending.length - 1;
  return (
    <section class={`wb-alerts${first ? ' active' : ''}`} aria-labelledby="wb-alerts-title">
      <div class="wb-alerts-bar">
        <h2 id="wb-alerts-title" tabIndex={-1}>
          Escalation alerts
        </h2>
        <button type="button" class="wb-sound" onClick={props.onToggleSound}>
          {props.soundOn ? 'Turn off alert sound' : 'Turn on alert sound'}
        </button>
        <span class="wb-sound-state">{props.soundMessage}</span>
      </div>
      <div class="wb-alert-row">
        {/* Always in the page, so screen readers announce what appears in it. */}
        <div role="alert" class="wb-alert-text" id="wb-alert-text">
          {first && (
            <>
              <strong>Escalation: imminent risk to life.</strong>{' '}
              {alertText(first, props.counsellorNames, props.lineNames)}
              {more > 0 && ` (${more} more waiting to be acknowledged)`}
            </>
          )}
        </div>
        {first ? (
          <button
            type="button"
            class="wb-ack"
            aria-describedby="wb-alert-text"
            onClick={() => props.onAcknowledge(first.seq)}
          >
            Acknowledge
          </button>
        ) : (
          <p class="wb-alert-none">No escalation alerts.</p>
        )}
      </div>
    </section>
  );
}

export function LinePanel(props: { tile: QueueTile; today: TodayState | undefined }) {
  const { tile, today } = props;
  const id = `wb-line-${tile.line}`;
  const long = (tile.longestWaitMs ?? 0) >= LONG_WAIT_MS;
  return (
    <section class="wb-line" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{tile.name}</h2>
      <div class="wb-line-body">
        <dl class="wb-tiles wb-queue">
          <div class={`wb-tile${tile.waiting ? ' busy' : ''}`}>
            <dt>Callers waiting</dt>
            <dd class="num" data-testid={`waiting-${tile.line}`}>
              {waitingText(tile)}
            </dd>
          </div>
          <div class={`wb-tile${long ? ' warn' : ''}`}>
            <dt>Longest wait</dt>
            <dd class="num" data-testid={`longest-${tile.line}`}>
              {longestWaitText(tile)}
            </dd>
          </div>
        </dl>
        <div class="wb-today-block">
          <h3 id={`${id}-today`}>
            Today{' '}
            <span class="wb-since">{today?.status === 'ok' ? sinceText(today.data.from) : ''}</span>
          </h3>
          <TodayTiles line={tile.line} today={today} />
        </div>
      </div>
    </section>
  );
}

function TodayTiles(props: { line: string; today: TodayState | undefined }) {
  const { today, line } = props;
  if (!today || today.status === 'loading') {
    return <p class="wb-today-note">Loading today's figures…</p>;
  }
  if (today.status === 'unavailable') {
    return <p class="wb-today-note">Today's figures are not available.</p>;
  }
  const overdue = today.data.follow_ups_overdue ?? 0;
  const href = `/wallboard/follow-ups/${line}`;
  return (
    <>
      <dl class="wb-tiles wb-today">
        {todayTiles(today.data).map((t) => (
          <div class={`wb-tile small${t.warn ? ' warn' : ''}`} key={t.key}>
            <dt>{t.label}</dt>
            <dd class="num" data-testid={`today-${t.key}`}>
              {t.value}
              {t.detail && <span class="wb-detail">{t.detail}</span>}
            </dd>
          </div>
        ))}
        <div class={`wb-tile small${overdue > 0 ? ' warn' : ''}`}>
          <dt>Follow-ups overdue</dt>
          <dd class="num" data-testid="today-overdue">
            <a href={href} onClick={linkHandler(href)}>
              {overdue}
              <span class="visually-hidden"> overdue follow-ups: see the list</span>
            </a>
          </dd>
        </div>
      </dl>
      <p class="wb-today-note">{today.stale ? 'Could not refresh: showing the last figures read.' : '\u00a0'}</p>
    </>
  );
}

export function CounsellorSummary({ counts }: { counts: Record<string, number> }) {
  return (
    <dl class="wb-tiles wb-states">
      {STATE_ORDER.map((s) => (
        <div class={`wb-tile small state-${s}`} key={s}>
          <dt>{stateName(s)}</dt>
          <dd class="num" data-testid={`count-${s}`}>
            {counts[s] ?? 0}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function CounsellorTable({ rows }: { rows: CounsellorRow[] }) {
  if (rows.length === 0) return <p class="muted">No counsellors to show.</p>;
  return (
    <table class="wb-table wb-counsellors">
      <caption class="visually-hidden">Counsellors, their state and time in state</caption>
      <thead>
        <tr>
          <th scope="col">Counsellor</th>
          <th scope="col">State</th>
          <th scope="col">Time in state</th>
          <th scope="col">Phone</th>
          <th scope="col">Call quality</th>
          <th scope="col">Flags</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id} data-testid={`counsellor-${r.id}`}>
            <th scope="row">{r.name}</th>
            <td>
              <span class={`wb-state state-${r.state}`}>{r.stateText}</span>
            </td>
            <td class="num">{duration(r.inStateMs)}</td>
            <td>{r.phoneRegistered ? (r.browserPhone ? 'Ready (browser)' : 'Ready')
              : <span class="wb-phone-off">Not registered</span>}</td>
            <td data-testid={`quality-${r.id}`} data-grade={r.quality?.grade ?? ''}>
              {r.quality ? (
                <>
                  <span class={`wb-quality quality-${r.quality.grade}`}>{r.quality.words}</span>{' '}
                  <span class="muted">({r.quality.figures})</span>
                </>
              ) : r.browserPhone ? <span class="muted">No call yet</span> : <span class="muted">Not measured</span>}
            </td>
            <td>
              <FlagBadges flags={r.flags} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const MONITOR_WORDS: Record<string, string> = { listen: 'listening', coach: 'coaching', join: 'joined' };
// Who a counsellor added to their call, by kind only (the floor is not told which service or colleague).
const CONFERENCE_WORDS: Record<string, string> = {
  colleague: 'a colleague', emergency: 'the emergency service', partner: 'a partner service',
};

// A supervisor's controls for one call: listen, coach or join (their desk phone rings), and stop when theirs.
function MonitorControls({ row, me, onMonitor }: { row: ActiveRow; me: string; onMonitor: (row: ActiveRow, mode: string | null) => void }) {
  const mine = row.monitor?.supervisor === me;
  if (row.monitor && !mine) return <span class="muted">{row.monitor.supervisorName} is {MONITOR_WORDS[row.monitor.mode] ?? row.monitor.mode}</span>;
  return (
    <div class="segmented" role="group" aria-label={`Supervise the call of ${row.counsellorName}`}>
      {(['listen', 'coach', 'join'] as const).map((mode) => (
        <button key={mode} type="button" aria-pressed={mine && row.monitor?.mode === mode} onClick={() => onMonitor(row, mode)}>
          {mode === 'listen' ? 'Listen' : mode === 'coach' ? 'Coach' : 'Join'}
        </button>
      ))}
      {mine && <button type="button" onClick={() => onMonitor(row, null)}>Stop</button>}
    </div>
  );
}

export function ActiveTable(props: {
  rows: ActiveRow[];
  lineNames: Record<string, string>;
  showLine: boolean;
  me?: string;
  onMonitor?: (row: ActiveRow, mode: string | null) => void; // a supervisor's listen / coach / join / stop
}) {
  const { rows, lineNames, showLine, me, onMonitor } = props;
  if (rows.length === 0) return <p class="muted wb-empty">No calls in progress.</p>;
  return (
    <table class="wb-table wb-active">
      <caption class="visually-hidden">Calls in progress with talk time and flags</caption>
      <thead>
        <tr>
          <th scope="col">Counsellor</th>
          {showLine && <th scope="col">Line</th>}
          <th scope="col">Talk time</th>
          <th scope="col">Flags</th>
          <th scope="col">Media</th>
          {onMonitor && <th scope="col">Supervise</th>}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.call} data-testid={`active-${r.call}`}>
            <th scope="row">{r.counsellorName}</th>
            {showLine && <td>{lineNames[r.line] ?? r.line}</td>}
            <td class="num">{duration(r.talkMs)}</td>
            <td>
              {r.heldMs !== null && (
                <span class="badge held" data-testid={`held-${r.call}`}>on hold {duration(r.heldMs)}</span>
              )}{' '}
              {r.consult && (
                <span class="badge held" data-testid={`consult-${r.call}`}>
                  {r.consult.state === 'ringing' ? `consulting ${r.consult.toName} (ringing)` : `consulting ${r.consult.toName}`}
                </span>
              )}{' '}
              {r.monitor && (
                <span class="badge held" data-testid={`monitor-${r.call}`}>
                  {r.monitor.state === 'ringing' ? 'supervisor ringing' : `supervisor ${MONITOR_WORDS[r.monitor.mode] ?? r.monitor.mode}`}
                </span>
              )}{' '}
              {r.conference && (
                <span class="badge held" data-testid={`conference-${r.call}`}>
                  {r.conference.state === 'ringing' ? 'adding ' : 'three-party call with '}
                  {r.conference.toName ?? CONFERENCE_WORDS[r.conference.kind] ?? 'a third party'}
                </span>
              )}{' '}
              {(r.heldMs === null || r.flags.cause_for_concern || r.flags.imminent_risk) && <FlagBadges flags={r.flags} />}
            </td>
            <td>
              <span class={`badge ${r.encrypted ? 'encrypted' : 'plain'}`} data-testid={`encryption-${r.call}`}>
                {encryptionText(r)}
              </span>
            </td>
            {onMonitor && (
              <td>
                <MonitorControls row={r} me={me ?? ''} onMonitor={onMonitor} />
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function WaitingTable(props: {
  rows: WaitingRow[];
  lineNames: Record<string, string>;
  showLine: boolean;
  canOffer?: boolean; // a supervisor: "Offer to…" on each waiting caller
}) {
  const { rows, lineNames, showLine, canOffer } = props;
  if (rows.length === 0) return <p class="muted wb-empty">Nobody is waiting.</p>;
  return (
    <table class="wb-table wb-waiting">
      <caption class="visually-hidden">Callers waiting, in queue order</caption>
      <thead>
        <tr>
          <th scope="col">Position</th>
          {showLine && <th scope="col">Line</th>}
          <th scope="col">Language</th>
          <th scope="col">Waiting</th>
          <th scope="col">Status</th>
          {canOffer && <th scope="col">Reassign</th>}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.call} data-testid={`waiting-call-${r.call}`}>
            <td class="num">{r.position}</td>
            {showLine && <td>{lineNames[r.line] ?? r.line}</td>}
            <td>{languageName(r.language)}</td>
            <td class="num">{duration(r.waitMs)}</td>
            <td>
              {r.overflowed ? 'Overflowed' : r.ringing > 0 ? `Ringing ${r.ringing}` : 'Queued'}
            </td>
            {canOffer && (
              <td>
                <OfferControl row={r} />
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
