/**
 * An admin erases a learner: `DELETE /api/learners/:id` removes their records, reviews and
 * everything else kept about them from every store and index (store/learner-erasure.ts), and says
 * what went. Admins only (a tutor gets 403, whoever their learners are); audited, naming the learner
 * only by their audit reference. Safe to send again: a second erasure finds nothing left to remove.
 */
import type restify from 'restify';
import type { Request, Response } from 'restify';
import { learnerReference } from '../store/audit-log.ts';
import type { LearnerErasure } from '../store/learner-erasure.ts';
import { apiCaller } from './review-api.ts';
import type { TutorAccess } from './tutor-access.ts';

export interface ErasureApiParts {
  access: TutorAccess;
  erasure: LearnerErasure;
}

export function mountErasureApi(server: restify.Server, { access, erasure }: ErasureApiParts): void {
  server.del('/api/learners/:id', async (req: Request, res: Response) => {
    const caller = await apiCaller(access, req, res);
    if (!caller) return;
    if (!access.csrfAccepted(caller, req, undefined))
      return void res.send(403, { error: 'a request made with a session cookie must send its CSRF token as X-CSRF-Token' });
    if (caller.tutor.role !== 'admin') return void res.send(403, { error: 'only an admin may erase a learner' });
    const learnerId = String(req.params.id).trim();
    if (learnerId === '') return void res.send(400, { error: 'a learner id is needed', field: 'id' });
    const { counts } = await erasure.eraseLearner(learnerId, caller.tutor.email);
    res.send(200, { erased: counts, auditReference: learnerReference(learnerId) });
  });
}
