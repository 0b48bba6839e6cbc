/**
 * The audit log, for admins: `GET /api/audit?from=YYYY-MM-DD&to=YYYY-MM-DD` lists who exported,
 * erased or copied whose data, and when, newest first (store/audit-log.ts). Tutors get 403: the log
 * names every tutor's exports.
 */
import type restify from 'restify';
import type { Request, Response } from 'restify';
import type { AuditLog } from '../store/audit-log.ts';
import { queryOf } from './page-response.ts';
import { apiCaller } from './review-api.ts';
import type { TutorAccess } from './tutor-access.ts';

export function mountAuditApi(server: restify.Server, { access, audit }: { access: TutorAccess; audit: AuditLog }): void {
  server.get('/api/audit', async (req: Request, res: Response) => {
    const caller = await apiCaller(access, req, res);
    if (!caller) return;
    if (caller.tutor.role !== 'admin') return void res.send(403, { error: 'only an admin may read the audit log' });
    const { from, to } = queryOf(req);
    try {
      res.send(200, { items: await audit.list({ ...(from ? { from } : {}), ...(to ? { to } : {}) }) });
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      res.send(400, { error: error.message, field: error.message.startsWith('from') ? 'from' : 'to' });
    }
  });
}
