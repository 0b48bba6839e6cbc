/**
 * The HTTP host: restify serving the bot at /api/messages (Teams and the local page), the local
 * rehearsal page at /, Web Chat's bundle from node_modules, and a health check.
 */
import { randomUUID } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { CloudAdapter, type TurnContext } from 'botbuilder';
import restify from 'restify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ServiceSimBot } from './servicesim-bot.ts';
import { REHEARSAL_PAGE, WEBCHAT_BUNDLE } from './rehearsal-page.ts';
import { ReusedConnectorClients } from './reused-connector-clients.ts';
import { isLoopbackUrl, type SecurityMode } from './security-mode.ts';
import { typingIndicator } from './typing-indicator.ts';

/** Large enough that an over-long learner message reaches the bot and gets a polite answer. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** The least an activity needs before the adapter is given it; anything else is a 400 with a reason. */
const IncomingActivitySchema = z.object({
  type: z.string().min(1),
  channelId: z.string().min(1),
  serviceUrl: z.string().min(1),
  conversation: z.object({ id: z.string().min(1) }),
  from: z.object({ id: z.string().min(1) }),
  recipient: z.object({ id: z.string().min(1) }),
  text: z.string().optional(),
  membersAdded: z.array(z.object({ id: z.string() })).optional(),
});

const LOOPBACK_HOST = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d+)?$/;

/**
 * In local anonymous mode the Host header must name this machine (no DNS rebinding), and a
 * browser's Origin, when there is one, must be a page on this machine (no other web site).
 */
function fromThisMachine(host: string | undefined, origin: string | undefined): boolean {
  if (!host || !LOOPBACK_HOST.test(host)) return false;
  if (origin === undefined) return true;
  try {
    return LOOPBACK_HOST.test(new URL(origin).host);
  } catch {
    return false;
  }
}

export interface ServerParts {
  bot: ServiceSimBot;
  mode: SecurityMode;
  logger: Logger;
  /** The Web Chat bundle served at /webchat.js; defaults to the one in node_modules. A test points it elsewhere. */
  webchatBundle?: string;
}

export function createServer({ bot, mode, logger, webchatBundle = WEBCHAT_BUNDLE }: ServerParts): {
  server: restify.Server;
  adapter: CloudAdapter;
} {
  const adapter = new CloudAdapter(new ReusedConnectorClients(mode.auth));
  adapter.use(typingIndicator());
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    // The learner sees an apology and a reference; the details go to the log, never to the chat.
    // Only the error itself is logged: botbuilder attaches the dialog stack, which holds transcripts.
    const reference = randomUUID().slice(0, 8);
    logger.error(
      {
        err: { name: error.name, message: error.message, stack: error.stack },
        reference,
        conversation: context.activity.conversation?.id,
        activityType: context.activity.type,
      },
      'turn failed',
    );
    try {
      await context.sendActivity(
        `Sorry, something went wrong on our side. Please send that again, or type **end** to finish and get your debrief. (Reference ${reference})`,
      );
    } catch (sendError) {
      // If even the apology cannot be delivered, the caller gets a bare 200 rather than our error text.
      logger.error({ err: { name: (sendError as Error).name, message: (sendError as Error).message }, reference }, 'apology not delivered');
    }
  };

  const server = restify.createServer({ name: 'servicesim', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false }));

  server.post('/api/messages', async (req, res) => {
    // Bot Framework activities are JSON. A form post is what another web site could make a browser send.
    if (!req.is('application/json')) {
      res.send(415, { error: 'send the activity as application/json' });
      return;
    }
    if (mode.kind === 'local-anonymous' && !fromThisMachine(req.headers.host, req.headers.origin)) {
      res.send(403, { error: 'local anonymous mode answers only pages and clients on this machine' });
      return;
    }
    const checked = IncomingActivitySchema.safeParse(req.body);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      res.send(400, { error: `not a Bot Framework activity: ${issue.path.join('.') || 'body'}: ${issue.message}` });
      return;
    }
    if (mode.kind === 'local-anonymous' && !isLoopbackUrl(checked.data.serviceUrl)) {
      res.send(403, { error: 'local anonymous mode answers only activities whose serviceUrl is on this machine' });
      return;
    }
    await adapter.process(req, res, (context) => bot.run(context));
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
  server.get('/healthz', async (_req, res) => {
    res.send(200, { ok: true, mode: mode.kind });
  });
  return { server, adapter };
}
