/**
 * Who is asking, on every review page and API call: a tutor with a session cookie (pages, and the
 * API from the pages) or with an API token (`Authorization: Bearer`, for scripts). Also the cookies'
 * attributes and the CSRF checks that go with a session.
 *
 * @remarks
 * The account is read from the directory on every request, so a removed tutor, or a revoked token,
 * stops working at once in every process. A cookie-authenticated request that changes anything must
 * carry the session's CSRF token (a form's `_csrf` field or an `X-CSRF-Token` header); a token-
 * authenticated one need not, as no browser adds a bearer token on its own.
 */
import { timingSafeEqual } from 'node:crypto';
import { parse as parseCookies, serialize as serializeCookie, type SerializeOptions } from 'cookie';
import type { Request, Response } from 'restify';
import type { TutorAccount, TutorDirectory } from '../store/tutor-directory.ts';
import type { TutorSession, TutorSessions } from './tutor-sessions.ts';

export interface TutorAccessOptions {
  directory: TutorDirectory;
  sessions: TutorSessions;
  /**
   * Cookies are marked Secure (and the session cookie given the `__Host-` prefix) when the review
   * pages are reached over HTTPS: the public URL says so, or a trusted proxy does.
   */
  secureCookies: boolean;
}

export type Caller =
  { tutor: TutorAccount; via: 'session'; session: TutorSession; sessionId: string } | { tutor: TutorAccount; via: 'token' };

export class TutorAccess {
  readonly sessionCookie: string;

  constructor(private readonly options: TutorAccessOptions) {
    this.sessionCookie = options.secureCookies ? '__Host-servicesim-review' : 'servicesim-review';
  }

  /** The tutor making this request, or undefined for anyone else (no, ended or forged credentials, or a removed tutor). */
  async callerOf(req: Request): Promise<Caller | undefined> {
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      // A request that sends credentials is judged by them alone: a bad token is never rescued by a cookie.
      const token = /^Bearer ([^\s]+)$/i.exec(authorization)?.[1];
      const tutor = token ? await this.options.directory.tutorForToken(token) : undefined;
      return tutor ? { tutor, via: 'token' } : undefined;
    }
    const sessionId = this.cookie(req, this.sessionCookie);
    const session = await this.options.sessions.find(sessionId);
    if (!session || !sessionId) return undefined;
    const tutor = await this.options.directory.get(session.email);
    // A session begun before the password or role changed (a reset after a leak, a demotion) ends with that change.
    // Nor does one begun before the account itself (removed and added again).
    if (!tutor) return undefined;
    const validFrom = Math.max(
      0,
      ...[tutor.createdAt, tutor.credentialsChangedAt].map((at) => Date.parse(at ?? '')).filter(Number.isFinite),
    );
    if (Date.parse(session.createdAt) < validFrom) return undefined;
    return { tutor, via: 'session', session, sessionId };
  }

  /** Whether a change made by this caller carries the CSRF token its session needs. */
  csrfAccepted(caller: Caller, req: Request, field: unknown): boolean {
    if (caller.via === 'token') return true;
    const header = req.headers['x-csrf-token'];
    const given = typeof field === 'string' ? field : typeof header === 'string' ? header : '';
    return sameSecret(given, caller.session.csrf);
  }

  cookie(req: Request, name: string): string | undefined {
    const header = req.headers.cookie;
    if (!header) return undefined;
    try {
      return parseCookies(header)[name];
    } catch {
      return undefined;
    }
  }

  /** Sets a cookie with the attributes every review cookie has: HttpOnly, SameSite, Secure over HTTPS. */
  setCookie(res: Response, name: string, value: string, options: SerializeOptions): void {
    const cookie = serializeCookie(name, value, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: this.options.secureCookies,
      ...options,
    });
    const existing = res.getHeader('Set-Cookie');
    const all = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    res.setHeader('Set-Cookie', [...all, cookie]);
  }

  clearCookie(res: Response, name: string, path = '/'): void {
    this.setCookie(res, name, '', { maxAge: 0, path });
  }
}

/** Compares two secrets in constant time; different lengths (or an empty one) are simply unequal. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}
