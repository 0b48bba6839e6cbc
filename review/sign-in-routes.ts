/**
 * Signing tutors in and out: with a password (the accounts `servicesim tutor add` made), or, when
 * the organisation's OpenID provider is configured, through it instead.
 *
 * @remarks
 * The sign-in form has no session yet, so its CSRF token is a double-submit cookie (SameSite=Strict,
 * on the sign-in path only). Failed attempts are limited per email and address and per address, and
 * a wrong email costs as long as a wrong password, so the form tells no one who has an account.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type restify from 'restify';
import type { Request, Response } from 'restify';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { passwordMatches, spendAsLongAsACheck } from './password-hash.ts';
import { OidcSignInError, type OidcSignIn } from './oidc-sign-in.ts';
import { queryOf, redirect, safeNext, sendPage } from './page-response.ts';
import { renderSignIn } from './review-views.ts';
import { sameSecret, type TutorAccess } from './tutor-access.ts';
import type { TutorDirectory } from '../store/tutor-directory.ts';
import type { TutorSessions } from './tutor-sessions.ts';

export const SIGN_IN_PATH = '/review/sign-in';
const OIDC_PATH = '/review/sign-in/oidc';
const SIGN_IN_CSRF_COOKIE = 'servicesim-sign-in';
const OIDC_COOKIE = 'servicesim-oidc';

export interface SignInParts {
  access: TutorAccess;
  directory: TutorDirectory;
  sessions: TutorSessions;
  oidc?: OidcSignIn;
  /** The callback address registered with the provider: the callback's query is read against it. */
  oidcRedirectUri?: string;
  logger: Logger;
  /** The address a request came from, as the bot endpoint reads it (behind trusted proxies). */
  addressOf: (req: Request) => string;
  /** The form's body parser (urlencoded, size-limited). */
  readForm: restify.RequestHandler[];
}

export function mountSignIn(server: restify.Server, parts: SignInParts): void {
  const { access, directory, sessions, oidc, oidcRedirectUri, logger, addressOf, readForm } = parts;
  // Each attempt is counted before its password is checked, so attempts sent all at once are
  // limited too; a successful one is given back. Per email and address; per email from anywhere
  // (guesses spread over many addresses); per address (one address trying many emails).
  const perAccount = new RateLimiterMemory({ points: 5, duration: 15 * 60 });
  const perEmail = new RateLimiterMemory({ points: 20, duration: 60 * 60 });
  const perAddress = new RateLimiterMemory({ points: 50, duration: 60 * 60 });

  const showForm = (res: Response, status: number, next: string, message?: string) => {
    const csrf = randomBytes(24).toString('base64url');
    access.setCookie(res, SIGN_IN_CSRF_COOKIE, csrf, { sameSite: 'strict', path: SIGN_IN_PATH, maxAge: 60 * 60 });
    sendPage(
      res,
      status,
      renderSignIn({ csrf, next, ...(message ? { message } : {}), ...(oidc ? { oidc: { providerName: oidc.providerName } } : {}) }),
    );
  };

  server.get(SIGN_IN_PATH, async (req: Request, res: Response) => {
    const query = queryOf(req);
    showForm(res, 200, safeNext(query.next), query.ended ? 'Your session has ended: sign in again.' : undefined);
  });

  server.post(SIGN_IN_PATH, ...readForm, async (req: Request, res: Response) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(form.next);
    if (oidc) return showForm(res, 400, next, `Sign in with ${oidc.providerName}.`);
    if (!sameSecret(String(form._csrf ?? ''), access.cookie(req, SIGN_IN_CSRF_COOKIE) ?? ''))
      return showForm(res, 403, next, 'The sign-in form had expired. Please try again.');
    const email = String(form.email ?? '')
      .trim()
      .toLowerCase()
      .slice(0, 320);
    const password = String(form.password ?? '');
    const address = addressOf(req);
    const accountKey = `${email}|${address}`;
    const counted = await Promise.allSettled([perAccount.consume(accountKey), perEmail.consume(email), perAddress.consume(address)]);
    const refused = counted.filter((c): c is PromiseRejectedResult => c.status === 'rejected').map((c) => c.reason as unknown);
    const failure = refused.find((reason) => reason instanceof Error);
    if (failure) throw failure;
    if (refused.length > 0) {
      const ms = Math.max(...refused.map((reason) => (reason as { msBeforeNext?: number }).msBeforeNext ?? 60_000));
      const wait = Math.max(1, Math.ceil(ms / 60_000));
      res.setHeader('Retry-After', String(wait * 60));
      return showForm(res, 429, next, `Too many failed attempts. Try again in ${wait} minute${wait === 1 ? '' : 's'}.`);
    }
    const tutor = email ? await directory.get(email) : undefined;
    const accepted = tutor?.passwordHash
      ? await passwordMatches(password, tutor.passwordHash)
      : (await spendAsLongAsACheck(password), false);
    if (!tutor || !accepted) {
      // Who tried is worth knowing; the password typed never is.
      logger.warn({ client: address }, 'tutor sign-in refused');
      return showForm(res, 401, next, 'Wrong email or password.');
    }
    await Promise.all([perAccount.delete(accountKey), perEmail.reward(email, 1), perAddress.reward(address, 1)]);
    await startSession(res, tutor.email, 'password', next);
  });

  server.post('/review/sign-out', ...readForm, async (req: Request, res: Response) => {
    const caller = await access.callerOf(req);
    if (caller?.via === 'session') {
      if (!access.csrfAccepted(caller, req, (req.body as Record<string, unknown> | undefined)?._csrf)) {
        res.send(403, { error: 'the form had no valid CSRF token' });
        return;
      }
      await sessions.end(caller.sessionId);
    }
    access.clearCookie(res, access.sessionCookie);
    redirect(res, SIGN_IN_PATH);
  });

  server.get(OIDC_PATH, async (req: Request, res: Response) => {
    if (!oidc) return redirect(res, SIGN_IN_PATH);
    const next = safeNext(queryOf(req).next);
    try {
      const { url, pending } = await oidc.begin();
      access.setCookie(res, OIDC_COOKIE, Buffer.from(JSON.stringify({ pending, next })).toString('base64url'), {
        path: OIDC_PATH,
        maxAge: 10 * 60,
      });
      res.setHeader('Location', url);
      res.sendRaw(302, '');
    } catch (error) {
      logger.error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'OpenID sign-in could not begin');
      showForm(res, 503, next, `${oidc.providerName} could not be reached. Try again in a minute.`);
    }
  });

  server.get(`${OIDC_PATH}/callback`, async (req: Request, res: Response) => {
    if (!oidc) return redirect(res, SIGN_IN_PATH);
    let kept: { pending: string; next: string };
    try {
      kept = JSON.parse(Buffer.from(access.cookie(req, OIDC_COOKIE) ?? '', 'base64url').toString('utf8'));
      if (typeof kept.pending !== 'string') throw new Error('no pending sign-in');
    } catch {
      return showForm(res, 400, '/review', 'That sign-in had expired, or began in another browser. Please sign in again.');
    }
    access.clearCookie(res, OIDC_COOKIE, OIDC_PATH);
    try {
      // The provider checks the callback against the address registered with it, whatever Host this request came with.
      const callback = new URL(oidcRedirectUri ?? 'http://localhost/review/sign-in/oidc/callback');
      callback.search = new URL(req.url ?? '', 'http://request.invalid').search;
      const identity = await oidc.finish(callback, kept.pending);
      const tutor = await directory.get(identity.email);
      if (!tutor) {
        logger.warn({ issuer: identity.issuer }, 'organisation sign-in by someone who is not a tutor');
        return showForm(res, 403, safeNext(kept.next), `${identity.email} is not a ServiceSim tutor. Ask an admin to add you.`);
      }
      if ((await directory.linkOidc(tutor.email, identity.issuer, identity.subject)) === 'another') {
        logger.warn({ issuer: identity.issuer }, 'organisation sign-in with a tutor email but another account');
        return showForm(
          res,
          403,
          safeNext(kept.next),
          `${identity.email} is linked to another account at ${oidc.providerName}. Ask an admin to remove and add the tutor again if the account changed.`,
        );
      }
      await startSession(res, tutor.email, 'oidc', safeNext(kept.next));
    } catch (error) {
      // A store fault is the server's to answer (500/503, logged, its message unshown), not a refused sign-in.
      if (!(error instanceof OidcSignInError)) throw error;
      logger.warn({ err: { name: (error as Error).name, message: (error as Error).message } }, 'OpenID sign-in refused');
      showForm(res, 401, safeNext(kept.next), `Sign-in with ${oidc.providerName} did not complete: ${(error as Error).message}`);
    }
  });

  async function startSession(res: Response, email: string, via: 'password' | 'oidc', next: string): Promise<void> {
    const { id } = await sessions.start(email, via);
    access.setCookie(res, access.sessionCookie, id, { maxAge: Math.floor(sessions.lifetimeMs / 1000) });
    access.clearCookie(res, SIGN_IN_CSRF_COOKIE, SIGN_IN_PATH);
    redirect(res, next);
  }
}
