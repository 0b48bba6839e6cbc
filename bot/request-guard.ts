/**
 * The checks made on a request to the bot endpoint before its body is read, in both security modes:
 * how fast this client is sending, the content type, that the body is not compressed (a small
 * gzip body can unpack to gigabytes), its declared size, and in local mode that it comes from this
 * machine. Nothing is parsed, and nothing written to disk, for a request that fails one. The guard
 * is the bot route's first handler, so it meets the path as restify routed it, however encoded.
 */
import type { Logger } from 'pino';
import type restify from 'restify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { HttpLimits } from './http-limits.ts';
import type { SecurityMode } from './security-mode.ts';

export const BOT_ENDPOINT = '/api/messages';

const LOOPBACK_HOST = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d+)?$/;

/**
 * In local anonymous mode the Host header must name this machine (no DNS rebinding), and a
 * browser's Origin, when there is one, must be a page on this machine (no other web site).
 */
export function fromThisMachine(host: string | undefined, origin: string | undefined): boolean {
  if (!host || !LOOPBACK_HOST.test(host)) return false;
  if (origin === undefined) return true;
  try {
    return LOOPBACK_HOST.test(new URL(origin).host);
  } catch {
    return false;
  }
}

/**
 * The address a request came from, as the limits count clients: the connection's, or behind
 * `trustedProxyHops` proxies the one the nearest of them saw (the rightmost entries are theirs).
 */
export function clientAddress(req: restify.Request, trustedProxyHops: number): string {
  const connected = req.socket?.remoteAddress ?? 'unknown';
  if (trustedProxyHops <= 0) return connected;
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return forwarded[forwarded.length - trustedProxyHops] ?? connected;
}

export function guardBotEndpoint(mode: SecurityMode, limits: HttpLimits, logger: Logger): restify.RequestHandler {
  const perClient =
    limits.requestsPerClientPerSecond > 0 ? new RateLimiterMemory({ points: limits.requestsPerClientPerSecond, duration: 1 }) : undefined;
  return (req, res, next) => {
    const refuse = (status: number, error: string, headers: Record<string, string> = {}) => {
      // Connection: close, so the unread body is not mistaken for the next request on this connection.
      res.send(status, { error }, { Connection: 'close', ...headers });
      next(false);
    };
    const checkContent = () => {
      // Bot Framework activities are JSON. A form post is what another web site could make a browser send.
      if (!req.is('application/json')) return refuse(415, 'send the activity as application/json');
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > limits.maxBodyBytes) return refuse(413, `an activity may be at most ${limits.maxBodyBytes} bytes`);
      if (mode.kind === 'local-anonymous' && !fromThisMachine(req.headers.host, req.headers.origin)) {
        return refuse(403, 'local anonymous mode answers only pages and clients on this machine');
      }
      return next();
    };
    if (!perClient) return checkContent();
    perClient.consume(clientAddress(req, limits.trustedProxyHops)).then(checkContent, (limited: unknown) => {
      if (!(limited instanceof RateLimiterRes)) {
        logger.error({ err: limited }, 'rate limiter failed');
        return checkContent();
      }
      refuse(429, 'too many requests from this address; slow down', { 'Retry-After': String(Math.ceil(limited.msBeforeNext / 1000)) });
    });
  };
}

/** Any request, on any path, with a compressed body is refused before anything could read it. */
export const refuseEncodedBodies: restify.RequestHandler = (req, res, next) => {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity') return next();
  res.send(415, { error: 'send the body uncompressed (no Content-Encoding)' }, { Connection: 'close' });
  return next(false);
};
