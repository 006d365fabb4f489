// Administration (role `admin`): staff accounts, lines, each line's signposting
// directory, and telephony (trunks, read only, and the recorded prompts). An administrator manages accounts and configuration and never sees
// contact content.
import { linkHandler, navigate, usePath } from '../lib/router';
import { SessionContext } from '../lib/session';
import { useContext, useEffect } from 'preact/hooks';
import { StaffAdmin } from './admin/StaffAdmin';
import { LinesAdmin } from './admin/LinesAdmin';
import { DirectoryAdmin } from './admin/DirectoryAdmin';
import { TelephonyAdmin } from './admin/TelephonyAdmin';
import './admin/admin.css';

const TABS: Array<{ path: string; label: string }> = [
  { path: '/admin/staff', label: 'Staff' },
  { path: '/admin/lines', label: 'Lines' },
  { path: '/admin/directory', label: 'Signposting directory' },
  { path: '/admin/telephony', label: 'Telephony' },
];

export function Admin(_props: { large?: boolean }) {
  const path = usePath();
  const session = useContext(SessionContext)?.session;
  const isAdmin = !session || session.staff.roles.includes('admin');
  const tab = TABS.find((t) => path === t.path || path.startsWith(`${t.path}/`)) ?? null;

  // /admin on its own opens the first section.
  useEffect(() => {
    if (isAdmin && !tab && /^\/admin\/?$/.test(path)) navigate('/admin/staff', true);
  }, [path, isAdmin, tab]);

  if (!isAdmin) {
    return (
      <main id="main" class="page">
        <h1>Administration</h1>
        <p>Administration needs the administrator role.</p>
      </main>
    );
  }

  return (
    <main id="main" class="page admin">
      <h1>Administration</h1>
      <nav aria-label="Administration sections" class="subnav">
        <ul>
          {TABS.map((t) => (
            <li key={t.path}>
              <a href={t.path} onClick={linkHandler(t.path)} aria-current={tab?.path === t.path ? 'page' : undefined}>
                {t.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {tab?.path === '/admin/staff' && <StaffAdmin />}
      {tab?.path === '/admin/lines' && <LinesAdmin />}
      {tab?.path === '/admin/directory' && <DirectoryAdmin />}
      {tab?.path === '/admin/telephony' && <TelephonyAdmin />}
      {!tab && !/^\/admin\/?$/.test(path) && (
        <p>
          No such administration page.{' '}
          <a href="/admin/staff" onClick={linkHandler('/admin/staff')}>
            Go to staff
          </a>
          .
        </p>
      )}
    </main>
  );
}
