/**
 * Who is asking for a review page: the signed-in tutor, or a redirect to the sign-in page (and back
 * to this page afterwards). Every page under /review starts here.
 */
import type { Request, Response } from 'restify';
import type { TutorAccount } from '../store/tutor-directory.ts';
import type { PageTutor } from './page-models.ts';
import { redirect } from './page-response.ts';
import { SIGN_IN_PATH } from './sign-in-routes.ts';
import type { Caller, TutorAccess } from './tutor-access.ts';

export type PageCaller = Caller & { via: 'session' };

/** The signed-in tutor, or undefined with the browser already sent to sign in. */
export async function pageCaller(access: TutorAccess, req: Request, res: Response): Promise<PageCaller | undefined> {
  const caller = await access.callerOf(req);
  if (caller?.via === 'session') return caller;
  const hadSession = access.cookie(req, access.sessionCookie) !== undefined;
  redirect(res, `${SIGN_IN_PATH}?next=${encodeURIComponent(req.url ?? '/review')}${hadSession ? '&ended=1' : ''}`);
  return undefined;
}

/** The tutor as a page's header shows them. */
export const pageTutor = (tutor: TutorAccount): PageTutor => ({
  email: tutor.email,
  role: tutor.role,
  ...(tutor.name ? { name: tutor.name } : {}),
});
