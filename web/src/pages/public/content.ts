// The words of the public information page and the poster, in English and Welsh.
// Phone numbers written [[like this]] become tel: links.
//
// WELSH NEEDS REVIEW: the Welsh (cy) text below was written by the development team,
// not by a Welsh speaker or translator. It must be checked by a fluent Welsh speaker
// (ideally a professional translator familiar with mental-health services) before
// it is used with callers. Keep both languages saying exactly the same thing.

export type Lang = 'en' | 'cy';

export interface PublicText {
  languageLabel: string; // the name of the *other* language, on the switch
  switchHint: string;
  loading: string;
  notFoundTitle: string;
  notFoundBody: string;
  unavailableTitle: string;
  unavailableBody: string;
  emergency: string;
  intro: string;
  callTitle: string;
  callLink: (name: string, number: string) => string;
  noNumber: string;
  hoursTitle: string;
  alwaysOpen: string;
  noHours: string;
  languagesBoth: string;
  languagesEnglish: string;
  whoTitle: string;
  audience: string; // followed by the line's audience
  audienceDefault: string;
  regions: string; // followed by the regions
  publicTitle: string;
  publicIntro: string;
  publicEngland: string;
  publicWales: string;
  publicSamaritans: string;
  publicEmergency: string;
  whatTitle: string;
  what: string[];
  confidentialTitle: string;
  confidential: string[];
  posterLink: string;
  // poster
  posterTagline: string;
  posterConfidential: string;
  posterShort: string;
  posterShared: string;
  posterScan: string;
  posterEmergency: string;
  posterOpen247: string;
  print: string;
  backToInfo: string;
}

export const text: Record<Lang, PublicText> = {
  en: {
    languageLabel: 'Cymraeg',
    switchHint: 'Darllenwch y dudalen hon yn Gymraeg',
    loading: 'Loading…',
    notFoundTitle: 'No such line',
    notFoundBody:
      'We could not find a crisis line at this address. Check the link or poster you were given.',
    unavailableTitle: 'This information is not available right now',
    unavailableBody: 'Please try again in a few minutes.',
    emergency: 'If you or someone else is in immediate danger, call [[999]].',
    intro:
      'Confidential, independent support when you are struggling, in crisis or having thoughts of suicide. You will talk to a qualified counsellor who understands policing.',
    callTitle: 'Call us',
    callLink: (name, number) => `Call ${name} on ${number}`,
    noNumber: 'The number for this line has not been published yet.',
    hoursTitle: 'When you can call',
    alwaysOpen: 'Open 24 hours a day, 7 days a week, 365 days a year.',
    noHours: 'The opening hours of this line have not been published yet.',
    languagesBoth: 'You can talk to us in English or Welsh.',
    languagesEnglish: 'Calls are answered in English.',
    whoTitle: 'Who this line is for',
    audience: 'This line is for',
    audienceDefault: 'This line is for people who work in policing.',
    regions: 'Areas covered:',
    publicTitle: 'If you are a member of the public',
    publicIntro:
      'This line is for people who work in policing. It is not for members of the public. If you need help with your mental health, these services are there for you:',
    publicEngland: 'In England: call NHS [[111]] and choose option 2 for urgent mental health support.',
    publicWales: 'In Wales: call [[111]] and press 2 for mental health support.',
    publicSamaritans: 'Samaritans: call [[116 123]], free, any time of the day or night.',
    publicEmergency: 'In an emergency, or if a life is at risk, call [[999]].',
    whatTitle: 'What happens when you call',
    what: [
      'A qualified counsellor answers the phone and tells you their name.',
      'They will ask how you are, what has happened and whether you are safe. They ask so that they can understand your situation and help you in the right way.',
      'They can help you find more support, such as counselling, therapy, bereavement support and other services.',
      'If they are worried about you, they may offer to call you again later. They will only do this if you agree.',
    ],
    confidentialTitle: 'Our confidentiality promise',
    confidential: [
      'This line is independent of your force. Nothing you tell us is shared with your force, occupational health or your line management.',
      'The only exception is if there is an immediate risk to life. Then we may call the emergency services to keep you or someone else safe.',
    ],
    posterLink: 'Printable poster for noticeboards (A4)',
    posterTagline: 'Mental health crisis support for people in policing',
    posterConfidential: 'Confidential — independent of your force',
    posterShort:
      'Struggling, in crisis or having thoughts of suicide? Talk to a qualified counsellor who understands policing.',
    posterShared: 'Nothing is shared with your force, occupational health or line management.',
    posterScan: 'Scan to call',
    posterEmergency: 'In an emergency, call 999.',
    posterOpen247: 'Open 24/7/365: 24 hours a day, every day of the year',
    print: 'Print or save as PDF',
    backToInfo: 'Back to the information page',
  },
  cy: {
    languageLabel: 'English',
    switchHint: 'Read this page in English',
    loading: 'Wrthi’n llwytho…',
    notFoundTitle: 'Dim llinell o’r fath',
    notFoundBody:
      'Ni allem ddod o hyd i linell argyfwng yn y cyfeiriad hwn. Gwiriwch y ddolen neu’r poster a gawsoch chi.',
    unavailableTitle: 'Nid yw’r wybodaeth hon ar gael ar hyn o bryd',
    unavailableBody: 'Rhowch gynnig arall arni ymhen ychydig funudau.',
    emergency: 'Os ydych chi neu rywun arall mewn perygl uniongyrchol, ffoniwch [[999]].',
    intro:
      'Cymorth cyfrinachol ac annibynnol pan fyddwch chi’n ei chael hi’n anodd, mewn argyfwng neu’n meddwl am hunanladdiad. Byddwch chi’n siarad â chwnselydd cymwysedig sy’n deall gwaith plismona.',
    callTitle: 'Ffoniwch ni',
    callLink: (name, number) => `Ffoniwch ${name} ar ${number}`,
    noNumber: 'Nid yw rhif y llinell hon wedi’i gyhoeddi eto.',
    hoursTitle: 'Pryd gallwch chi ffonio',
    alwaysOpen: 'Ar agor 24 awr y dydd, 7 diwrnod yr wythnos, 365 diwrnod y flwyddyn.',
    noHours: 'Nid yw oriau agor y llinell hon wedi’u cyhoeddi eto.',
    languagesBoth: 'Gallwch chi siarad â ni yn Gymraeg neu yn Saesneg.',
    languagesEnglish: 'Mae galwadau’n cael eu hateb yn Saesneg.',
    whoTitle: 'Ar gyfer pwy mae’r llinell hon',
    audience: 'Mae’r llinell hon ar gyfer',
    audienceDefault: 'Mae’r llinell hon ar gyfer pobl sy’n gweithio ym maes plismona.',
    regions: 'Ardaloedd:',
    publicTitle: 'Os ydych chi’n aelod o’r cyhoedd',
    publicIntro:
      'Mae’r llinell hon ar gyfer pobl sy’n gweithio ym maes plismona. Nid yw ar gyfer aelodau o’r cyhoedd. Os oes angen help arnoch chi gyda’ch iechyd meddwl, mae’r gwasanaethau hyn yno i chi:',
    publicEngland: 'Yn Lloegr: ffoniwch GIG [[111]] a dewiswch opsiwn 2 i gael cymorth iechyd meddwl brys.',
    publicWales: 'Yng Nghymru: ffoniwch [[111]] a phwyswch 2 i gael cymorth iechyd meddwl.',
    publicSamaritans: 'Y Samariaid: ffoniwch [[116 123]], am ddim, unrhyw adeg o’r dydd neu’r nos.',
    publicEmergency: 'Mewn argyfwng, neu os oes bywyd mewn perygl, ffoniwch [[999]].',
    whatTitle: 'Beth sy’n digwydd pan fyddwch chi’n ffonio',
    what: [
      'Bydd cwnselydd cymwysedig yn ateb y ffôn ac yn dweud ei enw neu ei henw wrthych chi.',
      'Bydd yn gofyn sut rydych chi, beth sydd wedi digwydd ac a ydych chi’n ddiogel. Mae’n gofyn hyn er mwyn deall eich sefyllfa a’ch helpu yn y ffordd iawn.',
      'Gall eich helpu i ddod o hyd i ragor o gymorth, fel cwnsela, therapi, cymorth profedigaeth a gwasanaethau eraill.',
      'Os yw’n poeni amdanoch chi, efallai y bydd yn cynnig eich ffonio eto yn nes ymlaen. Dim ond os byddwch chi’n cytuno y bydd hyn yn digwydd.',
    ],
    confidentialTitle: 'Ein haddewid cyfrinachedd',
    confidential: [
      'Mae’r llinell hon yn annibynnol ar eich heddlu. Nid yw dim byd rydych chi’n ei ddweud wrthym yn cael ei rannu â’ch heddlu, ag iechyd galwedigaethol nac â’ch rheolwyr llinell.',
      'Yr unig eithriad yw pan fo risg uniongyrchol i fywyd. Bryd hynny, efallai y byddwn ni’n galw’r gwasanaethau brys er mwyn eich cadw chi neu rywun arall yn ddiogel.',
    ],
    posterLink: 'Poster i’w argraffu ar gyfer hysbysfyrddau (A4)',
    posterTagline: 'Cymorth mewn argyfwng iechyd meddwl i bobl ym maes plismona',
    posterConfidential: 'Cyfrinachol — yn annibynnol ar eich heddlu',
    posterShort:
      'Yn ei chael hi’n anodd, mewn argyfwng neu’n meddwl am hunanladdiad? Siaradwch â chwnselydd cymwysedig sy’n deall gwaith plismona.',
    posterShared: 'Does dim byd yn cael ei rannu â’ch heddlu, ag iechyd galwedigaethol nac â’ch rheolwyr llinell.',
    posterScan: 'Sganiwch i ffonio',
    posterEmergency: 'Mewn argyfwng, ffoniwch 999.',
    posterOpen247: 'Ar agor 24/7/365: 24 awr y dydd, bob dydd o’r flwyddyn',
    print: 'Argraffu neu gadw fel PDF',
    backToInfo: 'Yn ôl i’r dudalen wybodaeth',
  },
};

// The language asked for in the address (?lang=cy), else English.
export function langFromSearch(search: string): Lang {
  return new URLSearchParams(search).get('lang') === 'cy' ? 'cy' : 'en';
}
