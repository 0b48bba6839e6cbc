/**
 * The HTML of the tutors' report pages: a learner's qualification portfolio for one unit (made to
 * be printed or saved as PDF for an assessor), a cohort's analytics, and the scorer's calibration
 * against tutors. Page models (review/report-page-models.ts) in, Eta templates (review/views/
 * portfolio.eta, cohort-analytics.eta, calibration.eta) out, inside the review pages' layout.
 *
 * @remarks
 * As on the other review pages (review-views.ts), every word, date, figure and href is worked out
 * here and reaches the template as text, escaped; there is no script and no inline style. Charts
 * (review/charts.ts) are `data:` images, each with a text alternative and its figures in a table
 * beneath, so a screen reader, a keyboard and a printer get everything a sighted mouse user does.
 */
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { CriterionStatus, Confirmation, Portfolio } from '../engine/portfolio.ts';
import type { Verdict } from '../engine/tutor-review.ts';
import { calibrationChart, failedScenariosChart, levelDistributionChart, progressChart, weakestDimensionChart } from './charts.ts';
import type { CalibrationPage, CohortAnalyticsPage, PortfolioPage } from './report-page-models.ts';
import { instant, layout, learnerName, MODE_TEXT, type LevelBadge } from './review-views.ts';

const eta = new Eta({ views: fileURLToPath(new URL('./views', import.meta.url)), autoEscape: true, cache: true });

const STATUS_TEXT: Record<CriterionStatus, string> = {
  evidenced: 'Evidenced',
  partly: 'Partly evidenced',
  none: 'No evidence',
};

const CONFIRMATION_TEXT: Record<Confirmation, string> = {
  agreed: "tutor agreed with the scorer's level",
  set: 'tutor set this level',
  unconfirmed: 'Not yet confirmed by a tutor',
};

const VERDICT_TEXT: Record<Verdict, string> = {
  'meets-standard': 'Meets the standard',
  'needs-another-attempt': 'Needs another attempt',
};

// ---------------------------------------------------------------------------------------------
// The portfolio.

export function renderPortfolio(model: PortfolioPage): string {
  const { portfolio: p } = model;
  const learner = learnerName(model.learner);
  const appendixOf = new Map(p.rehearsals.map((r, i) => [r.record.id, `appendix-${i + 1}`]));
  const titleOf = (r: { scenario: { title: string }; endedAt: string }) => `${r.scenario.title}, ${instant(r.endedAt).text}`;
  return eta.render('portfolio', {
    page: layout(`Portfolio: ${learner}, ${p.unit.id}`, model.tutor, model.csrf),
    learner: { name: learner, id: model.learner.name === undefined ? undefined : model.learner.id },
    unit: { ...p.unit, levelText: `Level ${p.unit.level}` },
    unitPicker:
      model.units && model.units.length > 1
        ? {
            action: `/review/learners/${encodeURIComponent(model.learner.id)}/portfolio`,
            options: model.units.map((u) => ({ value: u.id, label: `${u.id}: ${u.title}`, selected: u.id === p.unit.id })),
          }
        : undefined,
    summary: portfolioSummary(p),
    criteria: p.criteria.map((c) => ({
      id: `criterion-${c.code.replace(/[^A-Za-z0-9_-]/g, '_')}`,
      code: c.code,
      text: c.text,
      status: c.status,
      statusText: c.assessedOutside ? 'No evidence: assessed outside ServiceSim' : STATUS_TEXT[c.status],
      confirmedText: c.status === 'evidenced' ? (c.confirmed ? 'confirmed by a tutor' : 'not yet confirmed by a tutor') : undefined,
      outside: c.assessedOutside,
      rehearsals: c.rehearsals.map((r) => ({
        href: `#${appendixOf.get(r.recordId)}`,
        title: r.scenario.title,
        ended: instant(r.endedAt),
        mode: MODE_TEXT[r.mode] ?? r.mode,
        badge: badge(`Level`, `The lowest level of the dimensions citing ${c.code}`, r.level),
        dimensions: r.dimensions.map((d) => `${d.name} ${d.level}${d.scorer !== d.level ? ` (scorer ${d.scorer ?? '–'})` : ''}`).join('; '),
        confirmation: r.confirmed ? confirmationText(r.dimensions.map((d) => d.confirmation)) : CONFIRMATION_TEXT.unconfirmed,
        confirmed: r.confirmed,
      })),
    })),
    signOffs: p.signOffs.map((s) => ({
      rehearsal: titleOf({ scenario: s.scenario, endedAt: p.rehearsals.find((r) => r.record.id === s.recordId)!.record.endedAt }),
      href: `#${appendixOf.get(s.recordId)}`,
      reviewer: s.reviewer.name ?? s.reviewer.id,
      at: instant(s.at),
      verdict: VERDICT_TEXT[s.verdict] ?? s.verdict,
    })),
    appendices: p.rehearsals.map((r, i) => ({
      id: `appendix-${i + 1}`,
      heading: `Appendix ${i + 1}: ${r.record.scenario.title}`,
      mode: MODE_TEXT[r.record.mode] ?? r.record.mode,
      ended: instant(r.record.endedAt),
      review: r.review
        ? `${VERDICT_TEXT[r.review.verdict] ?? r.review.verdict}, signed by ${r.review.reviewer.name ?? r.review.reviewer.id} on ${instant(r.review.at).text}`
        : 'Not reviewed by a tutor',
      levels: r.levels.map((l) => ({
        badge: {
          ...badge(l.name, l.tutorSet ? "The tutor's level, the scorer's struck through" : 'The level', l.level),
          ...(l.tutorSet ? { changedFrom: { level: l.scorer } } : {}),
        },
      })),
      turns: r.record.turns.map((t, n) => ({
        number: n + 1,
        role: t.role,
        speaker: t.role === 'customer' ? 'Customer' : 'Learner',
        text: t.text,
        lost: (r.record.missingTurns ?? []).includes(n + 1),
      })),
    })),
  });
}

function portfolioSummary(p: Portfolio): string[] {
  const s = p.summary;
  const of = (n: number) => `${n} of ${s.criteria} criteria`;
  return [
    `${of(s.evidenced)} evidenced at Competent or better (level 2 or 3), ${s.confirmed} of them confirmed by a tutor.`,
    `${of(s.partly)} partly evidenced (levels 0 or 1 only).`,
    `${of(s.none)} with no evidence${s.assessedOutside > 0 ? `, ${s.assessedOutside} of them assessed outside ServiceSim (no scored dimension cites them)` : ''}.`,
    `${s.rehearsals} ${s.rehearsals === 1 ? 'rehearsal evidences' : 'rehearsals evidence'} this unit.`,
  ];
}

/** How a tutor stands behind a rehearsal's levels for one criterion. */
function confirmationText(confirmations: Confirmation[]): string {
  const set = confirmations.filter((c) => c === 'set').length;
  if (set === 0) return `Confirmed: ${CONFIRMATION_TEXT.agreed}`;
  if (set === confirmations.length) return `Confirmed: ${CONFIRMATION_TEXT.set}`;
  return `Confirmed: tutor set ${set} of ${confirmations.length} levels and agreed with the rest`;
}

// ---------------------------------------------------------------------------------------------
// Cohort analytics.

export function renderCohortAnalytics(model: CohortAnalyticsPage): string {
  const a = model.analytics;
  const cohortName = model.cohort.name ?? model.cohort.id;
  const dimensionName = new Map(a.dimensions.map((d) => [d.id, d.name]));
  const attempts = Math.max(0, ...a.cohortProgress.flatMap((c) => c.points.map((p) => p.attempt)));
  const empty = a.rehearsals === 0;
  return eta.render('cohort-analytics', {
    page: layout(`Analytics: ${cohortName}`, model.tutor, model.csrf, 'cohorts'),
    cohort: { name: cohortName, href: `/review/cohorts/${encodeURIComponent(model.cohort.id)}` },
    facts: [
      ['Learners', String(a.learners)],
      ['Rehearsals', String(a.rehearsals)],
      ['Latest attempts (one per learner and scenario)', String(a.latestAttempts)],
    ],
    empty,
    distribution: empty
      ? undefined
      : {
          chart: levelDistributionChart(a.distribution, a.levelNames),
          levels: [0, 1, 2, 3].map((l) => levelHeading(l, a.levelNames)),
          rows: a.distribution.map((d) => ({ name: d.dimension.name, counts: d.counts, noOccasion: d.noOccasion })),
        },
    progress: empty
      ? undefined
      : {
          chart: progressChart(
            a.cohortProgress.map((c) => ({ name: c.dimension.name, points: c.points.map((p) => ({ attempt: p.attempt, level: p.mean })) })),
            "the cohort's mean level",
            a.levelNames,
          ),
          attempts: Array.from({ length: attempts }, (_, i) => i + 1),
          rows: a.cohortProgress.map((c) => ({
            name: c.dimension.name,
            cells: Array.from({ length: attempts }, (_, i) => {
              const point = c.points.find((p) => p.attempt === i + 1);
              return point ? `${fixed(point.mean)} (${point.learners})` : '–';
            }),
          })),
          learners: a.progress.map((l) => ({
            name: learnerName(l.learner),
            attempts: l.attempts,
            rows: l.dimensions
              .filter((d) => d.points.length > 0)
              .map((d) => ({ name: d.dimension.name, levels: d.points.map((p) => `attempt ${p.attempt}: ${p.level}`).join(', ') })),
          })),
        },
    failures: empty
      ? undefined
      : {
          chart: failedScenariosChart(a.failures),
          rows: a.failures.map((f) => ({
            title: f.scenario.title,
            attempts: f.attempts,
            failed: f.failed,
            learnersFailing: f.learnersFailing,
            failedByTutor: f.failedByTutor,
          })),
        },
    weakest: empty
      ? undefined
      : {
          chart: weakestDimensionChart(a.weakest, a.dimensions),
          dimensions: a.dimensions.map((d) => d.name),
          rows: a.weakest.map((w) => ({
            name: learnerName(w.learner),
            weakest: w.weakest.length === 0 ? 'No levels yet' : w.weakest.map((id) => dimensionName.get(id) ?? id).join(' and '),
            cells: a.dimensions.map((d) => {
              const m = w.means[d.id];
              return { text: m === null || m === undefined ? '–' : fixed(m), weakest: w.weakest.includes(d.id) };
            }),
          })),
        },
  });
}

// ---------------------------------------------------------------------------------------------
// Calibration.

export function renderCalibration(model: CalibrationPage): string {
  const c = model.calibration;
  const row = (name: string, r: typeof c.overall) => ({
    name,
    reviewed: r.reviewed,
    changed: `${r.changed} (${percentText(r.changedRate)})`,
    pairs: r.agreement.pairs,
    exact: percentText(r.agreement.exact),
    adjacent: percentText(r.agreement.adjacent),
    kappa: Number.isNaN(r.agreement.kappa) ? '—' : r.agreement.kappa.toFixed(2),
  });
  return eta.render('calibration', {
    page: layout('Scorer calibration', model.tutor, model.csrf, 'calibration'),
    reviewedRecords: c.reviewedRecords,
    recordsChanged: c.recordsChanged,
    chart: c.rows.length === 0 ? undefined : calibrationChart(c),
    rows: c.rows.map((r) => row(r.dimension.name, r)),
    overall: row('All dimensions', c.overall),
    exportHref: model.exportHref,
  });
}

// ---------------------------------------------------------------------------------------------

function badge(label: string, title: string, level: number | null): LevelBadge {
  return { label, title, level };
}

function levelHeading(level: number, names: readonly string[] | undefined): string {
  return names?.[level] ? `${level} ${names[level]}` : `Level ${level}`;
}

const fixed = (x: number) => (Math.round(x * 10) / 10).toFixed(1);

const percentText = (rate: number) => (Number.isNaN(rate) ? '—' : `${Math.round(rate * 100)}%`);
