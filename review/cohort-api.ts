/**
 * The cohort API, for scripts and other tools: list and create cohorts, see one with who has done
 * each assignment, and assign a scenario. Same authorisation as the review API (a session with its
 * CSRF token, or a tutor API token); every body checked with zod, bad input a 400 naming the field.
 */
import type restify from 'restify';
import type { Request, Response } from 'restify';
import type { Cohort } from '../store/cohort-store.ts';
import type { CohortService, FieldProblem } from './cohort-service.ts';
import { acceptedChange, apiCaller } from './review-api.ts';
import type { TutorAccess } from './tutor-access.ts';

export interface CohortApiParts {
  access: TutorAccess;
  cohorts: CohortService;
  readJson: restify.RequestHandler[];
}

const NOT_FOUND = { error: 'no such cohort' };

/** A cohort as the API shows it: members and assignments, the join code for its tutors to hand out. */
const cohortJson = (cohort: Cohort) => ({
  id: cohort.id,
  name: cohort.name,
  unit: cohort.unit ?? null,
  joinCode: cohort.joinCode,
  tutors: cohort.tutors,
  createdAt: cohort.createdAt,
  members: cohort.members,
  assignments: cohort.assignments,
});

const badRequest = (res: Response, problems: FieldProblem[]) =>
  res.send(400, { error: problems[0]!.message, field: problems[0]!.field, problems });

export function mountCohortApi(server: restify.Server, { access, cohorts, readJson }: CohortApiParts): void {
  server.get('/api/cohorts', async (req: Request, res: Response) => {
    const caller = await apiCaller(access, req, res);
    if (!caller) return;
    res.send(200, { items: (await cohorts.list(caller.tutor)).map(cohortJson) });
  });

  server.post('/api/cohorts', ...readJson, async (req: Request, res: Response) => {
    const caller = await apiCaller(access, req, res);
    if (!caller || !acceptedChange(access, caller, req, res)) return;
    const result = await cohorts.create(caller.tutor, req.body);
    if ('problems' in result) return void badRequest(res, result.problems);
    res.header('Location', `/api/cohorts/${result.cohort.id}`);
    res.send(201, { id: result.cohort.id, joinCode: result.cohort.joinCode, name: result.cohort.name, unit: result.cohort.unit ?? null });
  });

  server.get('/api/cohorts/:id', async (req: Request, res: Response) => {
    const caller = await apiCaller(access, req, res);
    if (!caller) return;
    const view = await cohorts.view(caller.tutor, String(req.params.id));
    if (!view) return void res.send(404, NOT_FOUND);
    res.send(200, {
      ...cohortJson(view.cohort),
      assignments: view.assignments.map(({ assignment, scenarioTitle, overdue, progress }) => ({
        ...assignment,
        scenarioTitle,
        overdue,
        progress: progress.map((p) => ({
          learnerId: p.learner.learnerId,
          name: p.learner.name ?? null,
          done: p.done,
          attempts: p.attempts,
          latest: p.latest ?? null,
        })),
      })),
    });
  });

  server.post('/api/cohorts/:id/assignments', ...readJson, async (req: Request, res: Response) => {
    const caller = await apiCaller(access, req, res);
    if (!caller || !acceptedChange(access, caller, req, res)) return;
    const result = await cohorts.assign(caller.tutor, String(req.params.id), req.body);
    if (!result) return void res.send(404, NOT_FOUND);
    if ('problems' in result) return void badRequest(res, result.problems);
    res.send(201, result.assignment);
  });
}
