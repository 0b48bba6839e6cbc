/**
 * How every review page is sent: HTML with headers that keep it to itself (no scripts at all, no
 * framing, no caching of a tutor's view of learners' transcripts, no referrer to other sites).
 */
import type { Request, Response } from 'restify';

const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export function sendPage(res: Response, status: number, html: string): void {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
  res.sendRaw(status, html);
}

/** A redirect after a form post or to the sign-in page: 303, so the browser follows with a GET. */
export function redirect(res: Response, location: string): void {
  res.setHeader('Location', location);
  res.setHeader('Cache-Control', 'no-store');
  res.sendRaw(303, '');
}

/**
 * Where to go after signing in: a review page on this server, never another site (an open
 * redirect would let a link to the sign-in page send a tutor anywhere once signed in).
 */
export function safeNext(next: unknown): string {
  // Printable ASCII only: anything else could not go in a Location header, and would fail after the session was made.
  return typeof next === 'string' && /^\/review(?:[/?#]|$)/.test(next) && /^[\x21-\x7e]*$/.test(next) && !next.includes('\\')
    ? next
    : '/review';
}

/** The query string's parameters (the last of any repeated one); restify gives none without a plugin that would map them into params. */
export function queryOf(req: Request): Record<string, string> {
  return Object.fromEntries(new URL(req.url ?? '/', 'http://request.invalid').searchParams);
}
