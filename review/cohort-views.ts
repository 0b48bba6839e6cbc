/**
 * The HTML of the cohort pages: the tutor's cohorts with a form to create one, and one cohort with
 * its join code, learners, each assignment's progress and a form to assign a scenario. As on the
 * other review pages (review-views.ts), words, dates and hrefs are worked out here and the Eta
 * templates only lay them out, escaped; no scripts, no inline styles.
 */
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { dueDayText } from '../engine/assignment-progress.ts';
import type { Library } from '../engine/rubric-library.ts';
import type { Cohort } from '../store/cohort-store.ts';
import type { CohortView, FieldProblem } from './cohort-service.ts';
import type { PageTutor } from './page-models.ts';
import { instant, layout, type LevelBadge } from './review-views.ts';

const eta = new Eta({ views: fileURLToPath(new URL('./views', import.meta.url)), autoEscape: true, cache: true });

const MODE_WORD = { practice: 'Practice', assessment: 'Assessment' } as const;

export interface CohortsPage {
  tutor: PageTutor;
  csrf: string;
  cohorts: Cohort[];
  library: Library;
  problems?: FieldProblem[];
  values?: Record<string, string>;
}

export function renderCohorts(model: CohortsPage): string {
  return eta.render('cohorts', {
    page: layout('Cohorts', model.tutor, model.csrf, 'cohorts'),
    cohorts: model.cohorts.map((c) => ({
      name: c.name,
      href: `/review/cohorts/${encodeURIComponent(c.id)}`,
      unit: c.unit ?? '–',
      joinCode: c.joinCode,
      members: c.members.length,
      assignments: c.assignments.length,
    })),
    units: model.library.units.map((u) => ({ id: u.id, title: u.title })),
    problems: model.problems ?? [],
    values: { name: '', unit: '', ...model.values },
  });
}

export interface CohortPage {
  tutor: PageTutor;
  csrf: string;
  view: CohortView;
  library: Library;
  /** Today, YYYY-MM-DD (UK): the earliest due date the form offers. */
  today: string;
  notice?: string;
  problems?: FieldProblem[];
  values?: Record<string, string>;
}

export function renderCohort(model: CohortPage): string {
  const { cohort, assignments } = model.view;
  const base = `/review/cohorts/${encodeURIComponent(cohort.id)}`;
  const scope = `cohort=${encodeURIComponent(cohort.id)}`;
  const dimensionName = new Map(model.library.dimensions.map((d) => [d.id, d.name]));
  return eta.render('cohort', {
    page: layout(cohort.name, model.tutor, model.csrf, 'cohorts'),
    name: cohort.name,
    joinCode: cohort.joinCode,
    unit: cohort.unit ? `${cohort.unit}: ${model.library.units.find((u) => u.id === cohort.unit)?.title ?? ''}` : 'None',
    tutors: cohort.tutors.join(', '),
    links: {
      analytics: `${base}/analytics`,
      assign: `${base}/assignments`,
      csv: `/api/export/rehearsals.csv?${scope}`,
      json: `/api/export/rehearsals.json?${scope}`,
      xapi: `/api/export/xapi?${scope}`,
    },
    members: cohort.members.map((m) => ({
      name: m.name ?? m.learnerId,
      rehearsalsHref: `/review?learner=${encodeURIComponent(m.learnerId)}`,
      portfolioHref: `/review/learners/${encodeURIComponent(m.learnerId)}/portfolio${cohort.unit ? `?unit=${encodeURIComponent(cohort.unit)}` : ''}`,
      joined: instant(m.joinedAt).text,
    })),
    assignments: assignments.map(({ assignment, scenarioTitle, overdue, progress }) => ({
      id: assignment.id,
      title: scenarioTitle,
      mode: MODE_WORD[assignment.mode],
      due: assignment.due,
      dueText: dueDayText(assignment.due),
      overdue,
      doneCount: progress.filter((p) => p.done).length,
      progress: progress.map((p) => ({
        learner: p.learner.name ?? p.learner.learnerId,
        done: p.done,
        doneText: p.done ? (p.attempts > 1 ? `Done (${p.attempts} attempts)` : 'Done') : overdue ? 'Overdue' : 'Not yet',
        ...(p.latest
          ? {
              latest: {
                href: `/review/rehearsals/${encodeURIComponent(p.latest.id)}`,
                ended: instant(p.latest.endedAt),
                reviewed: p.latest.reviewed,
                levels: Object.entries(p.latest.levels)
                  .sort(([a], [b]) => order(model, assignment.scenarioId, a) - order(model, assignment.scenarioId, b))
                  .map(([dimension, level]): LevelBadge => ({
                    label: dimension,
                    title: dimensionName.get(dimension) ?? dimension,
                    level: level.level,
                    ...(level.tutor === undefined ? {} : { changedFrom: { level: level.scorer } }),
                  })),
              },
            }
          : {}),
      })),
    })),
    scenarios: model.library.scenarios.map((s) => ({ id: s.id, title: s.title })),
    today: model.today,
    ...(model.notice ? { notice: model.notice } : {}),
    problems: model.problems ?? [],
    values: { scenario: '', due: '', mode: 'practice', ...model.values },
  });
}

/** A dimension's place in the scenario's own order, so every row lists levels alike. */
function order(model: CohortPage, scenarioId: string, dimension: string): number {
  const dimensions = model.library.scenarios.find((s) => s.id === scenarioId)?.dimensions ?? [];
  const at = dimensions.indexOf(dimension);
  return at < 0 ? dimensions.length : at;
}
