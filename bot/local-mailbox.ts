/**
 * Messages the bot sends to the local rehearsal page when the learner is not in a turn: a tutor's
 * feedback. The page has no connector service behind it (it takes each turn's replies in the HTTP
 * response), so in local anonymous mode this server stands in for one: the adapter posts a proactive
 * message to the page's serviceUrl, which is this server, and the page collects it on its next poll.
 *
 * @remarks
 * Only in local anonymous mode, which listens on loopback only and posts only to loopback service
 * URLs. Messages wait in the shared store (a week at most), so one posted while the page is closed
 * is shown when the learner opens it again.
 */
import type { Logger } from 'pino';
import restify, { type Request, type Response } from 'restify';
import { randomUUID } from 'node:crypto';
import { updateDocument } from '../store/document-update.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';

const KEEP_MS = 7 * 24 * 60 * 60 * 1000;
/** At most this many messages wait for a page; a flood beyond it is refused, not kept. */
const MAX_WAITING = 50;
const MAX_ACTIVITY_BYTES = 64 * 1024;

interface Mailbox {
  activities: Array<Record<string, unknown>>;
}

const keyOf = (conversationId: string) => `local-mailbox/${conversationId}`;

/** The path the page polls for its conversation's waiting messages. */
export const MAILBOX_PATH = '/local/conversations/:conversationId/activities';

export function mountLocalMailbox(server: restify.Server, store: KeyValueStore, logger: Logger): void {
  const readJson = restify.plugins.jsonBodyParser({
    mapParams: false,
    maxBodySize: MAX_ACTIVITY_BYTES,
  } as restify.plugins.JsonBodyParserOptions);
  // Where Bot Framework's connector client posts a proactive message (with or without a reply-to id).
  const take = async (req: Request, res: Response) => {
    const conversationId = String(req.params.conversationId);
    const activity = req.body as Record<string, unknown> | undefined;
    if (!activity || typeof activity !== 'object' || Array.isArray(activity)) return void res.send(400, { error: 'not an activity' });
    const id = randomUUID();
    let kept = true;
    await updateDocument<Mailbox>(
      store,
      keyOf(conversationId),
      (mailbox) => {
        const activities = mailbox?.activities ?? [];
        kept = activities.length < MAX_WAITING;
        return kept ? { activities: [...activities, { ...activity, id }] } : undefined;
      },
      { ttlMs: KEEP_MS },
    );
    if (!kept) {
      logger.warn({ conversation: conversationId }, 'local page mailbox full; message refused');
      return void res.send(429, { error: 'too many messages waiting for this page' });
    }
    res.send(200, { id });
  };
  server.post('/v3/conversations/:conversationId/activities', ...readJson, take);
  server.post('/v3/conversations/:conversationId/activities/:replyToId', ...readJson, take);

  server.get(MAILBOX_PATH, async (req: Request, res: Response) => {
    const key = keyOf(String(req.params.conversationId));
    const item = (await store.read([key]))[key];
    const activities = (item?.value as Mailbox | undefined)?.activities ?? [];
    // Removed only if nothing arrived meanwhile; if something did, it is all given again next poll, and the page skips ids it has shown.
    if (item) await store.deleteIfUnchanged(key, item.eTag);
    res.setHeader('Cache-Control', 'no-store');
    res.send(200, { activities });
  });
}
