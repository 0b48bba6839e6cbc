/**
 * The tutor's cohort pages under /review/cohorts: the list with a form to create a cohort, and one
 * cohort with its join code, who has done each assignment, and a form to assign a scenario. Forms
 * post and redirect (303), so reloading never creates a cohort twice; a refused form comes back as
 * typed, with its problems named and linked to their fields.
 */
import type restify from 'restify';
import type { Request, Response } from 'restify';
import { ukDayOf } from '../engine/assignment-progress.ts';
import type { Library } from '../engine/rubric-library.ts';
import type { CohortService, CohortView } from './cohort-service.ts';
import { renderCohort, renderCohorts, type CohortPage } from './cohort-views.ts';
import { pageCaller, pageTutor, type PageCaller } from './page-caller.ts';
import { queryOf, redirect, sendPage } from './page-response.ts';
import { renderProblem } from './review-views.ts';
import type { TutorAccess } from './tutor-access.ts';

export interface CohortPageParts {
  access: TutorAccess;
  cohorts: CohortService;
  library: Library;
  readForm: restify.RequestHandler[];
  now?: () => Date;
}

/** A form's text fields as typed (for showing a refused form again), without its CSRF token. */
const typedValues = (form: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== '_csrf'));

export function mountCohortPages(
  server: restify.Server,
  { access, cohorts, library, readForm, now = () => new Date() }: CohortPageParts,
): void {
  const problemPage = (res: Response, caller: PageCaller, status: number, title: string, message: string) =>
    sendPage(res, status, renderProblem(status, title, message, pageTutor(caller.tutor), caller.session.csrf));
  const notFound = (res: Response, caller: PageCaller) =>
    problemPage(res, caller, 404, 'No such cohort', 'There is no cohort here that you teach.');
  /** The cohort's page, with a notice, or with the refused form as typed and its problems. */
  const cohortPage = (
    res: Response,
    status: number,
    caller: PageCaller,
    view: CohortView,
    extra: Pick<CohortPage, 'notice' | 'problems' | 'values'>,
  ) =>
    sendPage(
      res,
      status,
      renderCohort({ tutor: pageTutor(caller.tutor), csrf: caller.session.csrf, view, library, today: ukDayOf(now()), ...extra }),
    );
  const formExpired = (res: Response, caller: PageCaller) =>
    problemPage(res, caller, 403, 'This form has expired', 'Open the page again and send the form from the fresh page.');

  server.get('/review/cohorts', async (req: Request, res: Response) => {
    const caller = await pageCaller(access, req, res);
    if (!caller) return;
    const list = await cohorts.list(caller.tutor);
    sendPage(res, 200, renderCohorts({ tutor: pageTutor(caller.tutor), csrf: caller.session.csrf, cohorts: list, library }));
  });

  server.post('/review/cohorts', ...readForm, async (req: Request, res: Response) => {
    const caller = await pageCaller(access, req, res);
    if (!caller) return;
    const form = (req.body ?? {}) as Record<string, unknown>;
    if (!access.csrfAccepted(caller, req, form._csrf)) return formExpired(res, caller);
    const result = await cohorts.create(caller.tutor, { name: form.name, ...(form.unit ? { unit: form.unit } : {}) });
    if ('problems' in result)
      return sendPage(
        res,
        400,
        renderCohorts({
          tutor: pageTutor(caller.tutor),
          csrf: caller.session.csrf,
          cohorts: await cohorts.list(caller.tutor),
          library,
          problems: result.problems,
          values: typedValues(form),
        }),
      );
    redirect(res, `/review/cohorts/${encodeURIComponent(result.cohort.id)}?created=1`);
  });

  server.get('/review/cohorts/:id', async (req: Request, res: Response) => {
    const caller = await pageCaller(access, req, res);
    if (!caller) return;
    const view = await cohorts.view(caller.tutor, String(req.params.id));
    if (!view) return notFound(res, caller);
    const query = queryOf(req);
    const notice = query.created
      ? `Cohort created. Give its learners the join code ${view.cohort.joinCode}: they type "join ${view.cohort.joinCode}" to the bot.`
      : query.assigned
        ? 'Assigned. Learners see it first in their scenario list, with its due date, and are reminded the day before it is due.'
        : undefined;
    cohortPage(res, 200, caller, view, notice ? { notice } : {});
  });

  server.post('/review/cohorts/:id/assignments', ...readForm, async (req: Request, res: Response) => {
    const caller = await pageCaller(access, req, res);
    if (!caller) return;
    const form = (req.body ?? {}) as Record<string, unknown>;
    if (!access.csrfAccepted(caller, req, form._csrf)) return formExpired(res, caller);
    const id = String(req.params.id);
    const result = await cohorts.assign(caller.tutor, id, { scenario: form.scenario, due: form.due, mode: form.mode });
    if (!result) return notFound(res, caller);
    if ('problems' in result) {
      const view = await cohorts.view(caller.tutor, id);
      if (!view) return notFound(res, caller);
      return cohortPage(res, 400, caller, view, { problems: result.problems, values: typedValues(form) });
    }
    redirect(res, `/review/cohorts/${encodeURIComponent(id)}?assigned=1`);
  });
}
