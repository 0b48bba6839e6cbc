/**
 * Exports, for a college's other systems: the rehearsals as CSV (one row per rehearsal and
 * dimension) and as JSON (the records as stored, with every review), of one cohort or of every
 * learner the tutor reviews. Same authorisation as the review API; every export is written to the
 * audit log with who and when, before anything is sent.
 */
import type restify from 'restify';
import type { Request, Response } from 'restify';
import type { Library } from '../engine/rubric-library.ts';
import type { TutorReview } from '../engine/tutor-review.ts';
import { xapiStatementsOf } from '../engine/xapi-statements.ts';
import type { AuditLog } from '../store/audit-log.ts';
import type { ReviewStore } from '../store/review-store.ts';
import type { TutorAccount } from '../store/tutor-directory.ts';
import type { CohortService, ReviewedRecords } from './cohort-service.ts';
import { queryOf } from './page-response.ts';
import { rehearsalsCsv, rehearsalsJson } from './rehearsal-exports.ts';
import { apiCaller } from './review-api.ts';
import type { TutorAccess } from './tutor-access.ts';

export interface ExportApiParts {
  access: TutorAccess;
  cohorts: CohortService;
  reviews: ReviewStore;
  library: Library;
  audit: AuditLog;
  /** The site's address: the xAPI statements' home page, for learners' accounts and activity ids. */
  siteUrl: string;
  now?: () => Date;
}

/** What an export covers: one cohort's rehearsals, or every rehearsal the tutor may see. */
export interface ExportScope extends ReviewedRecords {
  /** `cohort:<id>` or `all`, for the audit log and the file's name. */
  subject: string;
  /** The cohorts each learner is in, as this tutor sees them (the one exported, when one was asked for). */
  cohortsOf: (learnerId: string) => Array<{ id: string; name: string }>;
  unit?: string;
}

/**
 * The scope a request asks for (`?cohort=<id>`), or undefined with a 404 already sent for a cohort
 * the tutor does not teach.
 */
export async function exportScope(
  cohorts: CohortService,
  tutor: TutorAccount,
  req: Request,
  res: Response,
): Promise<ExportScope | undefined> {
  const cohortId = queryOf(req).cohort;
  if (cohortId) {
    const found = await cohorts.cohortRecords(tutor, cohortId);
    if (!found) return void res.send(404, { error: 'no such cohort' });
    return {
      records: found.records,
      reviews: found.reviews,
      subject: `cohort:${found.cohort.id}`,
      cohortsOf: () => [{ id: found.cohort.id, name: found.cohort.name }],
      ...(found.cohort.unit ? { unit: found.cohort.unit } : {}),
    };
  }
  const all = await cohorts.reachableRecords(tutor);
  const theirs = new Map<string, Array<{ id: string; name: string }>>();
  for (const cohort of await cohorts.list(tutor))
    for (const member of cohort.members)
      theirs.set(member.learnerId, [...(theirs.get(member.learnerId) ?? []), { id: cohort.id, name: cohort.name }]);
  return { ...all, subject: 'all', cohortsOf: (id) => theirs.get(id) ?? [] };
}

/** A download: the file name says what and when, and no cache keeps it. */
export function sendDownload(res: Response, type: string, name: string, body: string): void {
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.sendRaw(200, body);
}

/** A file name's part for the scope: `cohort-<id>` or `all`. */
export const scopeFileName = (subject: string) => subject.replace(/[^A-Za-z0-9-]+/g, '-');

export function mountExportApi(server: restify.Server, parts: ExportApiParts): void {
  const { access, cohorts, library, audit } = parts;
  const now = parts.now ?? (() => new Date());
  const fileName = (scope: ExportScope, extension: string) =>
    `servicesim-${scopeFileName(scope.subject)}-${now().toISOString().slice(0, 10)}.${extension}`;

  /** The caller's scope, audited as exported in this format; undefined with the refusal already sent. */
  const exported = async (req: Request, res: Response, format: string): Promise<ExportScope | undefined> => {
    const caller = await apiCaller(access, req, res);
    if (!caller) return undefined;
    const scope = await exportScope(cohorts, caller.tutor, req, res);
    if (!scope) return undefined;
    await audit.record({
      who: caller.tutor.email,
      action: 'export',
      subject: scope.subject,
      detail: `${format}, ${scope.records.length} rehearsals`,
    });
    return scope;
  };

  /** Every review of each record, oldest first. */
  const allReviewsOf = async (scope: ExportScope) => {
    const all = new Map<string, TutorReview[]>();
    for (const record of scope.records) all.set(record.id, await parts.reviews.reviewsOf(record.id));
    return all;
  };

  server.get('/api/export/rehearsals.csv', async (req: Request, res: Response) => {
    const scope = await exported(req, res, 'csv');
    if (!scope) return;
    const csv = rehearsalsCsv(scope.records, scope.reviews, library, {
      cohortNamesOf: (learnerId) => scope.cohortsOf(learnerId).map((c) => c.name),
      ...(scope.unit ? { unit: scope.unit } : {}),
    });
    sendDownload(res, 'text/csv; charset=utf-8', fileName(scope, 'csv'), csv);
  });

  server.get('/api/export/rehearsals.json', async (req: Request, res: Response) => {
    const scope = await exported(req, res, 'json');
    if (!scope) return;
    const json = rehearsalsJson(scope.records, await allReviewsOf(scope), { exportedAt: now().toISOString(), scope: scope.subject });
    sendDownload(res, 'application/json; charset=utf-8', fileName(scope, 'json'), json);
  });

  server.get('/api/export/xapi', async (req: Request, res: Response) => {
    const scope = await exported(req, res, 'xapi');
    if (!scope) return;
    const all = await allReviewsOf(scope);
    const dimensionNames = Object.fromEntries(library.dimensions.map((d) => [d.id, d.name]));
    const statements = scope.records.flatMap((record) =>
      xapiStatementsOf(record, all.get(record.id) ?? [], {
        homePage: parts.siteUrl,
        dimensionNames,
        cohorts: scope.cohortsOf(record.learner.id),
      }),
    );
    sendDownload(res, 'application/json; charset=utf-8', fileName(scope, 'xapi.json'), JSON.stringify(statements, null, 2));
  });
}
