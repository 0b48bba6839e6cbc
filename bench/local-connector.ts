/**
 * A stand-in for the Bot Framework connector service, on loopback, for the load benchmark. A bot in
 * normal delivery mode posts each reply to `<serviceUrl>/v3/conversations/<id>/activities[/<replyToId>]`
 * during the turn; this endpoint answers them at once and keeps a small summary per conversation,
 * so the driver can check that a rehearsal really happened (the debrief card arrived) without
 * keeping every card in memory.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** What one conversation has received from the bot so far. */
export interface ConversationReplies {
  /** Every activity posted, typing indicators included. */
  activities: number;
  /** Plain messages (text, no attachment). */
  texts: number;
  /** Adaptive Cards whose first TextBlock starts with "Debrief". */
  debriefs: number;
  /** The text of the last plain message, for failure reports. */
  lastText?: string;
}

const ACTIVITY_PATH = /^\/v3\/conversations\/([^/]+)\/activities(?:\/[^/]+)?\/?$/;
const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

interface PostedActivity {
  type?: string;
  text?: string;
  attachments?: Array<{ contentType?: string; content?: { body?: Array<{ type?: string; text?: string }> } }>;
}

function isDebrief(activity: PostedActivity): boolean {
  return (activity.attachments ?? []).some((a) => {
    if (a.contentType !== ADAPTIVE_CARD) return false;
    const first = a.content?.body?.find((b) => b.type === 'TextBlock');
    return typeof first?.text === 'string' && first.text.startsWith('Debrief');
  });
}

export class LocalConnector {
  private readonly conversations = new Map<string, ConversationReplies>();
  private readonly server: Server;
  private nextId = 1;
  /** Requests the connector could not make sense of: a bot posting somewhere unexpected is a bench failure. */
  unexpected = 0;

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
    // Bots keep connections to the connector open between replies; the default 5 s would cut them mid-run.
    this.server.keepAliveTimeout = 60_000;
  }

  /** Listens on loopback, on a free port; resolves to the serviceUrl bots should be given. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    if (typeof address !== 'object' || !address) throw new Error('local connector: no address');
    return `http://127.0.0.1:${address.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** What a conversation has received so far (all zero when nothing yet). */
  repliesTo(conversationId: string): ConversationReplies {
    return this.conversations.get(conversationId) ?? { activities: 0, texts: 0, debriefs: 0 };
  }

  /** Drops a finished conversation's summary, so a long run does not grow without bound. */
  forget(conversationId: string): void {
    this.conversations.delete(conversationId);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const match = req.method === 'POST' ? ACTIVITY_PATH.exec((req.url ?? '').split('?')[0]!) : null;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (!match) {
        this.unexpected += 1;
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not a connector activity route"}');
        return;
      }
      let activity: PostedActivity;
      try {
        activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as PostedActivity;
      } catch {
        this.unexpected += 1;
        res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"error":"body is not JSON"}');
        return;
      }
      this.record(decodeURIComponent(match[1]!), activity);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: `bench-${this.nextId++}` }));
    });
  }

  private record(conversationId: string, activity: PostedActivity): void {
    let replies = this.conversations.get(conversationId);
    if (!replies) this.conversations.set(conversationId, (replies = { activities: 0, texts: 0, debriefs: 0 }));
    replies.activities += 1;
    if (isDebrief(activity)) replies.debriefs += 1;
    else if (activity.type === 'message' && typeof activity.text === 'string' && !activity.attachments?.length) {
      replies.texts += 1;
      replies.lastText = activity.text;
    }
  }
}
