// Pieces shared by the public information page and the poster.
import { useEffect, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { langFromSearch, text, type Lang } from './content';
import { telHref } from './line';

// The page language, kept in the address (?lang=cy) so a Welsh link stays Welsh.
export function useLang(): [Lang, (lang: Lang) => void] {
  const [lang, setLang] = useState<Lang>(() => langFromSearch(location.search));
  const change = (next: Lang) => {
    setLang(next);
    const url = new URL(location.href);
    if (next === 'cy') url.searchParams.set('lang', 'cy');
    else url.searchParams.delete('lang');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  };
  // The whole document is in the page's language (screen readers pick their voice from <html lang>).
  useEffect(() => {
    const root = document.documentElement;
    const before = root.lang;
    root.lang = lang;
    return () => {
      root.lang = before;
    };
  }, [lang]);
  return [lang, change];
}

export function useTitle(title: string): void {
  useEffect(() => {
    const before = document.title;
    document.title = title;
    return () => {
      document.title = before;
    };
  }, [title]);
}

export function LanguageSwitch({ lang, onChange }: { lang: Lang; onChange: (lang: Lang) => void }) {
  return (
    <div class="pub-lang" role="group" aria-label="Language / Iaith">
      <button type="button" lang="en" aria-pressed={lang === 'en'} onClick={() => onChange('en')}>
        English
      </button>
      <button type="button" lang="cy" aria-pressed={lang === 'cy'} onClick={() => onChange('cy')}>
        Cymraeg
      </button>
    </div>
  );
}

// Text with phone numbers marked [[like this]] turned into tel: links.
export function WithTel({ children }: { children: string }): ComponentChildren {
  const parts = children.split(/\[\[(.+?)\]\]/);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <a key={i} href={telHref(part)} class="pub-tel">
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </>
  );
}

// Where someone who is not in policing, or who cannot reach the line, should go.
export function OtherHelp({ lang, headingLevel = 2 }: { lang: Lang; headingLevel?: 2 | 3 }) {
  const t = text[lang];
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section class="pub-section" aria-labelledby="pub-public-title">
      <Heading id="pub-public-title">{t.publicTitle}</Heading>
      <p>{t.publicIntro}</p>
      <ul class="pub-help">
        <li>
          <WithTel>{t.publicEngland}</WithTel>
        </li>
        <li>
          <WithTel>{t.publicWales}</WithTel>
        </li>
        <li>
          <WithTel>{t.publicSamaritans}</WithTel>
        </li>
        <li>
          <strong>
            <WithTel>{t.publicEmergency}</WithTel>
          </strong>
        </li>
      </ul>
    </section>
  );
}
