// The public information page of a line (/info/{line}): no sign-in, English and Welsh.
import { linkHandler } from '../lib/router';
import { text, type Lang } from './public/content';
import { displayNumber, telHref, typedText, usePublicLine, type PublicLine } from './public/line';
import { LanguageSwitch, OtherHelp, useLang, useTitle, WithTel } from './public/parts';
import './public/public.css';

export function PublicInfo({ line }: { line: string }) {
  const [lang, setLang] = useLang();
  const state = usePublicLine(line);
  const t = text[lang];
  const name = state.status === 'ok' ? typedText(state.line.name, state.line.name_cy, lang) : null;
  useTitle(
    state.status === 'ok' && name
      ? name.text
      : state.status === 'not_found'
        ? t.notFoundTitle
        : state.status === 'unavailable'
          ? t.unavailableTitle
          : t.loading,
  );

  return (
    <div class="pub">
      <a class="skip-link" href="#main">
        {lang === 'cy' ? 'Neidio i’r prif gynnwys' : 'Skip to main content'}
      </a>
      <header class="pub-header">
        <span class="pub-brand" lang={name?.lang}>
          {name?.text || (lang === 'cy' ? 'Llinell argyfwng' : 'Crisis line')}
        </span>
        <LanguageSwitch lang={lang} onChange={setLang} />
      </header>
      <main id="main" class="pub-main" lang={lang}>
        {state.status === 'loading' && <p>{t.loading}</p>}
        {state.status === 'not_found' && <Problem lang={lang} title={t.notFoundTitle} body={t.notFoundBody} />}
        {state.status === 'unavailable' && (
          <Problem lang={lang} title={t.unavailableTitle} body={t.unavailableBody} />
        )}
        {state.status === 'ok' && <LineInfo line={state.line} lang={lang} />}
      </main>
      <footer class="pub-footer" lang={lang}>
        <p>
          <WithTel>{t.publicEmergency}</WithTel>
        </p>
      </footer>
    </div>
  );
}

function Problem({ lang, title, body }: { lang: Lang; title: string; body: string }) {
  const t = text[lang];
  return (
    <>
      <h1>{title}</h1>
      <p>{body}</p>
      <p class="pub-emergency">
        <WithTel>{t.emergency}</WithTel>
      </p>
      <OtherHelp lang={lang} />
    </>
  );
}

function LineInfo({ line, lang }: { line: PublicLine; lang: Lang }) {
  const t = text[lang];
  // Hours and regions are typed in English only.
  const typed = lang === 'cy' ? 'en' : undefined;
  const name = typedText(line.name, line.name_cy, lang);
  const audience = typedText(line.audience, line.audience_cy, lang);
  const national = line.regions.length === 0 || line.regions.includes('national');
  const poster = `/info/${line.id || ''}/poster`;
  return (
    <>
      <h1 lang={name.lang}>{name.text}</h1>
      <p class="pub-emergency">
        <WithTel>{t.emergency}</WithTel>
      </p>
      <p class="pub-lead">{t.intro}</p>

      <section class="pub-section pub-call" aria-labelledby="pub-call-title">
        <h2 id="pub-call-title">{t.callTitle}</h2>
        {line.numbers.length > 0 ? (
          <ul class="pub-numbers">
            {line.numbers.map((n) => (
              <li key={n}>
                <a class="pub-number" href={telHref(n)} data-testid="line-number">
                  {displayNumber(n)}
                </a>
              </li>
            ))}
          </ul>
        ) : (
          <p>{t.noNumber}</p>
        )}
        <p>{line.languages.includes('cy') ? t.languagesBoth : t.languagesEnglish}</p>
      </section>

      <section class="pub-section" aria-labelledby="pub-hours-title">
        <h2 id="pub-hours-title">{t.hoursTitle}</h2>
        <p data-testid="line-hours">
          {line.always_open ? (
            <strong>{t.alwaysOpen}</strong>
          ) : line.hours ? (
            <span lang={typed}>{line.hours}</span>
          ) : (
            t.noHours
          )}
        </p>
      </section>

      <section class="pub-section pub-promise" aria-labelledby="pub-promise-title">
        <h2 id="pub-promise-title">{t.confidentialTitle}</h2>
        {t.confidential.map((p) => (
          <p key={p}>{p}</p>
        ))}
      </section>

      <section class="pub-section" aria-labelledby="pub-what-title">
        <h2 id="pub-what-title">{t.whatTitle}</h2>
        <ul class="pub-what">
          {t.what.map((item) => (
            <li key={item}>{item}</li>
          ))}
        </ul>
      </section>

      <section class="pub-section" aria-labelledby="pub-who-title">
        <h2 id="pub-who-title">{t.whoTitle}</h2>
        <p>
          {line.audience ? (
            <>
              {t.audience} <span lang={audience.lang}>{audience.text.replace(/\.\s*$/, '')}</span>.
            </>
          ) : (
            t.audienceDefault
          )}
        </p>
        {!national && (
          <p>
            {t.regions} <span lang={typed}>{line.regions.join(', ')}</span>
          </p>
        )}
      </section>

      <OtherHelp lang={lang} />

      <p class="pub-poster-link">
        <a href={poster} onClick={linkHandler(poster)}>
          {t.posterLink}
        </a>
      </p>
    </>
  );
}
