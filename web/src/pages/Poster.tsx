// A printable A4 poster for a line (/info/{line}/poster): name, number, hours,
// the confidentiality promise in English and Welsh, and a QR code that dials.
import { QrCode } from '../components/QrCode';
import { linkHandler } from '../lib/router';
import { text } from './public/content';
import { displayNumber, telHref, usePublicLine, type PublicLine } from './public/line';
import { OtherHelp, useTitle } from './public/parts';
import './public/public.css';

const en = text.en;
const cy = text.cy;

export function Poster({ line }: { line: string }) {
  const state = usePublicLine(line);
  useTitle(state.status === 'ok' ? `${state.line.name}: poster` : 'Poster');
  const back = `/info/${line}`;
  return (
    <div class="poster-screen">
      <header class="poster-tools">
        <button type="button" class="primary" onClick={() => window.print()}>
          {en.print} <span lang="cy">/ {cy.print}</span>
        </button>
        <a href={back} onClick={linkHandler(back)}>
          {en.backToInfo}
        </a>
      </header>
      {state.status === 'ok' ? (
        <PosterSheet line={state.line} />
      ) : (
        <main id="main" class="pub-main">
          {state.status === 'loading' && <p>{en.loading}</p>}
          {state.status === 'not_found' && (
            <>
              <h1>{en.notFoundTitle}</h1>
              <p>{en.notFoundBody}</p>
              <OtherHelp lang="en" />
            </>
          )}
          {state.status === 'unavailable' && (
            <>
              <h1>{en.unavailableTitle}</h1>
              <p>{en.unavailableBody}</p>
            </>
          )}
        </main>
      )}
    </div>
  );
}

function PosterSheet({ line }: { line: PublicLine }) {
  const first = line.numbers[0] ?? '';
  const shown = first ? displayNumber(first) : '';
  // Long names and hours get a smaller type so the poster still fits one page.
  const long = line.name.length > 45 || (!line.always_open && line.hours.length > 60);
  return (
    <main id="main" class={`poster${long ? ' long' : ''}`}>
      <h1 class="poster-name">{line.name}</h1>
      <p class="poster-tagline">
        {en.posterTagline}
        <span class="poster-cy" lang="cy">
          {cy.posterTagline}
        </span>
      </p>
      {first ? (
        <p class="poster-number">
          <a href={telHref(first)} data-testid="poster-number">
            {shown}
          </a>
        </p>
      ) : (
        <p class="poster-number-missing">{en.noNumber}</p>
      )}
      <p class="poster-hours" data-testid="poster-hours">
        {line.always_open ? (
          <>
            {en.posterOpen247}
            <span class="poster-cy" lang="cy">
              {cy.posterOpen247}
            </span>
          </>
        ) : (
          line.hours
        )}
      </p>
      <p class="poster-confidential">
        {en.posterConfidential}
        <span class="poster-cy" lang="cy">
          {cy.posterConfidential}
        </span>
      </p>
      <div class="poster-body">
        <div class="poster-text">
          <div lang="en">
            <p>{en.posterShort}</p>
            <p>{en.posterShared}</p>
          </div>
          <div lang="cy" class="poster-welsh">
            <p>{cy.posterShort}</p>
            <p>{cy.posterShared}</p>
          </div>
        </div>
        {first && (
          <figure class="poster-qr">
            <QrCode text={telHref(first)} label={`QR code: scan to call ${shown}`} size={220} />
            <figcaption>
              {en.posterScan}
              <span class="poster-cy" lang="cy">
                {cy.posterScan}
              </span>
            </figcaption>
          </figure>
        )}
      </div>
      <p class="poster-emergency">
        {en.posterEmergency} <span lang="cy">{cy.posterEmergency}</span>
      </p>
    </main>
  );
}
