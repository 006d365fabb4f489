// The live feed: a WebSocket to /api/v1/events that reconnects on its own and
// resynchronises (the hello message carries a fresh picture and the events
// missed since the last sequence number seen), so no reload is ever needed.
import type { LiveEvent, LivePicture } from './types';

export type FeedStatus = 'connecting' | 'live' | 'reconnecting' | 'signed_out';

export interface Hello {
  type: 'hello';
  // Names the server's run: after a restart its sequence numbers start again under a new epoch.
  epoch: string;
  last_seq: number;
  live: LivePicture | null;
  missed: LiveEvent[];
}

export interface FeedHandlers {
  onHello(hello: Hello): void;
  onEvent(event: LiveEvent): void;
  onStatus(status: FeedStatus): void;
}

// Close codes the server uses when the session is no longer valid.
const SIGNED_OUT_CODES = new Set([4401, 4403, 1008]);

export class LiveFeed {
  private socket: WebSocket | null = null;
  private lastSeq = 0;
  private attempt = 0;
  private epoch: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly handlers: FeedHandlers,
    private readonly url: (after: number) => string = defaultUrl,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.socket?.close(1000);
    this.socket = null;
  }

  // After signing in again: connect at once.
  resume(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.attempt = 0;
    this.connect();
  }

  private connect(): void {
    this.handlers.onStatus(this.lastSeq === 0 ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(this.url(this.lastSeq));
    this.socket = socket;
    socket.onmessage = (message) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(message.data));
      } catch {
        return;
      }
      const m = parsed as { type?: string; seq?: number };
      if (m.type === 'hello') {
        const hello = parsed as Hello;
        this.attempt = 0;
        this.handlers.onStatus('live');
        // A new epoch: the server restarted and numbers its events from 1 again, so the number kept from
        // before means nothing (the picture in this hello is the whole truth).
        if (this.epoch !== null && hello.epoch !== this.epoch) this.lastSeq = 0;
        this.epoch = hello.epoch;
        // Missed events first (alerts, for instance), then the picture, which is newer than all of them.
        for (const e of hello.missed ?? []) this.deliver(e);
        this.lastSeq = Math.max(this.lastSeq, hello.last_seq);
        this.handlers.onHello(hello);
        return;
      }
      if (typeof m.seq === 'number') this.deliver(parsed as LiveEvent);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      if (SIGNED_OUT_CODES.has(event.code)) {
        this.handlers.onStatus('signed_out');
        return;
      }
      this.handlers.onStatus('reconnecting');
      // 0.5 s, 1 s, 2 s ... up to 10 s, with jitter so a server restart is not stampeded.
      const delay = Math.min(10000, 500 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
      this.attempt += 1;
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  private deliver(event: LiveEvent): void {
    if (event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    this.handlers.onEvent(event);
  }
}

// The feed's address. `tab` names this console tab (BrowserPhone.tab): when it is the tab answering in the
// browser, the server sees it close and releases the phone after a short grace (docs/api.md, events).
export function feedUrl(after: number, tab?: string, base = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`): string {
  const query = new URLSearchParams();
  if (after > 0) query.set('after', String(after));
  if (tab) query.set('tab', tab);
  const q = query.toString();
  return `${base}/api/v1/events${q ? `?${q}` : ''}`;
}

function defaultUrl(after: number): string {
  return feedUrl(after);
}
