/**
 * The HTTP host: restify serving the bot at /api/messages (Teams and the local page), the local
 * rehearsal page at /, Web Chat's bundle from node_modules, and a health check.
 */
import { randomUUID } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { CloudAdapter, type ConversationReference, type TurnContext } from 'botbuilder';
import restify from 'restify';
import type { Logger } from 'pino';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { limitConnections } from './connection-limits.ts';
import { ConversationLimits, SLOW_DOWN_TEXT } from './conversation-limits.ts';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './http-limits.ts';
import { readIncomingActivity } from './incoming-activity.ts';
import { BOT_ENDPOINT, clientAddress, guardBotEndpoint, refuseEncodedBodies } from './request-guard.ts';
import type { ServiceSimBot } from './servicesim-bot.ts';
import { REHEARSAL_PAGE, WEBCHAT_BUNDLE } from './rehearsal-page.ts';
import { ReusedConnectorClients } from './reused-connector-clients.ts';
import { isLoopbackUrl, type SecurityMode } from './security-mode.ts';
import { typingIndicator } from './typing-indicator.ts';
import { underlyingError } from './underlying-error.ts';
import { turnProgressOf } from '../dialogs/turn-progress.ts';
import { apologyFor } from './turn-apology.ts';
import { LocalMailbox, mountLocalMailbox } from './local-mailbox.ts';
import { AssignmentReminders } from './assignment-reminders.ts';
import { mountLearnerDataRoute } from './learner-data-route.ts';
import { ReviewNotices, type DeliverMessage } from './review-notices.ts';
import { mountReview, type ReviewParts } from '../review/mount-review.ts';
import { AuditLog } from '../store/audit-log.ts';
import { CohortStore } from '../store/cohort-store.ts';
import { DataCopyLinks } from '../store/data-copy-links.ts';
import { learnerDataHolders } from '../store/learner-data-holders.ts';
import { LearnerErasure } from '../store/learner-erasure.ts';
import { Retention } from '../store/retention.ts';
import { KeyValueReviewStore } from '../store/review-store.ts';
import { ConversationReferences } from '../store/conversation-references.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';

/**
 * CloudAdapter, given an activity this server has already read and authenticated. `process(req, res)`
 * would do both again its own way: answer a bad token with a 500 and the library's reason, and print
 * the error (with every signing key it tried) on stderr.
 */
class BotEndpointAdapter extends CloudAdapter {
  processAuthenticated(...args: Parameters<CloudAdapter['processActivity']>): ReturnType<CloudAdapter['processActivity']> {
    return this.processActivity(...args);
  }
}

export interface ServerParts {
  bot: ServiceSimBot;
  mode: SecurityMode;
  logger: Logger;
  /** The Web Chat bundle served at /webchat.js; defaults to the one in node_modules. A test points it elsewhere. */
  webchatBundle?: string;
  /** The HTTP edge's limits; defaults to `DEFAULT_HTTP_LIMITS`. */
  limits?: Partial<HttpLimits>;
  /** Whether the store answers, reported by /healthz; absent: not checked. */
  storeReachable?: () => Promise<boolean>;
  /**
   * The tutor's review pages and API, and the messages that tell learners a review is signed;
   * absent: no /review. The store is the bot's state store (accounts, sessions, reviews, notices).
   */
  review?: Omit<ReviewParts, 'notifier' | 'store' | 'erasure' | 'audit'> & {
    store: KeyValueStore;
    /** How long an undelivered review notice waits before each retry; the defaults suit a bot. */
    noticeRetryDelaysMs?: readonly number[];
    /** RETENTION_DAYS: records are deleted this long after they end; absent or 0: kept until erased. */
    retentionDays?: number;
    /** STATE_EXPIRY_DAYS, for what the learner's copy of their data says. */
    stateExpiryDays?: number;
    /** ABANDONED_AFTER_DAYS, for the same. */
    abandonedAfterDays?: number;
    /** After an erasure, makes what was deleted unreadable on disk (the store's `afterErasure`). */
    afterErasure?: () => Promise<void>;
  };
}

export function createServer({
  bot,
  mode,
  logger,
  webchatBundle = WEBCHAT_BUNDLE,
  limits: given = {},
  storeReachable,
  review,
}: ServerParts): {
  server: restify.Server;
  adapter: CloudAdapter;
  /** Present with `review`: start its retries (`start()`) in a long-running server. */
  notices?: ReviewNotices;
  /** Present with `review`: start its passes (`start()`) in a long-running server. */
  reminders?: AssignmentReminders;
  /** Present with `review` and a retention period: start its daily run (`start()`) in a long-running server. */
  retention?: Retention;
} {
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...given };
  const authentication = new ReusedConnectorClients(mode.auth, limits);
  const adapter = new BotEndpointAdapter(authentication);
  adapter.use(typingIndicator());
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    // The learner sees an apology and a reference; the details go to the log, never to the chat.
    // Only the error itself is logged: botbuilder attaches the dialog stack, which holds transcripts.
    const reference = randomUUID().slice(0, 8);
    const cause = underlyingError(error) as Error;
    logger.error(
      {
        err: { name: cause.name, message: cause.message, stack: cause.stack },
        reference,
        conversation: context.activity.conversation?.id,
        activityType: context.activity.type,
      },
      'turn failed',
    );
    try {
      await context.sendActivity(apologyFor(error, reference, turnProgressOf(context)));
    } catch (sendError) {
      // If even the apology cannot be delivered, the caller gets a bare 200 rather than our error text.
      logger.error({ err: { name: (sendError as Error).name, message: (sendError as Error).message }, reference }, 'apology not delivered');
    }
  };

  const server = restify.createServer({
    name: 'servicesim',
    handleUncaughtExceptions: false,
    // restify logs the whole request when it cannot format a response: only its method and path are kept.
    // @types/restify still describes restify's old bunyan logger; restify 11 takes pino's.
    log: logger.child(
      { component: 'http' },
      {
        serializers: {
          req: (req: { method?: string; url?: string }) => ({ method: req.method, url: req.url }),
          res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
          err: (err: Error) => ({ name: err.name, message: err.message }),
        },
      },
    ) as unknown as restify.ServerOptions['log'],
  });
  limitConnections(server.server, limits);
  // On every path: restify's body reader would unpack a compressed body without limit, and crash on a corrupt one.
  server.pre(refuseEncodedBodies);
  const conversations = new ConversationLimits(limits);
  // With an app id, every caller is meant to be the Bot Framework service, whose few addresses carry
  // every learner's traffic: there an address is limited only once it keeps sending refused tokens.
  const failedTokens =
    mode.kind === 'authenticated' && limits.requestsPerClientPerSecond > 0
      ? new RateLimiterMemory({ points: 20, duration: 60 })
      : undefined;

  // The guard runs on the route, after restify has decoded the path (so /api/%6Dessages meets it too),
  // and before the body is read. JSON only, and only here: no form or multipart parser, so no upload
  // is ever written to disk. (maxBodySize reaches restify's body reader, though @types/restify omits it.)
  const readBody = restify.plugins.jsonBodyParser({
    maxBodySize: limits.maxBodyBytes,
    mapParams: false,
  } as restify.plugins.JsonBodyParserOptions);
  server.post(BOT_ENDPOINT, guardBotEndpoint(mode, limits, logger), ...readBody, async (req, res) => {
    const reading = readIncomingActivity(req.body, limits.maxJsonDepth);
    if ('problem' in reading) {
      res.send(400, { error: `not a Bot Framework activity: ${reading.problem}` });
      return;
    }
    const { activity } = reading;
    if (mode.kind === 'local-anonymous' && !isLoopbackUrl(activity.serviceUrl)) {
      res.send(403, { error: 'local anonymous mode answers only activities whose serviceUrl is on this machine' });
      return;
    }
    const address = clientAddress(req, limits.trustedProxyHops);
    if (failedTokens && (await failedTokens.get(address))?.remainingPoints === 0) {
      res.send(429, { error: 'too many refused tokens from this address; try again later' }, { 'Retry-After': '60' });
      return;
    }
    let authenticated;
    try {
      authenticated = await authentication.authenticateRequest(activity, req.headers.authorization ?? '');
    } catch (error) {
      await failedTokens?.consume(address).catch(() => undefined);
      // Whatever the library's reason (no token, alg none, another key, expired), the caller gets 401 and
      // the log one line: never the reason, a stack trace or the signing keys.
      logger.warn(
        { client: address, reason: (error as Error).name, channel: activity.channelId },
        'bot request refused: token not accepted',
      );
      res.send(401, { error: 'not authorised' });
      return;
    }
    // Counted once the caller is known to be who it says, so no one else can use up a learner's allowance.
    const client = mode.kind === 'local-anonymous' ? address : `${activity.channelId}/${activity.from.id}`;
    const admission = await conversations.admit(activity, client);
    // Only a message is answered with "slow down"; a card press (an invoke) wants its own answer, so it gets the 429.
    if (admission === 'limited' || (admission === 'slow-down' && activity.type !== 'message')) {
      res.send(
        429,
        { error: 'too many activities in this conversation, or too many new conversations; slow down' },
        { 'Retry-After': '60' },
      );
      return;
    }
    const logic =
      admission === 'slow-down'
        ? async (context: TurnContext) => void (await context.sendActivity(SLOW_DOWN_TEXT))
        : (context: TurnContext) => bot.run(context);
    const response = await adapter.processAuthenticated(authenticated, activity, logic);
    if (response?.body === undefined) res.send(response?.status ?? 200);
    else res.send(response.status, response.body);
  });

  server.get('/', async (_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'",
    );
    res.sendRaw(200, REHEARSAL_PAGE);
  });
  server.get('/webchat.js', async (_req, res) => {
    // The file is opened and checked before any header is sent, so a missing or unreadable bundle
    // (a half-finished npm ci, say) is a 500 the page can report, never an unhandled stream error
    // that would take the whole bot, and every rehearsal in progress, down with it.
    let file: FileHandle | undefined;
    try {
      file = await open(webchatBundle);
      if (!(await file.stat()).isFile()) throw new Error(`${webchatBundle} is not a file`);
    } catch (error) {
      await file?.close().catch(() => undefined);
      const { name, message, code } = error as NodeJS.ErrnoException;
      logger.error({ err: { name, message, code }, file: webchatBundle }, 'Web Chat bundle not served');
      res.send(500, { error: 'the Web Chat bundle could not be read; see the server log' });
      return;
    }
    res.setHeader('Content-Type', 'application/javascript; charset=utf-8');
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.writeHead(200);
    // A failure once the 200 has gone (a read error, the browser leaving) can only cut the response
    // short: pipeline then destroys the socket, so the browser sees a broken download, not a whole one.
    pipeline(file.createReadStream(), res, (error) => {
      if (!error) return;
      const { name, message, code } = error as NodeJS.ErrnoException;
      if (code === 'ERR_STREAM_PREMATURE_CLOSE') logger.debug({ file: webchatBundle }, 'Web Chat bundle download abandoned by the browser');
      else logger.error({ err: { name, message, code }, file: webchatBundle }, 'Web Chat bundle cut short');
    });
  });
  server.get('/favicon.ico', async (_req, res) => {
    res.send(204);
  });
  // 503 while the store cannot be reached, so a load balancer sends learners to a process that can take their turns.
  server.get('/healthz', async (_req, res) => {
    const store = storeReachable ? ((await storeReachable().catch(() => false)) ? 'reachable' : 'unreachable') : 'not checked';
    res.send(store === 'unreachable' ? 503 : 200, { ok: store !== 'unreachable', mode: mode.kind, store });
  });
  if (!review) return { server, adapter };
  // The local page has no connector service: its messages wait here for it (local mode only).
  const mailbox = mode.kind === 'local-anonymous' ? new LocalMailbox(review.store) : undefined;
  if (mailbox) mountLocalMailbox(server, mailbox, logger);
  const appId = mode.kind === 'authenticated' ? mode.appId : '';
  // Into a stored conversation: the local page's mailbox, or the channel through the connector.
  const deliver: DeliverMessage = async (reference, text, id) => {
    const held = reference as Partial<ConversationReference>;
    if (mailbox && held.channelId === 'webchat-local' && held.conversation?.id) {
      await mailbox.post(held.conversation.id, id, {
        type: 'message',
        text,
        from: held.bot,
        recipient: held.user,
        conversation: held.conversation,
      });
      return;
    }
    // Caught inside: the adapter hands an error thrown by the logic to onTurnError, which would
    // apologise to the learner and resolve as if the message had been delivered.
    let failure: unknown;
    await adapter.continueConversationAsync(appId, reference as Partial<ConversationReference>, async (context) => {
      await context.sendActivity(text).catch((error: unknown) => {
        failure = error;
      });
    });
    if (failure !== undefined) throw failure;
  };
  const references = new ConversationReferences(review.store);
  const notices = new ReviewNotices({
    store: review.store,
    references,
    library: review.library,
    logger: logger.child({ component: 'review-notices' }),
    ...(review.noticeRetryDelaysMs ? { retryDelaysMs: review.noticeRetryDelaysMs } : {}),
    deliver,
  });
  const reminders = new AssignmentReminders({
    store: review.store,
    cohorts: new CohortStore(review.store),
    evidence: review.evidence,
    references,
    library: review.library,
    deliver,
    logger: logger.child({ component: 'assignment-reminders' }),
    ...(review.now ? { now: review.now } : {}),
  });
  const audit = new AuditLog({ store: review.store, logger: logger.child({ component: 'audit' }) });
  const erasure = new LearnerErasure({
    evidence: review.evidence,
    state: review.store,
    audit,
    holders: learnerDataHolders(review.store),
    ...(review.afterErasure ? { afterErasure: review.afterErasure } : {}),
  });
  mountReview(
    server,
    { ...review, notifier: notices, erasure, audit },
    { logger, addressOf: (req) => clientAddress(req, limits.trustedProxyHops) },
  );
  mountLearnerDataRoute(server, {
    links: new DataCopyLinks(review.store),
    evidence: review.evidence,
    reviews: new KeyValueReviewStore(review.store),
    state: review.store,
    audit,
    ...(review.retentionDays ? { retentionDays: review.retentionDays } : {}),
    ...(review.stateExpiryDays ? { unfinishedRehearsalDays: review.stateExpiryDays } : {}),
    ...(review.abandonedAfterDays ? { abandonedAfterDays: review.abandonedAfterDays } : {}),
  });
  const retention = review.retentionDays
    ? new Retention({
        evidence: review.evidence,
        state: review.store,
        erasure,
        audit,
        retentionDays: review.retentionDays,
        logger: logger.child({ component: 'retention' }),
      })
    : undefined;
  return { server, adapter, notices, reminders, ...(retention ? { retention } : {}) };
}
