/**
 * The report pages as HTML (review/report-views.ts, review/charts.ts), rendered from real models
 * built by the engine over the shipped rubric: every criterion of the unit present and those without
 * evidence marked in words, each chart an image whose SVG decodes to the series and marks its data
 * has, with a real text alternative and its figures in a table; no script and no inline style; and
 * the same page, byte for byte, for the same input.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { calibrationOf } from '../engine/calibration.ts';
import { cohortAnalyticsOf } from '../engine/cohort-analytics.ts';
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import { portfolioOf } from '../engine/portfolio.ts';
import { loadLibrary } from '../engine/rubric-library.ts';
import type { TutorReview, Verdict } from '../engine/tutor-review.ts';
import type { PageTutor } from '../review/page-models.ts';
import { calibrationChart, levelDistributionChart, loadCharts } from '../review/charts.ts';
import { renderCalibration, renderCohortAnalytics, renderPortfolio } from '../review/report-views.ts';
import { REVIEW_CSS_FILE } from '../review/review-views.ts';
import { evidenceRecord, reportWithLevels } from './store-conformance.ts';

// ECharts is loaded on first use, as the chart pages load it (this file renders pages as it is read).
await loadCharts();

const library = await loadLibrary();
const f5 = library.units.find((u) => u.id === 'F5')!;
const tutor: PageTutor = { email: 'priya@college.example', name: 'Priya Shah', role: 'tutor' };
const CSRF = 'csrf-token';

const SCENARIOS = [
  { id: 'faulty-washing-machine', title: 'Faulty washing machine' },
  { id: 'gym-cancellation-fee', title: 'Gym <cancellation> fee' },
  { id: 'salon-double-booking', title: 'Salon double booking' },
];

function scored(
  id: string,
  learner: number,
  scenario: number,
  day: number,
  levels: Record<string, number | null>,
  breaches = 0,
): EvidenceRecord {
  const report = reportWithLevels(levels, breaches);
  return evidenceRecord({
    id,
    learner: { id: `tenant/learner-${learner}`, name: learner === 0 ? 'Jo <b>Bloggs</b>' : `Learner ${learner}` },
    scenario: SCENARIOS[scenario]!,
    endedAt: `2026-11-${String(day).padStart(2, '0')}T10:00:00.000Z`,
    turns: [
      { role: 'customer', text: 'My washing machine has flooded the kitchen.' },
      { role: 'learner', text: `<script>alert(1)</script> I'm sorry — when did it start? (${id})` },
    ],
    report,
  });
}

function review(record: EvidenceRecord, verdict: Verdict, dimensions: Record<string, number> = {}): TutorReview {
  return {
    id: `review-${record.id}`,
    recordId: record.id,
    reviewer: { id: 'tutor-1', name: 'Priya "P" <Shah>' },
    at: '2026-11-28T09:00:00.000Z',
    dimensions: Object.fromEntries(Object.entries(dimensions).map(([id, level]) => [id, { level, reason: 'Because.' }])),
    comments: [],
    feedback: 'Feedback.',
    verdict,
  };
}

// Three learners; learner 0 rehearses three times, the others once or twice.
const records = [
  scored('r1', 0, 0, 1, { listening: 1, questioning: 0, defusing: 1, authority: 0 }, 1),
  scored('r2', 0, 1, 3, { listening: 2, questioning: 2, negotiation: 1, unresolved: 2 }),
  scored('r3', 0, 0, 5, { listening: 3, questioning: 2, defusing: 1, authority: 3 }),
  scored('r4', 1, 0, 2, { listening: 2, questioning: 1, defusing: 0, authority: 2 }),
  scored('r5', 1, 2, 4, { listening: 0, questioning: 1, defusing: null, authority: 1 }),
  scored('r6', 2, 1, 2, { listening: 3, questioning: 3, negotiation: 2, unresolved: 3 }),
];
const reviews = new Map([
  ['r2', review(records[1]!, 'meets-standard', { negotiation: 2 })],
  ['r4', review(records[3]!, 'needs-another-attempt', { listening: 1 })],
  ['r6', review(records[5]!, 'meets-standard')],
]);

const learnerRecords = records.filter((r) => r.learner.id === 'tenant/learner-0');
const portfolio = portfolioOf(f5, learnerRecords, reviews, library);
const portfolioModel = {
  tutor,
  csrf: CSRF,
  learner: learnerRecords[0]!.learner,
  portfolio,
  units: library.units.map((u) => ({ id: u.id, title: u.title })),
};
const analytics = cohortAnalyticsOf(records, reviews, library);
const analyticsModel = { tutor, csrf: CSRF, cohort: { id: 'cohort/1', name: 'Tuesday group' }, analytics };
const calibration = calibrationOf(records, reviews, library);
const calibrationModel = { tutor, csrf: CSRF, calibration, exportHref: '/api/export/labelled.zip' };

// ---------------------------------------------------------------------------------------------
// Just enough HTML reading for what matters.

const decode = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

interface Image {
  svg: string;
  alt: string;
  width: number;
  height: number;
}

function imagesIn(html: string): Image[] {
  return [...html.matchAll(/<img src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)" width="(\d+)" height="(\d+)">/g)].map(
    (m) => ({
      svg: Buffer.from(m[1]!, 'base64').toString('utf8'),
      alt: decode(m[2]!),
      width: Number(m[3]),
      height: Number(m[4]),
    }),
  );
}

/** How many data marks each series drew: ECharts tags every mark with its series and data index (and legend items as "legend"). */
function marksPerSeries(svg: string): number[] {
  const marks = new Map<number, Set<string>>();
  for (const m of svg.matchAll(/ecmeta_series_index="(\d+)" ecmeta_data_index="(\d+)" ecmeta_ssr_type="chart"/g)) {
    const series = Number(m[1]);
    marks.set(series, (marks.get(series) ?? new Set()).add(m[2]!));
  }
  return [...marks.keys()].sort((a, b) => a - b).map((s) => marks.get(s)!.size);
}

function expectSafeHtml(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/\sstyle=/i);
  expect(html).not.toMatch(/\son[a-z]+=/i);
  expect(html).not.toMatch(/<style/i);
}

// ---------------------------------------------------------------------------------------------

describe('renderPortfolio', () => {
  const html = renderPortfolio(portfolioModel);
  const rows = [...html.matchAll(/<tr id="criterion-([^"]+)" class="([^"]+)">([\s\S]*?)<\/tr>/g)].map((m) => ({
    id: m[1]!,
    classes: m[2]!.split(' '),
    text: decode(m[3]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')),
  }));

  it('has every criterion of the unit, in order, with its code and words', () => {
    expect(rows.map((r) => r.id)).toEqual(f5.criteria.map((c) => c.code.replace('.', '_')));
    f5.criteria.forEach((c, i) => expect(rows[i]!.text).toContain(`${c.code} ${c.text}`));
  });

  it('marks each criterion without evidence in words as well as by class, and one outside ServiceSim as such', () => {
    for (const [i, c] of portfolio.criteria.entries()) {
      const row = rows[i]!;
      expect(row.classes).toContain(`criterion-${c.status}`);
      if (c.status === 'none') expect(row.text).toMatch(/No evidence/);
      else expect(row.text).not.toMatch(/No evidence/);
    }
    const k8 = rows.find((r) => r.id === 'K8')!;
    expect(k8.classes).toEqual(['criterion', 'criterion-none', 'criterion-outside']);
    expect(k8.text).toMatch(/No evidence: assessed outside ServiceSim/);
    expect(rows.filter((r) => r.classes.includes('criterion-none')).length).toBe(portfolio.summary.none);
    expect(rows.filter((r) => r.classes.includes('criterion-partly')).length).toBeGreaterThan(0);
  });

  it('lists the rehearsals evidencing a criterion with date, scenario, level and the tutor’s confirmation', () => {
    // F5 2.1 (negotiation): r2 only, where the tutor raised the scorer's 1 to 2.
    const row = rows.find((r) => r.id === '2_1')!;
    expect(row.text).toMatch(/Evidenced/);
    expect(row.text).toMatch(/Level 2 Gym <cancellation> fee , 3 Nov 2026 10:00 UTC \(Practice\)/);
    expect(row.text).toMatch(/Options, negotiation and agreement 2 \(scorer 1\)\. Confirmed: tutor set this level\./);
    // F5 1.1 (listening): all three rehearsals; r1 and r3 not reviewed.
    const listening = rows.find((r) => r.id === '1_1')!;
    expect(listening.text.match(/Not yet confirmed by a tutor/g)).toHaveLength(2);
    expect(listening.text).toMatch(/Confirmed: tutor agreed with the scorer's level/);
  });

  it('shows the summary, the unit’s facts, the sign-offs and each evidencing rehearsal’s transcript as an appendix', () => {
    const text = decode(html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '));
    expect(text).toContain(`${portfolio.summary.evidenced} of ${f5.criteria.length} criteria evidenced`);
    expect(text).toContain(`F5: ${f5.title}`);
    expect(text).toContain(f5.awardingBody);
    expect(text).toContain(`Level ${f5.level}`);
    expect(text).toMatch(/Priya "P" <Shah> 28 Nov 2026 09:00 UTC Meets the standard/);
    const appendices = [...html.matchAll(/<section class="appendix" aria-labelledby="(appendix-\d+)">([\s\S]*?)<\/section>/g)];
    expect(appendices.map((a) => a[1])).toEqual(['appendix-1', 'appendix-2', 'appendix-3']);
    expect(appendices[1]![2]).toContain('&lt;script&gt;alert(1)&lt;/script&gt; I&#39;m sorry — when did it start? (r2)');
    expect(appendices[1]![2]).toMatch(/Turn 2<\/span> <span class="turn-role">Learner/);
    // Each rehearsal link in the criteria table leads to its appendix.
    for (const href of html.matchAll(/href="#(appendix-\d+)"/g)) expect(html).toContain(`id="${href[1]}"`);
  });

  it('writes the learner’s and tutor’s words escaped, with no script and no inline style', () => {
    expectSafeHtml(html);
    expect(html).toContain('Jo &lt;b&gt;Bloggs&lt;/b&gt;');
  });

  it('offers the other units by a plain GET form on the same page', () => {
    expect(html).toMatch(/<form class="[^"]*" method="get" action="\/review\/learners\/tenant%2Flearner-0\/portfolio">/);
    expect(html).toMatch(/<option value="F5" selected>/);
    expect(html.match(/<option /g)).toHaveLength(library.units.length);
  });

  it('starts each appendix on a new page in print, and leaves no criterion row split across pages', () => {
    const css = readFileSync(REVIEW_CSS_FILE, 'utf8');
    const print = css.slice(css.lastIndexOf('@media print'));
    expect(print).toMatch(/\.appendix \{\s*break-before: page;/);
    expect(print).toMatch(/table\.criteria-table tr,[^{]*\{\s*break-inside: avoid;/);
  });
});

describe('renderCohortAnalytics', () => {
  const html = renderCohortAnalytics(analyticsModel);
  const images = imagesIn(html);
  const dimensions = analytics.dimensions.length;

  it('draws the four charts, each with a text alternative naming its figures', () => {
    expect(images).toHaveLength(4);
    for (const image of images) {
      expect(image.alt.length).toBeGreaterThan(60);
      expect(image.svg).toMatch(/^<svg [^>]*width="\d+" height="\d+"/);
    }
    const [distribution, weakest, progress, failures] = images;
    // Latest per learner and scenario: 3 and 2 (learner 0), 1 after review and 0 (learner 1), 3 (learner 2).
    expect(distribution!.alt).toContain('Listening and understanding: 1 at 0, 1 at 1, 1 at 2, 2 at 3.');
    // Learner 1's latest washer attempt scored defusing 0.
    expect(weakest!.alt).toContain('Learner 1: weakest Defusing and adapting communication (mean 0.0).');
    // First attempts 1, 1 (after review) and 3; second 2 and 0; third 3.
    expect(progress!.alt).toContain('Listening and understanding: attempt 1 1.7, attempt 2 1, attempt 3 3.');
    expect(failures!.alt).toContain('Faulty washing machine: 2 of 3 attempts.');
  });

  it('draws one bar per dimension for each level, a cell per learner and dimension, a line per dimension and a bar per failed scenario', () => {
    const [distribution, weakest, progress, failures] = images;
    expect(marksPerSeries(distribution!.svg)).toEqual([dimensions, dimensions, dimensions, dimensions]);
    // A cell where a learner had no level on a dimension is left blank (the table says "–").
    const withLevels = analytics.weakest.flatMap((w) => analytics.dimensions.filter((d) => w.means[d.id] !== null)).length;
    expect(withLevels).toBeLessThan(analytics.learners * dimensions);
    expect(marksPerSeries(weakest!.svg)).toEqual([withLevels]);
    expect(marksPerSeries(progress!.svg)).toEqual(analytics.cohortProgress.map((c) => c.points.length));
    expect(marksPerSeries(failures!.svg)).toEqual([analytics.failures.filter((f) => f.failed > 0).length]);
    // Values written on the marks, not left to colour: every count but 0, in bold on its bar.
    const barLabels = [...distribution!.svg.matchAll(/font-weight:bold;"[^>]*>(\d+)<\/text>/g)].map((m) => Number(m[1]));
    const counts = [0, 1, 2, 3].flatMap((level) => analytics.distribution.map((d) => d.counts[level]!)).filter((n) => n > 0);
    expect(barLabels).toEqual(counts);
    expect(weakest!.svg).toContain('▼ 0.0');
    expect(failures!.svg).toContain('2 of 3 attempts');
  });

  it('gives every chart’s figures as a table, and the headings and links to them', () => {
    for (const id of ['distribution', 'weakest', 'progress', 'failures']) {
      expect(html).toContain(`<h2 id="${id}">`);
      expect(html).toContain(`href="#${id}"`);
    }
    expect(html.match(/<details class="figures">/g)).toHaveLength(4);
    expect(html.match(/<table class="report-table">/g)).toHaveLength(4);
    expect(html).toContain('Gym &lt;cancellation&gt; fee');
    expect(html).toContain('href="/review/cohorts/cohort%2F1"');
    expectSafeHtml(html);
  });

  it('renders the same bytes for the same input', () => {
    expect(renderCohortAnalytics(analyticsModel)).toBe(html);
  });

  it('says there is nothing to chart yet for a cohort with no rehearsals', () => {
    const empty = renderCohortAnalytics({ ...analyticsModel, analytics: cohortAnalyticsOf([], new Map(), library) });
    expect(imagesIn(empty)).toEqual([]);
    expect(empty).toContain('No rehearsals in this cohort yet');
    expectSafeHtml(empty);
  });
});

describe('renderCalibration', () => {
  const html = renderCalibration(calibrationModel);

  it('draws the changed rate and exact agreement per dimension, with the figures in a table', () => {
    const [image, ...rest] = imagesIn(html);
    expect(rest).toEqual([]);
    expect(marksPerSeries(image!.svg)).toEqual([calibration.rows.length, calibration.rows.length]);
    expect(image!.alt).toContain('Listening and understanding: changed 33% of 3, exact agreement 67% of 3.');
    expect(image!.svg).toContain('changed 33%');
    const rows = [...html.matchAll(/<tr>\s*<th scope="row">([^<]+)<\/th>([\s\S]*?)<\/tr>/g)].map((m) => [
      m[1],
      ...[...m[2]!.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((c) => c[1]),
    ]);
    expect(rows.map((r) => r[0])).toEqual([...calibration.rows.map((r) => r.dimension.name), 'All dimensions']);
    // Listening, [tutor, scorer]: [2, 2], [1, 2], [3, 3].
    expect(rows[0]).toEqual(['Listening and understanding', '3', '1 (33%)', '3', '67%', '100%', expect.stringMatching(/^-?\d\.\d\d$/)]);
  });

  it('links to the overrides as labelled transcripts', () => {
    expect(html).toMatch(/<a class="button" href="\/api\/export\/labelled\.zip" download>/);
    expectSafeHtml(html);
  });

  it('says there are no figures before any review', () => {
    const none = renderCalibration({ ...calibrationModel, calibration: calibrationOf(records, new Map(), library) });
    expect(imagesIn(none)).toEqual([]);
    expect(none).toContain('No reviewed rehearsals yet');
  });
});

describe('charts', () => {
  it('are the same bytes each time they are drawn, whatever was drawn in between', () => {
    const first = levelDistributionChart(analytics.distribution, analytics.levelNames);
    calibrationChart(calibration);
    expect(levelDistributionChart(analytics.distribution, analytics.levelNames)).toEqual(first);
  });
});
