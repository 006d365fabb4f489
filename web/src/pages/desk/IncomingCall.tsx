// A call ringing on the counsellor's phone: what they need before they pick up.
import { duration } from '../../lib/format';
import type { RingingCall } from '../../lib/liveState';

export function IncomingCall({ call, lineName, now }: { call: RingingCall; lineName: string; now: number }) {
  const waited = call.wait_ms + (now - call.since);
  return (
    <section class="panel incoming" role="alert" aria-labelledby="incoming-title" data-testid="incoming-call"
      data-event-at={call.at} data-shown-at={new Date(call.since).toISOString()}>
      <h2 id="incoming-title">{call.browser ? 'Incoming call: answer in this browser' : 'Incoming call: answer your phone'}</h2>
      <dl class="facts">
        <div><dt>Line</dt><dd>{lineName}</dd></div>
        <div><dt>Language</dt><dd data-testid="incoming-language">{call.language === 'cy' ? 'Welsh (Cymraeg)' : 'English'}</dd></div>
        <div><dt>Waited</dt><dd class="num">{duration(waited)}</dd></div>
        <div>
          <dt>Earlier calls (30 days)</dt>
          <dd data-testid="incoming-repeat">{call.repeat_count === undefined ? '…' : call.repeat_count}</dd>
        </div>
      </dl>
    </section>
  );
}
