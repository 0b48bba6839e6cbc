/**
 * The JSON API behind the review pages, for scripts and other tools: the same inbox, rehearsal and
 * sign-off, with the same authorisation (a session, or an API token from `servicesim tutor token`).
 * Every body is checked with zod; bad input is a 400 naming the field. A review sent with an
 * `Idempotency-Key` header is signed once however often it is sent, so a client may retry safely.
 */
import type restify from 'restify';
import type { Request, Response } from 'restify';
import { scoreFlagsOf } from '../engine/score-flags.ts';
import { currentReview, levelsAfterReview, ReviewSubmissionSchema } from '../engine/tutor-review.ts';
import { readInboxQuery } from './inbox-filters.ts';
import { queryOf } from './page-response.ts';
import type { ReviewService } from './review-service.ts';
import type { Caller, TutorAccess } from './tutor-access.ts';

export interface ReviewApiParts {
  access: TutorAccess;
  service: ReviewService;
  /** The JSON body parser (size-limited; zod then checks the shape). */
  readJson: restify.RequestHandler[];
}

const NOT_FOUND = { error: 'no such rehearsal' };

/** The API's caller, or a 401 (with how to authenticate) already sent. Every API answer is kept by no cache. */
export async function apiCaller(access: TutorAccess, req: Request, res: Response): Promise<Caller | undefined> {
  // Transcripts and reviews: kept by no cache between the tutor and the server.
  res.header('Cache-Control', 'no-store');
  const caller = await access.callerOf(req);
  if (!caller) {
    res.header('WWW-Authenticate', 'Bearer realm="servicesim-review"');
    res.send(401, { error: 'sign in to /review, or send a tutor API token as Authorization: Bearer <token>' });
  }
  return caller;
}

/**
 * A change sent to the API: with a session cookie it must carry the CSRF token, and its body must
 * be JSON; false when it was refused (the answer already sent).
 */
export function acceptedChange(access: TutorAccess, caller: Caller, req: Request, res: Response): boolean {
  if (!access.csrfAccepted(caller, req, undefined)) {
    res.send(403, { error: 'a request made with a session cookie must send its CSRF token as X-CSRF-Token' });
    return false;
  }
  if (!req.is('json')) {
    res.send(415, { error: 'send the body as JSON (Content-Type: application/json)', field: 'body' });
    return false;
  }
  return true;
}

export function mountReviewApi(server: restify.Server, { access, service, readJson }: ReviewApiParts): void {
  const authorised = (req: Request, res: Response) => apiCaller(access, req, res);

  server.get('/api/rehearsals', async (req: Request, res: Response) => {
    const caller = await authorised(req, res);
    if (!caller) return;
    const reading = readInboxQuery(queryOf(req));
    if ('field' in reading) return void res.send(400, { error: reading.message, field: reading.field });
    const { rows, total, next } = await service.inbox(caller.tutor, reading.query);
    res.send(200, { items: rows, total, next: next ?? null });
  });

  server.get('/api/rehearsals/:id', async (req: Request, res: Response) => {
    const caller = await authorised(req, res);
    if (!caller) return;
    const found = await service.rehearsal(caller.tutor, String(req.params.id));
    if (!found) return void res.send(404, NOT_FOUND);
    const { record, reviews, status } = found;
    res.send(200, {
      record,
      reviews,
      status,
      flags: scoreFlagsOf(record.report),
      // As the inbox gives them: one entry per dimension, the level that counts beside the scorer's.
      levels: Object.entries(levelsAfterReview(record, currentReview(reviews))).map(([dimension, level]) => ({ dimension, ...level })),
    });
  });

  server.post('/api/rehearsals/:id/reviews', ...readJson, async (req: Request, res: Response) => {
    const caller = await authorised(req, res);
    if (!caller) return;
    if (!acceptedChange(access, caller, req, res)) return;
    const parsed = ReviewSubmissionSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return void res.send(400, { error: issue.message, field: issue.path.join('.') || 'body' });
    }
    const key = req.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 100))
      return void res.send(400, { error: 'Idempotency-Key must be 1 to 100 characters', field: 'Idempotency-Key' });
    const result = await service.sign(caller.tutor, String(req.params.id), parsed.data, key === undefined ? {} : { key });
    if ('notFound' in result) return void res.send(404, NOT_FOUND);
    if ('problems' in result)
      return void res.send(400, { error: result.problems[0]!.message, field: result.problems[0]!.field, problems: result.problems });
    // 200, not 201, for a request sent again with the same Idempotency-Key: nothing new was made.
    res.send(result.delivery === 'already signed' ? 200 : 201, { review: result.signed, delivery: result.delivery });
  });
}
