// Whether this browser signed in and has not signed out since. Without the mark, a page opened with no
// session shows sign-in at once instead of asking the server, whose 401 the browser would log as an error
// on every sign-in page. The mark holds no token and nothing about anyone: the session cookie (HttpOnly)
// stays the only proof of a session, and a mark left behind costs one question to the server.
const KEY = 'crisisline.signed-in';

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage refused (a privacy setting): ask the server every time
  }
}

export function mayBeSignedIn(): boolean {
  const s = storage();
  return s === null || s.getItem(KEY) === '1';
}

export function markSignedIn(): void {
  try {
    storage()?.setItem(KEY, '1');
  } catch {
    /* storage full or refused: the server is asked next time anyway */
  }
}

export function markSignedOut(): void {
  try {
    storage()?.removeItem(KEY);
  } catch {
    /* as above */
  }
}
