/**
 * xAPI statements waiting for the learning record store (LRS): queued in the shared KeyValueStore,
 * sent with POST /statements, and kept, with growing delays between tries, until the LRS has them.
 *
 * @remarks
 * The key-value store cannot list keys, so the queue's index is 16 compare-and-set documents (by
 * batch id, as the review notices' outbox is split: processes enqueueing at once rarely touch the
 * same one) and each batch's statements sit under their own key. The index entry is written before
 * the statements, and removed after them, so every stored batch can be found (by `discardFor`, when
 * a learner's data is erased) and a process stopped between two steps loses nothing it said was
 * queued: an index entry whose statements never arrived (an enqueue cut short) or are already gone
 * (sent, and cut short while leaving) leaves the queue once it is older than a lease.
 *
 * Each send holds a lease on its batch, so two bot processes never send one at the same time; and
 * statement ids are name-based on the record or review they tell of (engine/xapi-statements.ts),
 * so a batch sent again after a fault is kept once by the LRS. Enqueueing a batch id again replaces its statements;
 * each enqueue has its own version, and a send removes the batch only if it sent that version.
 *
 * What the LRS says decides what happens: 2xx or 409 (it has these ids) is sent; 429, 5xx, a
 * timeout or no answer is tried again later (after Retry-After, when given); any other answer means
 * the LRS refuses the batch: it is kept, marked with the status and a reason, and tried at the
 * longest delay, so an operator who fixes the LRS or the settings loses nothing. Logs name batches
 * and statuses, never statements or credentials.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { XapiBatch } from '../engine/xapi-statements.ts';
import { statementProblems, type XapiStatement } from '../engine/xapi-statement-rules.ts';
import { updateDocument } from './document-update.ts';
import type { KeyValueStore } from './key-value-store.ts';
import { PeriodicPass } from './periodic-pass.ts';

const INDEX_PARTS = Array.from({ length: 16 }, (_, i) => `xapi-outbox/index/${i}`);
const indexPartOf = (batchId: string) => INDEX_PARTS[createHash('sha256').update(batchId).digest()[0]! % INDEX_PARTS.length]!;
const batchKey = (batchId: string) => `xapi-outbox/batch/${batchId}`;
const leaseKey = (batchId: string) => `xapi-outbox/lease/${batchId}`;

/** After a failed try: a minute, five, half an hour, then every two hours, for as long as it takes. */
const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 60 * 60_000];
/** An LRS storing a large batch can be slow; beyond this it is taken as not answering. */
const TIMEOUT_MS = 30_000;
/** Well beyond one send; a process that dies holding a lease frees its batch this soon after. */
const LEASE_MS = 5 * 60_000;

/** The xAPI version this speaks (the header every request to an LRS must carry). */
const XAPI_VERSION = '1.0.3';

/** Why an LRS refuses a batch, by status, for the operator who has to fix it. */
const REFUSAL_REASONS: Record<number, string> = {
  400: 'the LRS finds the statements invalid',
  401: 'the LRS does not accept the credentials: check the xAPI username and password',
  403: 'these credentials may not write statements to this LRS',
  404: 'there is no statements resource at this endpoint: check XAPI_ENDPOINT',
  413: 'the batch is larger than the LRS accepts',
};

/** The index's entry for one queued batch; its statements are under `batchKey`. */
interface QueuedBatch {
  batchId: string;
  recordId: string;
  /** New at each enqueue of this batch id, and stored with its statements: a send removes only the version it sent. */
  version: string;
  statements: number;
  queuedAt: number;
  attempts: number;
  /** When it is next due, in epoch milliseconds. */
  dueAt: number;
  /** Set when the LRS last refused it (a 4xx other than 409 and 429). */
  refused?: { status: number; reason: string; at: string };
}

interface IndexPart {
  batches: QueuedBatch[];
}

interface StoredBatch {
  version: string;
  recordId: string;
  statements: XapiStatement[];
}

type SendOutcome =
  | { kind: 'sent' }
  | { kind: 'retry'; status?: number; retryAfterMs?: number; fault?: { name: string; message: string; code?: string } }
  | { kind: 'refused'; status: number; reason: string };

export interface XapiOutboxParts {
  store: KeyValueStore;
  /** The LRS: its xAPI endpoint (the URL that /statements is under) and, when it asks for them, Basic credentials. */
  lrs: { endpoint: string; username?: string; password?: string };
  logger: Logger;
  /** A test's fetch; the global one otherwise. */
  fetch?: typeof fetch;
  now?: () => number;
  retryDelaysMs?: readonly number[];
  /** How long one POST may take. */
  timeoutMs?: number;
  /** How long one send holds a batch; the default suits a bot. */
  leaseMs?: number;
}

export class XapiOutbox {
  private readonly periodic: PeriodicPass;
  private readonly now: () => number;
  private readonly delays: readonly number[];
  private readonly fetch: typeof fetch;
  private readonly statementsUrl: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly leaseMs: number;

  constructor(private readonly parts: XapiOutboxParts) {
    this.periodic = new PeriodicPass(() => this.sendDue(), parts.logger, 'xAPI statements not sent');
    const { endpoint, username, password } = parts.lrs;
    const url = URL.canParse(endpoint) ? new URL(endpoint) : undefined;
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.search || url.hash)
      throw new Error('the xAPI endpoint must be an http(s) URL, such as https://lrs.example.ac.uk/xapi/');
    // fetch refuses such a URL, and a log line naming the endpoint would show the password.
    if (url.username || url.password) throw new Error('the xAPI endpoint must not hold credentials: give the username and password apart');
    if (password !== undefined && username === undefined) throw new Error('an xAPI password was given without a username');
    this.statementsUrl = `${endpoint.replace(/\/+$/, '')}/statements`;
    this.headers = {
      'X-Experience-API-Version': XAPI_VERSION,
      'Content-Type': 'application/json',
      ...(username === undefined ? {} : { Authorization: `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` }),
    };
    this.now = parts.now ?? Date.now;
    this.delays = parts.retryDelaysMs ?? RETRY_DELAYS_MS;
    if (this.delays.length === 0 || this.delays.some((d) => !(d > 0))) throw new RangeError('retryDelaysMs must be positive numbers');
    this.fetch = parts.fetch ?? ((...args) => globalThis.fetch(...args));
    this.timeoutMs = parts.timeoutMs ?? TIMEOUT_MS;
    this.leaseMs = parts.leaseMs ?? LEASE_MS;
  }

  /**
   * Queues a batch, due at once; the same batch id again replaces the statements queued under it.
   * Resolves once the batch is stored, so it will be sent, whatever happens to this process. A
   * statement that breaks the xAPI rules, or has no id, is a bug: it throws, and nothing is queued.
   */
  async enqueue(batch: XapiBatch): Promise<void> {
    refuseInvalid(batch);
    const now = this.now();
    const version = randomUUID();
    const entry: QueuedBatch = {
      batchId: batch.id,
      recordId: batch.recordId,
      version,
      statements: batch.statements.length,
      queuedAt: now,
      attempts: 0,
      dueAt: now,
    };
    await updateDocument<IndexPart>(this.parts.store, indexPartOf(batch.id), (part) => ({
      batches: [...(part?.batches ?? []).filter((b) => b.batchId !== batch.id), entry],
    }));
    const stored: StoredBatch = { version, recordId: batch.recordId, statements: batch.statements };
    await this.parts.store.write([{ key: batchKey(batch.id), value: stored }]);
  }

  /** Sends every batch that is due; resolves to how many statements the LRS took. */
  async sendDue(): Promise<number> {
    let sent = 0;
    for (const queued of await this.queued()) if (queued.dueAt <= this.now()) sent += await this.attempt(queued.batchId);
    return sent;
  }

  /** Statements waiting to be sent (for the operator and tests). */
  async pending(): Promise<number> {
    return (await this.queued()).reduce((sum, queued) => sum + queued.statements, 0);
  }

  /**
   * Removes every queued batch about a record (its learner's data is being erased); resolves to how
   * many statements were removed. A batch being sent at this moment may still reach the LRS: erasing
   * there is the LRS's part.
   */
  async discardFor(recordId: string): Promise<number> {
    return discardQueuedFor(this.parts.store, recordId);
  }

  /** Sends due batches every `intervalMs` until stopped. */
  start(intervalMs = 60_000): void {
    this.periodic.start(intervalMs);
  }

  stop(): void {
    this.periodic.stop();
  }

  /** Sends one batch under its lease, read afresh under it; resolves to how many statements the LRS took. */
  private async attempt(batchId: string): Promise<number> {
    const lease = leaseKey(batchId);
    const taken = (await this.parts.store.write([{ key: lease, value: { at: this.now() }, create: true, ttlMs: this.leaseMs }]))[lease];
    if (!taken?.written) return 0;
    try {
      const queued = (await this.queuedIn(indexPartOf(batchId))).find((b) => b.batchId === batchId);
      if (!queued || queued.dueAt > this.now()) return 0;
      const item = (await this.parts.store.read([batchKey(batchId)]))[batchKey(batchId)];
      if (!item) {
        // Its statements are not stored yet (an enqueue under way) or any more (sent, or discarded, and cut short leaving).
        if (this.now() - queued.queuedAt >= this.leaseMs) {
          this.parts.logger.warn({ batch: batchId }, 'xAPI batch left the queue: its statements were not stored, or were already sent');
          await this.remove(batchId, queued.version);
        }
        return 0;
      }
      const stored = item.value as StoredBatch;
      const outcome = await this.post(stored.statements);
      if (outcome.kind !== 'sent') {
        await this.postpone(queued, outcome);
        return 0;
      }
      // Sent. Replaced meanwhile (another eTag, another version): the newer statements stay queued.
      await this.parts.store.deleteIfUnchanged(batchKey(batchId), item.eTag);
      await this.remove(batchId, stored.version);
      return stored.statements.length;
    } finally {
      // Released only if still ours: a lease that ran out during a slow send may be another process's now.
      await this.parts.store.deleteIfUnchanged(lease, taken.eTag).catch(() => undefined);
    }
  }

  private async post(statements: readonly XapiStatement[]): Promise<SendOutcome> {
    let response: Response;
    try {
      response = await this.fetch(this.statementsUrl, {
        method: 'POST',
        headers: this.headers,
        body: JSON.stringify(statements),
        // A redirected POST may come back as a GET, whose 200 would look like success.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // Read (and not kept: it may quote the statements) so the connection can be used again.
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      return { kind: 'retry', fault: faultOf(error) };
    }
    const { status } = response;
    if ((status >= 200 && status < 300) || status === 409) return { kind: 'sent' };
    if (status === 429 || status >= 500) {
      const retryAfterMs = retryAfterOf(response.headers.get('retry-after'), this.now());
      return { kind: 'retry', status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    }
    if (status >= 300 && status < 400)
      return { kind: 'refused', status, reason: 'the endpoint redirects elsewhere: set XAPI_ENDPOINT to where it leads' };
    return { kind: 'refused', status, reason: REFUSAL_REASONS[status] ?? `the LRS refuses the statements (HTTP ${status})` };
  }

  /** Tries again later: after Retry-After or the next growing delay, or after the longest delay when the LRS refused it. */
  private async postpone(queued: QueuedBatch, outcome: Exclude<SendOutcome, { kind: 'sent' }>): Promise<void> {
    const attempts = queued.attempts + 1;
    const now = this.now();
    const delay =
      outcome.kind === 'refused'
        ? Math.max(...this.delays)
        : (outcome.retryAfterMs ?? this.delays[Math.min(attempts - 1, this.delays.length - 1)]!);
    const refused =
      outcome.kind === 'refused' ? { status: outcome.status, reason: outcome.reason, at: new Date(now).toISOString() } : undefined;
    const log = { batch: queued.batchId, attempts, ...(outcome.status === undefined ? {} : { status: outcome.status }) };
    if (outcome.kind === 'refused')
      this.parts.logger.warn(
        { ...log, reason: outcome.reason },
        'the LRS refuses an xAPI batch; kept, and tried again at the longest delay',
      );
    else this.parts.logger.warn({ ...log, ...(outcome.fault ? { err: outcome.fault } : {}) }, 'xAPI batch not sent; will try again');
    await updateDocument<IndexPart>(this.parts.store, indexPartOf(queued.batchId), (part) => {
      // Re-enqueued meanwhile: the new version is due at once, and keeps its own count.
      if (!part?.batches.some((b) => b.batchId === queued.batchId && b.version === queued.version)) return undefined;
      return {
        batches: part.batches.map((b) => {
          if (b.batchId !== queued.batchId) return b;
          const { refused: _previous, ...rest } = b;
          return { ...rest, attempts, dueAt: now + delay, ...(refused ? { refused } : {}) };
        }),
      };
    });
  }

  /** Takes a batch's entry out of the index, if it is still the version named. */
  private async remove(batchId: string, version: string): Promise<void> {
    await updateDocument<IndexPart>(this.parts.store, indexPartOf(batchId), (part) =>
      part?.batches.some((b) => b.batchId === batchId && b.version === version)
        ? { batches: part.batches.filter((b) => b.batchId !== batchId) }
        : undefined,
    );
  }

  private async queued(): Promise<QueuedBatch[]> {
    const parts = await this.parts.store.read(INDEX_PARTS);
    return Object.values(parts).flatMap((item) => (item.value as IndexPart).batches);
  }

  private async queuedIn(key: string): Promise<QueuedBatch[]> {
    return ((await this.parts.store.read([key]))[key]?.value as IndexPart | undefined)?.batches ?? [];
  }
}

/**
 * Removes the queued batches about a record (its learner's erasure), with or without an LRS
 * configured in this process: a queue left from when one was configured holds learners' data too.
 * Returns how many statements were removed.
 */
export async function discardQueuedFor(store: KeyValueStore, recordId: string): Promise<number> {
  let discarded = 0;
  const index = await store.read(INDEX_PARTS);
  for (const queued of Object.values(index).flatMap((item) => (item.value as IndexPart).batches)) {
    if (queued.recordId !== recordId) continue;
    // The statements first: an index entry left without them leaves the queue by itself; statements left without an entry could never be found again.
    await store.delete([batchKey(queued.batchId)]);
    await updateDocument<IndexPart>(store, indexPartOf(queued.batchId), (part) =>
      part?.batches.some((b) => b.batchId === queued.batchId)
        ? { batches: part.batches.filter((b) => b.batchId !== queued.batchId) }
        : undefined,
    );
    discarded += queued.statements;
  }
  return discarded;
}

/** A batch that could never be sent is the caller's bug: named here, before anything is queued. */
function refuseInvalid(batch: XapiBatch): void {
  const named = `xAPI batch "${batch.id}"`;
  if (batch.id.length === 0 || batch.recordId.length === 0)
    throw new Error('an xAPI batch needs an id and the id of the record it is about');
  if (batch.statements.length === 0) throw new Error(`${named} has no statements`);
  const ids = new Set<string>();
  batch.statements.forEach((statement, i) => {
    const problems = statementProblems(statement);
    if (problems.length > 0) throw new Error(`${named}, statement ${i}: ${problems.join('; ')}`);
    // The LRS keeps a statement once only by its id: without one, a batch sent twice is stored twice.
    if (statement.id === undefined)
      throw new Error(`${named}, statement ${i}: id: is required, so that sending it again never stores it twice`);
    if (ids.has(statement.id)) throw new Error(`${named}, statement ${i}: id: ${statement.id} is used twice in the batch`);
    ids.add(statement.id);
  });
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
function retryAfterOf(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** What went wrong with a request that got no answer, by name and code: never the request itself. */
function faultOf(error: unknown): { name: string; message: string; code?: string } {
  const { name, message, cause } = error as { name?: string; message?: string; cause?: { code?: unknown } };
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return { name: name ?? 'Error', message: message ?? String(error), ...(code ? { code } : {}) };
}
