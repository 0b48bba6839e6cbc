/**
 * The tutor's pages under /review: the inbox, one rehearsal with its review form, and the form's
 * post. Without a session they send the browser to the sign-in page (and back afterwards).
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type restify from 'restify';
import type { Request, Response } from 'restify';
import type { Library } from '../engine/rubric-library.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { TutorAccount } from '../store/tutor-directory.ts';
import { readInboxQuery } from './inbox-filters.ts';
import type { InboxPage } from './page-models.ts';
import { pageCaller, pageTutor } from './page-caller.ts';
import { queryOf, redirect, sendPage } from './page-response.ts';
import { rehearsalPageModel } from './rehearsal-page-model.ts';
import { submissionFromForm } from './review-form.ts';
import type { ReviewService } from './review-service.ts';
import { REVIEW_CSS_FILE, renderInbox, renderProblem, renderRehearsal } from './review-views.ts';
import type { Caller, TutorAccess } from './tutor-access.ts';

export interface ReviewPageParts {
  access: TutorAccess;
  service: ReviewService;
  evidence: EvidenceStore;
  library: Library;
  logger: Logger;
  readForm: restify.RequestHandler[];
}

export function mountReviewPages(server: restify.Server, parts: ReviewPageParts): void {
  const { access, service, evidence, library, readForm } = parts;

  const signedIn = (req: Request, res: Response) => pageCaller(access, req, res);

  server.get('/review', async (req: Request, res: Response) => {
    const caller = await signedIn(req, res);
    if (!caller) return;
    const reading = readInboxQuery(queryOf(req));
    if ('field' in reading) return problemPage(res, caller, 400, 'That filter does not read', `${reading.field}: ${reading.message}`);
    const { rows, total, next } = await service.inbox(caller.tutor, reading.query);
    const filterQuery = new URLSearchParams(Object.entries(reading.query.filters).map(([k, v]) => [k, String(v)]));
    const model: InboxPage = {
      tutor: pageTutor(caller.tutor),
      csrf: caller.session.csrf,
      filters: reading.query.filters,
      rows,
      total,
      choices: { learners: await learnerChoices(caller.tutor), scenarios: library.scenarios.map((s) => ({ id: s.id, title: s.title })) },
      ...(next ? { nextPage: new URLSearchParams([...filterQuery, ['cursor', next]]).toString() } : {}),
      ...(reading.query.cursor ? { firstPage: filterQuery.toString() } : {}),
    };
    sendPage(res, 200, renderInbox(model));
  });

  server.get('/review/rehearsals/:id', async (req: Request, res: Response) => {
    const caller = await signedIn(req, res);
    if (!caller) return;
    const found = await service.rehearsal(caller.tutor, String(req.params.id));
    if (!found) return notFound(res, caller);
    const signed = queryOf(req).signed;
    const notice =
      signed === 'delivered'
        ? 'Review signed. The learner has been sent your feedback.'
        : signed === 'again'
          ? 'This review was already signed (the form was sent twice): it is kept once, and the learner was told once.'
          : signed
            ? 'Review signed. Your feedback will reach the learner as soon as their conversation can be reached.'
            : undefined;
    sendPage(
      res,
      200,
      renderRehearsal(
        rehearsalPageModel(found.record, found.reviews, library, {
          tutor: pageTutor(caller.tutor),
          csrf: caller.session.csrf,
          ...(notice ? { notice } : {}),
        }),
      ),
    );
  });

  server.post('/review/rehearsals/:id/reviews', ...readForm, async (req: Request, res: Response) => {
    const caller = await signedIn(req, res);
    if (!caller) return;
    const form = (req.body ?? {}) as Record<string, unknown>;
    if (!access.csrfAccepted(caller, req, form._csrf))
      return problemPage(res, caller, 403, 'This form has expired', 'Open the rehearsal again and sign off from the fresh page.');
    const id = String(req.params.id);
    const found = await service.rehearsal(caller.tutor, id);
    if (!found) return notFound(res, caller);
    const read = submissionFromForm(form, found.record);
    const key = typeof form.submission === 'string' && form.submission.length <= 100 ? form.submission : undefined;
    const result = 'problems' in read ? read : await service.sign(caller.tutor, id, read.submission, key ? { key } : {});
    if ('notFound' in result) return notFound(res, caller);
    if ('problems' in result) {
      // Shown again as typed, so a missing reason costs the tutor one field, not the whole review.
      const values = Object.fromEntries(
        Object.entries(form).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== '_csrf'),
      );
      return sendPage(
        res,
        400,
        renderRehearsal(
          rehearsalPageModel(found.record, found.reviews, library, {
            tutor: pageTutor(caller.tutor),
            csrf: caller.session.csrf,
            problems: result.problems,
            values,
          }),
        ),
      );
    }
    const signed = result.delivery === 'queued' ? 'queued' : result.delivery === 'already signed' ? 'again' : 'delivered';
    redirect(res, `/review/rehearsals/${encodeURIComponent(id)}?signed=${signed}`);
  });

  server.get('/review/assets/review.css', async (_req: Request, res: Response) => {
    const css = await readFile(REVIEW_CSS_FILE, 'utf8');
    res.setHeader('Content-Type', 'text/css; charset=utf-8');
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendRaw(200, css);
  });

  /** A problem page for a signed-in tutor: their header, and a sign-out form that carries the session's token. */
  function problemPage(res: Response, caller: Caller & { via: 'session' }, status: number, title: string, message: string): void {
    sendPage(res, status, renderProblem(status, title, message, pageTutor(caller.tutor), caller.session.csrf));
  }

  function notFound(res: Response, caller: Caller & { via: 'session' }): void {
    problemPage(res, caller, 404, 'No such rehearsal', 'There is no rehearsal here that you review.');
  }

  /**
   * The learners the filter offers: a tutor's own and their cohorts'; for an admin, those of the
   * latest rehearsals, with the names their records carry.
   */
  async function learnerChoices(tutor: TutorAccount): Promise<Array<{ id: string; name?: string }>> {
    const reach = await service.reachOf(tutor);
    const { records } = await evidence.list({ ...(reach ? { learnerIds: reach } : {}), limit: 200 });
    const names = new Map<string, string | undefined>();
    for (const id of reach ?? []) names.set(id, undefined);
    for (const r of records) if (!names.get(r.learner.id)) names.set(r.learner.id, r.learner.name);
    return [...names]
      .map(([id, name]) => ({ id, ...(name ? { name } : {}) }))
      .sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id));
  }
}
