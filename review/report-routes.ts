/**
 * The report pages and their JSON: a learner's qualification portfolio for a unit, a cohort's
 * analytics, the scorer's calibration against tutors' reviews, and tutors' overrides downloaded as
 * labelled transcripts (so the scorer can be measured on them: `npx tsx bench/scorer-agreement.ts
 * --labelled <folder>`). Same reach as everywhere: a tutor's own learners and cohorts, an admin's all.
 */
import JSZip from 'jszip';
import type restify from 'restify';
import type { Request, Response } from 'restify';
import { calibrationOf } from '../engine/calibration.ts';
import { cohortAnalyticsOf } from '../engine/cohort-analytics.ts';
import { overridesAsLabelled } from '../engine/labelled-export.ts';
import { portfolioOf, type Portfolio } from '../engine/portfolio.ts';
import type { Library } from '../engine/rubric-library.ts';
import type { AuditLog } from '../store/audit-log.ts';
import type { TutorAccount } from '../store/tutor-directory.ts';
import type { CohortService } from './cohort-service.ts';
import { pageCaller, pageTutor, type PageCaller } from './page-caller.ts';
import { queryOf, sendPage } from './page-response.ts';
import { loadCharts } from './charts.ts';
import { renderCalibration, renderCohortAnalytics, renderPortfolio } from './report-views.ts';
import { apiCaller } from './review-api.ts';
import { renderProblem } from './review-views.ts';
import type { TutorAccess } from './tutor-access.ts';

export interface ReportRouteParts {
  access: TutorAccess;
  cohorts: CohortService;
  library: Library;
  audit: AuditLog;
  now?: () => Date;
}

const LABELLED_EXPORT = '/api/export/labelled.zip';

type PortfolioAnswer = { portfolio: Portfolio; learner: { id: string; name?: string } } | { status: 400 | 404; message: string };

export function mountReportRoutes(
  server: restify.Server,
  { access, cohorts, library, audit, now = () => new Date() }: ReportRouteParts,
): void {
  const problemPage = (res: Response, caller: PageCaller, status: number, title: string, message: string) =>
    sendPage(res, status, renderProblem(status, title, message, pageTutor(caller.tutor), caller.session.csrf));

  /**
   * A learner's portfolio for the unit asked for; without one, the unit of the learner's cohort (the
   * first with a unit), else the library's first unit.
   */
  async function portfolio(tutor: TutorAccount, learnerId: string, asked: string | undefined): Promise<PortfolioAnswer> {
    const found = await cohorts.learnerRecords(tutor, learnerId);
    if (!found) return { status: 404, message: 'There is no learner here whose rehearsals you review.' };
    const theirCohorts = await cohorts.cohortsOfLearner(tutor, learnerId);
    const unitId = asked || theirCohorts.find((c) => c.unit)?.unit || library.units[0]?.id;
    const unit = library.units.find((u) => u.id === unitId);
    if (!unit) return { status: 400, message: `There is no unit "${unitId}". Units: ${library.units.map((u) => u.id).join(', ')}.` };
    const name =
      found.records.find((r) => r.learner.name)?.learner.name ??
      theirCohorts.flatMap((c) => c.members).find((m) => m.learnerId === learnerId)?.name;
    return {
      portfolio: portfolioOf(unit, found.records, found.reviews, library),
      learner: { id: learnerId, ...(name ? { name } : {}) },
    };
  }

  server.get('/review/learners/:id/portfolio', async (req: Request, res: Response) => {
    const caller = await pageCaller(access, req, res);
    if (!caller) return;
    const answer = await portfolio(caller.tutor, String(req.params.id), queryOf(req).unit);
    if ('status' in answer)
      return problemPage(res, caller, answer.status, answer.status === 404 ? 'No such learner' : 'No such unit', answer.message);
    sendPage(
      res,
      200,
      renderPortfolio({
        tutor: pageTutor(caller.tutor),
        csrf: caller.session.csrf,
        learner: answer.learner,
        portfolio: answer.portfolio,
        units: library.units.map((u) => ({ id: u.id, title: u.title })),
      }),
    );
  });

  server.get('/api/learners/:id/portfolio', async (req: Request, res: Response) => {
    const caller = await apiCaller(access, req, res);
    if (!caller) return;
    const learnerId = String(req.params.id);
    const answer = await portfolio(caller.tutor, learnerId, queryOf(req).unit);
    if ('status' in answer)
      return void res.send(answer.status, { error: answer.message, ...(answer.status === 400 ? { field: 'unit' } : {}) });
    await audit.record({ who: caller.tutor.email, action: 'export', subject: learnerId, detail: `portfolio ${answer.portfolio.unit.id}` });
    res.send(200, { learner: answer.learner, ...answer.portfolio });
  });

  server.get('/review/cohorts/:id/analytics', async (req: Request, res: Response) => {
    const caller = await pageCaller(access, req, res);
    if (!caller) return;
    const found = await cohorts.cohortRecords(caller.tutor, String(req.params.id));
    if (!found) return problemPage(res, caller, 404, 'No such cohort', 'There is no cohort here that you teach.');
    await loadCharts();
    sendPage(
      res,
      200,
      renderCohortAnalytics({
        tutor: pageTutor(caller.tutor),
        csrf: caller.session.csrf,
        cohort: { id: found.cohort.id, name: found.cohort.name },
        analytics: cohortAnalyticsOf(found.records, found.reviews, library),
      }),
    );
  });

  server.get('/review/calibration', async (req: Request, res: Response) => {
    const caller = await pageCaller(access, req, res);
    if (!caller) return;
    const { records, reviews } = await cohorts.reachableRecords(caller.tutor);
    await loadCharts();
    sendPage(
      res,
      200,
      renderCalibration({
        tutor: pageTutor(caller.tutor),
        csrf: caller.session.csrf,
        calibration: calibrationOf(records, reviews, library),
        exportHref: LABELLED_EXPORT,
      }),
    );
  });

  server.get('/api/calibration', async (req: Request, res: Response) => {
    const caller = await apiCaller(access, req, res);
    if (!caller) return;
    const { records, reviews } = await cohorts.reachableRecords(caller.tutor);
    res.send(200, calibrationOf(records, reviews, library));
  });

  server.get(LABELLED_EXPORT, async (req: Request, res: Response) => {
    const caller = await apiCaller(access, req, res);
    if (!caller) return;
    const { records, reviews } = await cohorts.reachableRecords(caller.tutor);
    const files = overridesAsLabelled(records, reviews);
    await audit.record({ who: caller.tutor.email, action: 'export', subject: 'all', detail: `labelled transcripts, ${files.length}` });
    const zip = new JSZip();
    for (const file of files) zip.file(file.path, file.content);
    zip.file(
      'README.txt',
      [
        `Tutors' overrides of the scorer, exported ${now().toISOString()} as labelled transcripts (test/labelled/README.md).`,
        'Unzip into a folder and measure the scorer on them:',
        '  npx tsx bench/scorer-agreement.ts --labelled <folder>',
        '',
      ].join('\n'),
    );
    const body = await zip.generateAsync({ type: 'nodebuffer' });
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="servicesim-overrides-${now().toISOString().slice(0, 10)}.zip"`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendRaw(200, body);
  });
}
