/**
 * Messages for the local rehearsal page sent while the learner is not in a turn: a tutor's
 * feedback. The page has no connector service behind it (it takes each turn's replies in the HTTP
 * response), so such a message waits in the shared store, and the page collects it on its next poll.
 *
 * @remarks
 * Only in local anonymous mode, which listens on loopback only; the pickup, like the bot endpoint,
 * answers only a Host (and browser Origin) on this machine, so no other web site can read it.
 * Reading changes nothing: the page remembers which messages it has shown, so a poll whose answer
 * is lost loses no message. Messages wait a week from the latest, at most 50 per conversation; a
 * learner who never opens the page again still sees the review in `history`.
 */
import type { Logger } from 'pino';
import type restify from 'restify';
import type { Request, Response } from 'restify';
import { updateDocument } from '../store/document-update.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import { fromThisMachine } from './request-guard.ts';

const KEEP_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_WAITING = 50;

interface Waiting {
  activities: Array<Record<string, unknown>>;
}

const keyOf = (conversationId: string) => `local-mailbox/{${conversationId}}`;

export class LocalMailbox {
  constructor(private readonly store: KeyValueStore) {}

  /**
   * Leaves a message for the page, under the sender's id: the same message posted again (a retried
   * delivery) is left once. The oldest gives way when 50 are waiting.
   */
  async post(conversationId: string, id: string, activity: Record<string, unknown>): Promise<void> {
    const message = { ...activity, id, timestamp: new Date().toISOString() };
    await updateDocument<Waiting>(
      this.store,
      keyOf(conversationId),
      (waiting) =>
        waiting?.activities.some((a) => a.id === id)
          ? undefined
          : { activities: [...(waiting?.activities ?? []), message].slice(-MAX_WAITING) },
      { ttlMs: KEEP_MS },
    );
  }

  async waiting(conversationId: string): Promise<Array<Record<string, unknown>>> {
    return ((await this.store.read([keyOf(conversationId)]))[keyOf(conversationId)]?.value as Waiting | undefined)?.activities ?? [];
  }
}

export function mountLocalMailbox(server: restify.Server, mailbox: LocalMailbox, logger: Logger): void {
  server.get('/local/conversations/:conversationId/activities', async (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    if (!fromThisMachine(req.headers.host, req.headers.origin)) return void res.send(403, { error: 'only pages on this machine' });
    try {
      res.send(200, { activities: await mailbox.waiting(String(req.params.conversationId)) });
    } catch (error) {
      logger.warn({ err: { name: (error as Error).name } }, 'local page messages not read');
      res.send(503, { error: 'messages cannot be read just now' });
    }
  });
}
