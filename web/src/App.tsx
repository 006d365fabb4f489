// The console shell: the session, the live feed, the navigation and the pages.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, lastRequestAt, onUnauthenticated, setCsrfToken } from './lib/api';
import { feedUrl, LiveFeed, type FeedStatus } from './lib/live';
import { browserPhone } from './lib/browserPhone';
import { acknowledge, applyEvent, emptyLive, withPicture, type LiveState } from './lib/liveState';
import { linkHandler, navigate, usePath } from './lib/router';
import { hasRole, homeFor, SessionContext } from './lib/session';
import { markSignedIn, markSignedOut, mayBeSignedIn } from './lib/signedInMark';
import type { SessionInfo } from './lib/types';
import { SignIn } from './pages/SignIn';
import { Desk } from './pages/Desk';
import { Reports } from './pages/Reports';
import { FunderPack } from './pages/reports/FunderPack';
import { Wallboard } from './pages/Wallboard';
import { Staffing } from './pages/Staffing';
import { Admin } from './pages/Admin';
import { Account } from './pages/Account';
import { PublicInfo } from './pages/PublicInfo';
import { Poster } from './pages/Poster';
import { Audit } from './pages/Audit';

// The server ends a session after 30 minutes without a request; warn two minutes before.
const IDLE_LIMIT_MS = 30 * 60 * 1000;
const IDLE_WARNING_MS = 2 * 60 * 1000;

export function App() {
  const path = usePath();
  const publicPage = path.match(/^\/info\/([a-z0-9-]+)(\/poster)?\/?$/);
  if (publicPage) {
    return publicPage[2] ? <Poster line={publicPage[1]} /> : <PublicInfo line={publicPage[1]} />;
  }
  return <SignedInApp path={path} />;
}

function SignedInApp({ path }: { path: string }) {
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [checked, setChecked] = useState(false);
  const [expired, setExpired] = useState(false);
  const [live, setLive] = useState<LiveState>(emptyLive);
  const [feedStatus, setFeedStatus] = useState<FeedStatus>('connecting');
  const [idleWarning, setIdleWarning] = useState(false);
  const feed = useRef<LiveFeed | null>(null);

  useEffect(() => {
    const stop = onUnauthenticated(() => {
      markSignedOut();
      setExpired(true);
    });
    if (!mayBeSignedIn()) {
      setChecked(true);
      return stop;
    }
    api<SessionInfo>('GET', '/api/v1/session')
      .then((s) => {
        if (s.mfa_complete) {
          setCsrfToken(s.csrf_token);
          setSession(s);
        } else {
          markSignedOut();
        }
      })
      .catch((e) => {
        if (e instanceof ApiError && e.status === 401) markSignedOut();
      })
      .finally(() => setChecked(true));
    return stop;
  }, []);

  // The live feed, for the roles that have a live picture.
  const myId = session?.staff.id ?? '';
  const wantsFeed =
    !!session &&
    (hasRole(session, 'counsellor') || hasRole(session, 'supervisor') || hasRole(session, 'service_manager'));
  useEffect(() => {
    if (!wantsFeed) return;
    // A counsellor's feed names this tab: the server releases a browser phone whose tab's feed closed.
    const tab = session && hasRole(session, 'counsellor') ? browserPhone().tab : undefined;
    const f = new LiveFeed({
      onHello: (hello) => setLive((s) => withPicture(s, hello.live, Date.now())),
      onEvent: (e) => setLive((s) => applyEvent(s, e, myId, Date.now())),
      onStatus: (status) => {
        setFeedStatus(status);
        if (status === 'signed_out') {
          markSignedOut();
          setExpired(true);
        }
      },
    }, (after) => feedUrl(after, tab));
    feed.current = f;
    f.start();
    return () => f.stop();
  }, [wantsFeed, myId]);

  // Idle warning: shown two minutes before the server would end the session.
  useEffect(() => {
    if (!session || expired) return;
    const timer = setInterval(() => {
      const idle = Date.now() - lastRequestAt();
      setIdleWarning(idle > IDLE_LIMIT_MS - IDLE_WARNING_MS);
      if (idle > IDLE_LIMIT_MS) setExpired(true);
    }, 5000);
    return () => clearInterval(timer);
  }, [session, expired]);

  const value = useMemo(
    () =>
      session && {
        session,
        live,
        signOut: async () => {
          await api('DELETE', '/api/v1/session').catch(() => undefined);
          markSignedOut();
          feed.current?.stop();
          setSession(null);
          setLive(emptyLive);
          navigate('/', true);
        },
        acknowledge: (seq: number) => setLive((s) => acknowledge(s, seq)),
      },
    [session, live],
  );

  if (!checked) return <p class="loading">Loading…</p>;
  if (!session || !value) {
    return (
      <SignIn
        onSignedIn={(s) => {
          markSignedIn();
          setSession(s);
          setExpired(false);
          if (path === '/' || path === '/sign-in') navigate(homeFor(s), true);
        }}
      />
    );
  }
  if (path === '/' || path === '/sign-in') {
    navigate(homeFor(session), true);
    return null;
  }

  return (
    <SessionContext.Provider value={value}>
      <a class="skip-link" href="#main">
        Skip to main content
      </a>
      <Header session={session} path={path} feedStatus={wantsFeed ? feedStatus : null} onSignOut={value.signOut} />
      {idleWarning && !expired && (
        <div class="banner warning" role="alert">
          You will be signed out soon because nothing has been saved or loaded for a while.{' '}
          <button type="button" onClick={() => api('GET', '/api/v1/session').then(() => setIdleWarning(false))}>
            Stay signed in
          </button>
        </div>
      )}
      <Page path={path} />
      {expired && (
        <div class="modal-backdrop">
          <div class="modal" role="dialog" aria-modal="true" aria-labelledby="expired-title">
            <h2 id="expired-title" class="visually-hidden">
              Sign in again
            </h2>
            <SignIn
              expired
              onSignedIn={(s) => {
                markSignedIn();
                setSession(s);
                setExpired(false);
                setIdleWarning(false);
                feed.current?.resume();
              }}
            />
          </div>
        </div>
      )}
    </SessionContext.Provider>
  );
}

function Page({ path }: { path: string }) {
  if (path.startsWith('/desk')) return <Desk />;
  if (path.startsWith('/wallboard')) return <Wallboard large={path.includes('/large')} />;
  if (path.startsWith('/staffing')) return <Staffing />;
  if (path.startsWith('/admin')) return <Admin />;
  if (path.startsWith('/account')) return <Account />;
  if (path.startsWith('/audit')) return <Audit />;
  if (path.startsWith('/reports/pack')) {
    const q = new URLSearchParams(location.search);
    return <FunderPack line={q.get('line') ?? ''} month={q.get('month') ?? ''} />;
  }
  if (path.startsWith('/reports')) return <Reports />;
  return (
    <main id="main" class="page">
      <h1>Page not found</h1>
      <p>
        <a href="/" onClick={linkHandler('/')}>
          Go to your start page
        </a>
      </p>
    </main>
  );
}

function Header(props: {
  session: SessionInfo;
  path: string;
  feedStatus: FeedStatus | null;
  onSignOut: () => void;
}) {
  const { session, path } = props;
  const links: Array<[string, string]> = [];
  if (hasRole(session, 'counsellor')) links.push(['/desk', 'Desk']);
  if (hasRole(session, 'supervisor') || hasRole(session, 'service_manager')) {
    links.push(['/wallboard', 'Wallboard']);
    links.push(['/staffing', 'Staffing']);
    links.push(['/reports', 'Reports']);
  }
  if (hasRole(session, 'admin')) links.push(['/admin', 'Administration']);
  if (hasRole(session, 'auditor')) links.push(['/audit', 'Audit log']);
  links.push(['/account', 'My account']);
  const statusText: Record<FeedStatus, string> = {
    connecting: 'Connecting…',
    live: 'Live',
    reconnecting: 'Reconnecting…',
    signed_out: 'Signed out',
  };
  return (
    <header class="top">
      <span class="brand">crisisline</span>
      <nav aria-label="Main">
        <ul>
          {links.map(([href, label]) => (
            <li key={href}>
              <a href={href} onClick={linkHandler(href)} aria-current={path.startsWith(href) ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {props.feedStatus && (
        <span class={`feed feed-${props.feedStatus}`} role="status" data-testid="feed-status">
          {statusText[props.feedStatus]}
        </span>
      )}
      <span class="who">{session.staff.display_name}</span>
      <button type="button" class="quiet" onClick={props.onSignOut}>
        Sign out
      </button>
    </header>
  );
}
