/**
 * The inbox's filters and paging, read from a query string the same way for the page (GET /review)
 * and the API (GET /api/rehearsals), and turned into an EvidenceQuery.
 */
import { z } from 'zod';
import { SCORE_FLAGS } from '../engine/score-flags.ts';
import { REVIEW_STATUSES, type EvidenceQuery } from '../store/evidence-store.ts';
import type { InboxFilters } from './page-models.ts';

const blankIsAbsent = (schema: z.ZodType) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((d) => Number.isFinite(Date.parse(`${d}T00:00:00Z`)), 'a real date');

/** Where a page ends in the listing: the last record's end time and id. Opaque to callers (base64url JSON). */
const CursorSchema = z.strictObject({ endedAt: z.iso.datetime({ offset: true }), id: z.string().min(1).max(300) });
export type Cursor = z.infer<typeof CursorSchema>;

export const InboxQuerySchema = z.object({
  learner: blankIsAbsent(z.string().max(300)),
  scenario: blankIsAbsent(z.string().max(200)),
  mode: blankIsAbsent(z.enum(['practice', 'assessment'])),
  status: blankIsAbsent(z.enum(REVIEW_STATUSES)),
  flag: blankIsAbsent(z.enum(SCORE_FLAGS)),
  from: blankIsAbsent(day),
  to: blankIsAbsent(day),
  cursor: blankIsAbsent(
    z.string().transform((text, context) => {
      try {
        return CursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
      } catch {
        context.addIssue({ code: 'custom', message: 'not a cursor this server gave' });
        return z.NEVER;
      }
    }),
  ),
  limit: blankIsAbsent(z.coerce.number().int().min(1).max(100)),
});

export interface InboxQuery {
  filters: InboxFilters;
  cursor?: Cursor;
  limit?: number;
}

/** The query, or the first field that is wrong and why (for a 400 naming it). */
export function readInboxQuery(query: unknown): { query: InboxQuery } | { field: string; message: string } {
  const parsed = InboxQuerySchema.safeParse(query ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { field: String(issue.path[0] ?? 'query'), message: issue.message };
  }
  const { cursor, limit, ...rest } = parsed.data as { cursor?: Cursor; limit?: number } & Record<string, unknown>;
  const filters = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as InboxFilters;
  return { query: { filters, ...(cursor ? { cursor } : {}), ...(limit ? { limit } : {}) } };
}

export const cursorText = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

/** The day after an ISO date, at midnight UTC: `to` is inclusive, `endedBefore` is not. */
const dayAfter = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 24 * 60 * 60 * 1000).toISOString();

/**
 * The store query for these filters, within what this tutor may see (`learners`: undefined for
 * everyone). A learner filter outside the tutor's learners matches nothing, as a learner with no
 * rehearsals would: which learners exist is not given away.
 */
export function evidenceQueryOf(
  { filters, cursor, limit }: InboxQuery,
  learners: readonly string[] | undefined,
  pageSize: number,
): EvidenceQuery {
  let learnerIds = learners;
  if (filters.learner !== undefined) learnerIds = !learners || learners.includes(filters.learner) ? [filters.learner] : [];
  return {
    ...(learnerIds ? { learnerIds } : {}),
    ...(filters.scenario ? { scenarioId: filters.scenario } : {}),
    ...(filters.mode ? { mode: filters.mode } : {}),
    ...(filters.status ? { reviewStatus: filters.status } : {}),
    ...(filters.flag ? { flags: [filters.flag] } : {}),
    ...(filters.from ? { endedFrom: `${filters.from}T00:00:00.000Z` } : {}),
    ...(filters.to ? { endedBefore: dayAfter(filters.to) } : {}),
    ...(cursor ? { after: cursor } : {}),
    limit: limit ?? pageSize,
  };
}
