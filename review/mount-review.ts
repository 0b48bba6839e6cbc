/**
 * The tutor's side of the server: sign-in, the review pages under /review and the JSON API under
 * /api/rehearsals, wired from the stores. The bot host mounts it on its restify server.
 */
import type { Logger } from 'pino';
import restify from 'restify';
import type { Library } from '../engine/rubric-library.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import { ETagConflictError, StoreUnavailableError, type KeyValueStore } from '../store/key-value-store.ts';
import type { AuditLog } from '../store/audit-log.ts';
import { CohortStore } from '../store/cohort-store.ts';
import type { LearnerErasure } from '../store/learner-erasure.ts';
import type { LrsForwarding } from '../store/lrs-forwarding.ts';
import { KeyValueReviewStore } from '../store/review-store.ts';
import { TutorDirectory } from '../store/tutor-directory.ts';
import { mountCohortApi } from './cohort-api.ts';
import { mountCohortPages } from './cohort-pages.ts';
import { CohortService } from './cohort-service.ts';
import { mountAuditApi } from './audit-api.ts';
import { mountErasureApi } from './erasure-api.ts';
import { mountExportApi } from './export-api.ts';
import { mountReportRoutes } from './report-routes.ts';
import type { LearnerNotifier } from './learner-notifier.ts';
import type { OidcSignIn } from './oidc-sign-in.ts';
import { mountReviewApi } from './review-api.ts';
import { mountReviewPages } from './review-pages.ts';
import { ReviewService } from './review-service.ts';
import { renderProblem } from './review-views.ts';
import { mountSignIn } from './sign-in-routes.ts';
import { TutorAccess } from './tutor-access.ts';
import { TutorSessions } from './tutor-sessions.ts';

/** A review is a few paragraphs; a form or JSON body larger than this is refused before it is read. */
const MAX_REVIEW_BODY_BYTES = 256 * 1024;

export interface ReviewParts {
  library: Library;
  evidence: EvidenceStore;
  /** Where accounts, sessions and reviews are kept: the bot's state store. */
  store: KeyValueStore;
  notifier?: LearnerNotifier;
  oidc?: { signIn: OidcSignIn; redirectUri: string };
  /** The review pages are reached over HTTPS: cookies are marked Secure. */
  secureCookies: boolean;
  /** A session's length; a working day unless a test wants it shorter. */
  sessionMs?: number;
  /** The clock for due dates (today, overdue); a test sets the day. */
  now?: () => Date;
  /** Where tutors and learners reach this server (PUBLIC_URL): the xAPI statements' home page. */
  siteUrl?: string;
  /** Sends each signed review on to the learning record store, when one is configured. */
  lrs?: LrsForwarding;
  /** Erases a learner from every store, for an admin (`DELETE /api/learners/:id`). */
  erasure: LearnerErasure;
  /** Where exports and erasures are recorded. */
  audit: AuditLog;
}

export function mountReview(
  server: restify.Server,
  parts: ReviewParts,
  { logger, addressOf }: { logger: Logger; addressOf: (req: restify.Request) => string },
): void {
  const directory = new TutorDirectory(parts.store);
  const sessions = new TutorSessions(parts.store, parts.sessionMs);
  const access = new TutorAccess({ directory, sessions, secureCookies: parts.secureCookies });
  const skipped = (where: string, problem: string) => logger.warn({ item: where, problem }, 'set aside a damaged or foreign stored item');
  const stored = new KeyValueReviewStore(parts.store, skipped);
  const reviews = parts.lrs ? parts.lrs.reviews(stored, parts.evidence) : stored;
  const cohortStore = new CohortStore(parts.store);
  const service = new ReviewService({
    evidence: parts.evidence,
    reviews,
    library: parts.library,
    cohorts: cohortStore,
    ...(parts.notifier ? { notifier: parts.notifier } : {}),
  });
  const cohorts = new CohortService({
    cohorts: cohortStore,
    evidence: parts.evidence,
    reviews,
    review: service,
    library: parts.library,
    ...(parts.now ? { now: parts.now } : {}),
  });
  const readForm = restify.plugins.urlEncodedBodyParser({
    mapParams: false,
    maxBodySize: MAX_REVIEW_BODY_BYTES,
  } as restify.plugins.UrlEncodedBodyParserOptions);
  const readJson = restify.plugins.jsonBodyParser({
    mapParams: false,
    maxBodySize: MAX_REVIEW_BODY_BYTES,
  } as restify.plugins.JsonBodyParserOptions);
  const log = logger.child({ component: 'review' });
  mountSignIn(server, {
    access,
    directory,
    sessions,
    ...(parts.oidc ? { oidc: parts.oidc.signIn, oidcRedirectUri: parts.oidc.redirectUri } : {}),
    logger: log,
    addressOf,
    readForm,
  });
  mountReviewPages(server, { access, service, evidence: parts.evidence, library: parts.library, logger: log, readForm });
  mountReviewApi(server, { access, service, readJson });
  mountCohortPages(server, { access, cohorts, library: parts.library, readForm, ...(parts.now ? { now: parts.now } : {}) });
  mountCohortApi(server, { access, cohorts, readJson });
  const { audit } = parts;
  mountErasureApi(server, { access, erasure: parts.erasure });
  mountAuditApi(server, { access, audit });
  mountReportRoutes(server, { access, cohorts, library: parts.library, audit, ...(parts.now ? { now: parts.now } : {}) });
  mountExportApi(server, {
    access,
    cohorts,
    reviews,
    library: parts.library,
    audit,
    siteUrl: parts.siteUrl ?? 'http://localhost:3978',
    ...(parts.now ? { now: parts.now } : {}),
  });

  // A fault in a review route (the store down, say) is answered plainly: a page for people, JSON for
  // the API, never the error's own message (which may quote stored data), and logged once. A body
  // the API's parser refused is a 400 naming the body, in the API's own shape.
  server.on('restifyError', (req: restify.Request, res: restify.Response, error: Error & { statusCode?: number }, done: () => void) => {
    const path = req.getPath?.() ?? '';
    // Every API path but the bot's own endpoint, which the Bot Framework adapter answers.
    const api = path.startsWith('/api/') && path !== '/api/messages';
    const ours = path.startsWith('/review') || api;
    const status = error.statusCode ?? 500;
    // Nothing can be said once a response has begun: restify's own handling copes.
    if (!ours || res.headersSent) return done();
    if (status < 500) {
      // Only the body parsers' refusals are about the body; a path or method that does not exist is said as such.
      const body = status === 400 || status === 413 || status === 415;
      if (api)
        res.send(
          status,
          body
            ? { error: status === 413 ? 'the body is too large' : `the body does not read: ${error.message}`, field: 'body' }
            : { error: status === 404 ? 'no such route' : error.message },
        );
      return done();
    }
    const cause = (error as { cause?: unknown }).cause ?? error;
    // A store down, or too busy to take a write (writers colliding past their retries): both pass.
    const unavailable = [cause, error].some((e) => e instanceof StoreUnavailableError || e instanceof ETagConflictError);
    log.error({ err: { name: (cause as Error).name, message: (cause as Error).message }, path }, 'review request failed');
    const answer = unavailable ? 503 : 500;
    const message = unavailable
      ? 'The store cannot be reached just now. Anything already saved is kept; send the same form again in a minute to finish.'
      : 'Something went wrong; it has been logged.';
    if (api) res.send(answer, { error: message });
    else {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.sendRaw(answer, renderProblem(answer, unavailable ? 'Try again in a minute' : 'Something went wrong', message));
    }
    return done();
  });
}
