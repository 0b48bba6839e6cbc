/**
 * The bounded retry around one call to an OpenAI-compatible endpoint: which failures are worth
 * another attempt, how long to wait before it, and when to stop.
 *
 * @remarks
 * Ours rather than the openai client's, because the client honours any Retry-After without a bound:
 * told to wait an hour, it would, while a learner waits for the customer's reply. Here a server that
 * asks for a longer wait than `maxRetryWaitMs` is given up on at once, and the caller falls back.
 * Pure apart from the `sleep` and `random` it is given, so tests drive it without waiting.
 */
import { APIConnectionError, APIError } from 'openai';

export interface RetryPolicy {
  /** Attempts after the first; 0 makes one attempt only. */
  maxRetries: number;
  /** The longest wait before a retry: a server asking for more is not retried. */
  maxRetryWaitMs: number;
  /** The wait before the first retry when the server names none; it doubles with each retry. */
  baseDelayMs?: number;
  /** No retry is begun that would start after this (milliseconds since the epoch). */
  deadline?: number;
}

/** What the retry waits with, passed in so a test need not wait. */
export interface RetryClock {
  sleep(ms: number): Promise<void>;
  /** A number in [0, 1), for the jitter. */
  random(): number;
  /** Milliseconds since the epoch, for a Retry-After given as an HTTP date. */
  now(): number;
}

const SYSTEM_CLOCK: RetryClock = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  now: Date.now,
};

const DEFAULT_BASE_DELAY_MS = 250;
/** Each wait is shortened by up to this share, so clients told to wait alike do not all return at once. */
const JITTER = 0.25;

/**
 * Calls `attempt` until it succeeds, or fails in a way not worth retrying, or the retries are used up,
 * or the server asks for a longer wait than the policy allows; then throws the last attempt's error.
 */
export async function withBoundedRetries<T>(
  attempt: (retry: number) => Promise<T>,
  policy: RetryPolicy,
  clock: RetryClock = SYSTEM_CLOCK,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt(retry);
    } catch (error) {
      if (retry >= policy.maxRetries || !isRetryable(error)) throw error;
      const wait = waitBeforeRetry(error, retry, policy, clock);
      if (wait === undefined) throw error;
      if (policy.deadline !== undefined && clock.now() + wait >= policy.deadline) throw error;
      await clock.sleep(wait);
    }
  }
}

/** Timeouts, connection errors, 408, 409 (a lock), 429 and 5xx may pass; any other answer will not change. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof APIConnectionError) return true;
  if (!(error instanceof APIError) || error.status === undefined) return false;
  return error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500;
}

/**
 * Milliseconds to wait before retry number `retry + 1`: what the server asked for, or else an
 * exponential backoff with jitter, capped. Undefined when the server asked for longer than the cap.
 */
export function waitBeforeRetry(error: unknown, retry: number, policy: RetryPolicy, clock: RetryClock): number | undefined {
  const headers = error instanceof APIError ? error.headers : undefined;
  const asked = retryAfterMs(headers, clock.now());
  if (asked !== undefined) return asked > policy.maxRetryWaitMs ? undefined : asked;
  const backoff = (policy.baseDelayMs ?? DEFAULT_BASE_DELAY_MS) * 2 ** retry * (1 - JITTER * clock.random());
  return Math.min(Math.round(backoff), policy.maxRetryWaitMs);
}

/**
 * The wait a response asked for: `retry-after-ms` (OpenAI's and Azure's), else `retry-after` in
 * seconds or as an HTTP date. A date already past is no wait; a header that cannot be read is none.
 */
export function retryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds)) return Math.max(0, milliseconds);
  const retryAfter = headers?.get('retry-after')?.trim();
  if (!retryAfter) return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number(retryAfter) * 1000;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
