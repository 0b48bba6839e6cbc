/**
 * `servicesim serve` (what `npm start` runs): the bot at /api/messages and the local rehearsal page,
 * on embedded defaults: scenarios from rubrics/, state and evidence in SQLite under DATA_DIR (or
 * Redis when REDIS_URL is set).
 */
import { hasPrices } from '../../engine/model-cost.ts';
import pino from 'pino';
import { createBot } from '../../bot/create-bot.ts';
import { BotConfigurationError, securityMode } from '../../bot/security-mode.ts';
import { createServer } from '../../bot/server.ts';
import { lazyOidcSignIn } from '../../review/oidc-sign-in.ts';
import { CohortStore } from '../../store/cohort-store.ts';
import { LrsForwarding } from '../../store/lrs-forwarding.ts';
import { XapiOutbox } from '../../store/xapi-outbox.ts';
import { openStoresForCommand } from '../open-stores.ts';
import { rehearsalParts } from '../rehearsal-parts.ts';
import { openScenarioLibrary } from '../scenario-lookup.ts';
import { readSettings } from '../settings.ts';
import { UsageError } from '../usage-error.ts';

export async function serve(options: { port?: string }): Promise<void> {
  const settings = readSettings();
  const port = options.port === undefined ? settings.PORT : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not "${options.port}"`);
  let mode;
  try {
    mode = securityMode(settings, settings.NODE_ENV, settings.HOST);
  } catch (error) {
    if (error instanceof BotConfigurationError) throw new UsageError(error.message);
    throw error;
  }
  // Structured logs go to stderr, so what is printed for people stays readable on stdout.
  const logger = pino(
    {
      level: settings.LOG_LEVEL,
      redact: ['*.MicrosoftAppPassword', '*.XAPI_PASSWORD', '*.authorization', '*.headers.authorization'],
    },
    pino.destination(2),
  );
  const library = await openScenarioLibrary(settings);
  const stores = await openStoresForCommand(settings, logger, { upgrade: true });
  const stateExpiryMs = settings.STATE_EXPIRY_DAYS > 0 ? settings.STATE_EXPIRY_DAYS * 24 * 60 * 60 * 1000 : undefined;
  const publicUrl = (settings.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  /** Where the server listens, once it does (the port may have been chosen by the system). */
  let listeningAt = publicUrl;
  // With a learning record store, every rehearsal and review is queued for it as it is saved.
  const outbox = settings.XAPI_ENDPOINT
    ? new XapiOutbox({
        store: stores.state,
        lrs: {
          endpoint: settings.XAPI_ENDPOINT,
          ...(settings.XAPI_USERNAME ? { username: settings.XAPI_USERNAME } : {}),
          ...(settings.XAPI_PASSWORD ? { password: settings.XAPI_PASSWORD } : {}),
        },
        logger: logger.child({ component: 'xapi-outbox' }),
      })
    : undefined;
  const cohorts = new CohortStore(stores.state);
  const dimensionNames = Object.fromEntries(library.dimensions.map((d) => [d.id, d.name]));
  const lrs = outbox
    ? new LrsForwarding({
        outbox,
        logger: logger.child({ component: 'xapi-outbox' }),
        optionsFor: async (record) => {
          const theirs = await cohorts.cohortsOf(record.learner.id);
          return { homePage: publicUrl, dimensionNames, cohorts: theirs.map((c) => ({ id: c.id, name: c.name })) };
        },
      })
    : undefined;
  const evidence = lrs ? lrs.evidence(stores.evidence) : stores.evidence;
  const parts = await rehearsalParts(settings, library, logger.child({ component: 'model' }));
  const bot = createBot({
    library,
    state: stores.state,
    evidence,
    leases: stores.leases,
    parts,
    stateExpiryMs,
    retentionDays: settings.RETENTION_DAYS,
    abandoned: {
      ...(settings.ABANDONED_AFTER_DAYS > 0 ? { afterMs: settings.ABANDONED_AFTER_DAYS * 24 * 60 * 60 * 1000 } : {}),
      logger: logger.child({ component: 'abandoned-rehearsals' }),
    },
    // Links to a learner's copy of their data: Teams needs the server's public address; the local page the address it listens at.
    ...(settings.PUBLIC_URL
      ? { dataCopyBaseUrl: publicUrl }
      : mode.kind === 'local-anonymous'
        ? { dataCopyBaseUrl: () => listeningAt }
        : {}),
  });
  const rateLimitsOff = { requestsPerClientPerSecond: 0, activitiesPerConversationPerMinute: 0, newConversationsPerClientPerMinute: 0 };
  const limits = { trustedProxyHops: settings.TRUSTED_PROXY_HOPS, ...(settings.RATE_LIMITS === 'off' ? rateLimitsOff : {}) };
  if (settings.OIDC_ISSUER && !settings.OIDC_CLIENT_ID)
    throw new UsageError('OIDC_ISSUER is set but OIDC_CLIENT_ID is not: set both (see .env.example)');
  const redirectUri = `${publicUrl}/review/sign-in/oidc/callback`;
  const oidc = settings.OIDC_ISSUER
    ? {
        redirectUri,
        signIn: lazyOidcSignIn({
          issuer: settings.OIDC_ISSUER,
          clientId: settings.OIDC_CLIENT_ID,
          ...(settings.OIDC_CLIENT_SECRET ? { clientSecret: settings.OIDC_CLIENT_SECRET } : {}),
          redirectUri,
          providerName: settings.OIDC_PROVIDER_NAME,
        }),
      }
    : undefined;
  const review = {
    library,
    evidence,
    store: stores.state,
    siteUrl: publicUrl,
    retentionDays: settings.RETENTION_DAYS,
    stateExpiryDays: settings.STATE_EXPIRY_DAYS,
    abandonedAfterDays: settings.ABANDONED_AFTER_DAYS,
    afterErasure: () => stores.afterErasure(),
    ...(lrs ? { lrs } : {}),
    secureCookies: settings.PUBLIC_URL ? publicUrl.startsWith('https:') : mode.kind === 'authenticated',
    ...(oidc ? { oidc } : {}),
  };
  const { server, notices, reminders, retention } = createServer({ bot, mode, logger, limits, storeReachable: stores.reachable, review });
  notices?.start();
  reminders?.start();
  outbox?.start();
  retention?.start();
  bot.abandoned?.start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, mode.host, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const local = `http://localhost:${actualPort}`;
  listeningAt = local;
  process.stdout.write(
    mode.kind === 'local-anonymous'
      ? `ServiceSim bot in local anonymous mode (no MicrosoftAppId set): listening on 127.0.0.1:${actualPort} only.\nRehearse in your browser at ${local}/\nBot endpoint: ${local}/api/messages\n`
      : `ServiceSim bot in authenticated mode (app ${mode.appId}): Bot Framework tokens are required.\nListening on ${mode.host}:${actualPort}; bot endpoint /api/messages.\n`,
  );
  process.stdout.write(`Evidence and state are kept in ${stores.description}\n`);
  process.stdout.write(
    `Tutors review rehearsals at ${publicUrl}/review (${oidc ? `signing in through ${settings.OIDC_PROVIDER_NAME}` : 'add one with: npx servicesim tutor add <email> --admin, with the same DATA_DIR or REDIS_URL'})\n`,
  );
  if (parts.models)
    process.stdout.write(
      `The customer: ${settings.CUSTOMER_MODE === 'llm' ? `a model (${settings.CUSTOMER_MODEL})` : 'scripted'}; the scorer: ${settings.JUDGE_MODE === 'rules' ? 'the rules' : `${settings.JUDGE_MODE} (${settings.JUDGE_MODEL})`}; through ${settings.AZURE_OPENAI_ENDPOINT ? `Azure OpenAI at ${new URL(settings.AZURE_OPENAI_ENDPOINT).origin}` : settings.OPENAI_BASE_URL ? withoutCredentials(settings.OPENAI_BASE_URL) : 'OpenAI'}. Learners' words are sent there; they are told so before their first rehearsal. A failed call is logged, and the scripted customer or the rules step in.\n`,
    );
  // Only where calls cost money: a local server (OPENAI_BASE_URL without Azure) is free, and the cap means nothing there.
  const paid = !settings.OPENAI_BASE_URL || settings.AZURE_OPENAI_ENDPOINT !== undefined;
  if (parts.models && paid && settings.LLM_SPENDING_CAP > 0 && !hasPrices(parts.models.prices))
    process.stdout.write('Warning: LLM_SPENDING_CAP is set but no LLM_PRICE_*: every call counts as free, so the cap never stops one.\n');
  for (const warning of stores.warnings) process.stdout.write(`Warning: ${warning}\n`);
  logger.info({ mode: mode.kind, port: actualPort, store: stores.description }, 'listening');
  // Turns in progress finish (server.close waits for them), then the store is closed cleanly.
  const stop = () => server.close(() => void stores.close().finally(() => process.exit(0)));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** An endpoint as it may be shown: a user name or password in the URL is left out. */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}
