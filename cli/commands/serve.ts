/**
 * `servicesim serve` (what `npm start` runs): the bot at /api/messages and the local rehearsal page,
 * on embedded defaults: scenarios from rubrics/, state and evidence in files under DATA_DIR.
 */
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { createBot } from '../../bot/create-bot.ts';
import { BotConfigurationError, securityMode } from '../../bot/security-mode.ts';
import { createServer } from '../../bot/server.ts';
import { FileEvidenceStore } from '../../store/file-evidence-store.ts';
import { FileKeyValueStore } from '../../store/file-key-value-store.ts';
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
    { level: settings.LOG_LEVEL, redact: ['*.MicrosoftAppPassword', '*.authorization', '*.headers.authorization'] },
    pino.destination(2),
  );
  const library = await openScenarioLibrary(settings);
  const data = path.resolve(settings.DATA_DIR);
  const bot = createBot({ library, ...(await openFileStores(data, logger)), parts: rehearsalParts(settings) });
  const rateLimitsOff = { requestsPerClientPerSecond: 0, activitiesPerConversationPerMinute: 0, newConversationsPerClientPerMinute: 0 };
  const limits = { trustedProxyHops: settings.TRUSTED_PROXY_HOPS, ...(settings.RATE_LIMITS === 'off' ? rateLimitsOff : {}) };
  const { server } = createServer({ bot, mode, logger, limits });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, mode.host, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const local = `http://localhost:${actualPort}`;
  process.stdout.write(
    mode.kind === 'local-anonymous'
      ? `ServiceSim bot in local anonymous mode (no MicrosoftAppId set): listening on 127.0.0.1:${actualPort} only.\nRehearse in your browser at ${local}/\nBot endpoint: ${local}/api/messages\n`
      : `ServiceSim bot in authenticated mode (app ${mode.appId}): Bot Framework tokens are required.\nListening on ${mode.host}:${actualPort}; bot endpoint /api/messages.\n`,
  );
  process.stdout.write(`Evidence and state are kept under ${data}\n`);
  logger.info({ mode: mode.kind, port: actualPort, dataDir: data }, 'listening');
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * The state and evidence stores under the data folder, first cleared of the temporary files that
 * writes cut short by a crash left behind (they would otherwise pile up, unread, for ever).
 */
export async function openFileStores(data: string, logger: Logger): Promise<{ state: FileKeyValueStore; evidence: FileEvidenceStore }> {
  // A damaged or foreign file is skipped, and named in the log, never allowed to break a conversation.
  const skipped = (file: string, problem: string) => logger.warn({ file, problem }, 'skipped a damaged or foreign data file');
  const state = new FileKeyValueStore(path.join(data, 'state'), skipped);
  const evidence = new FileEvidenceStore(path.join(data, 'evidence'), skipped);
  const removed = (await state.removeOrphans()) + (await evidence.removeOrphans());
  logger.info({ removed }, 'removed temporary files left by interrupted writes');
  return { state, evidence };
}
