/**
 * The page behind a learner's `my data` link: their copy of everything ServiceSim keeps about them,
 * as a JSON file. The link's token (store/data-copy-links.ts) is the learner's only credential here,
 * so it is random, short-lived, and kept only as a hash; an expired or unknown one is a 404 that
 * tells the learner how to get a fresh link. Every copy made is written to the audit log.
 */
import type restify from 'restify';
import { learnerDataCopy } from '../engine/learner-data-copy.ts';
import type { TutorReview } from '../engine/tutor-review.ts';
import type { AuditLog } from '../store/audit-log.ts';
import type { DataCopyLinks } from '../store/data-copy-links.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import { heldAbout } from '../store/learner-data-holders.ts';
import type { ReviewStore } from '../store/review-store.ts';

export const DATA_COPY_PATH = '/learner/data';

export interface LearnerDataRouteParts {
  links: DataCopyLinks;
  evidence: EvidenceStore;
  reviews: ReviewStore;
  state: KeyValueStore;
  audit: AuditLog;
  retentionDays?: number;
  unfinishedRehearsalDays?: number;
  abandonedAfterDays?: number;
}

export function mountLearnerDataRoute(server: restify.Server, parts: LearnerDataRouteParts): void {
  server.get(`${DATA_COPY_PATH}/:token`, async (req: restify.Request, res: restify.Response) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const learnerId = await parts.links.learnerOf(String(req.params.token));
    if (!learnerId) {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.sendRaw(404, 'This link has expired or is not one ServiceSim gave. Type "my data" to the bot for a fresh link.\n');
      return;
    }
    const records = await parts.evidence.listFor(learnerId);
    const reviews = new Map<string, TutorReview[]>();
    for (const record of records) reviews.set(record.id, await parts.reviews.reviewsOf(record.id));
    const copy = learnerDataCopy({
      learner: { id: learnerId },
      records,
      reviews,
      ...(parts.retentionDays ? { retentionDays: parts.retentionDays } : {}),
      ...(parts.unfinishedRehearsalDays ? { unfinishedRehearsalDays: parts.unfinishedRehearsalDays } : {}),
      ...(parts.abandonedAfterDays ? { abandonedAfterDays: parts.abandonedAfterDays } : {}),
      held: await heldAbout(parts.state, learnerId),
      madeAt: new Date(),
    });
    await parts.audit.record({
      who: `learner:${learnerId}`,
      action: 'data-copy',
      subject: learnerId,
      detail: `${records.length} rehearsals`,
    });
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="servicesim-my-data.json"');
    res.sendRaw(200, JSON.stringify(copy, null, 2));
  });
}
