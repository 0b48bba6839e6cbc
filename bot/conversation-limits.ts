/**
 * Limits per conversation, checked once an activity is read (and, with an app id, authenticated):
 * how many activities a conversation may send a minute, and how many new conversations one client
 * may open a minute, since each costs state on disk.
 *
 * @remarks
 * A learner who sends too fast in a rehearsal is told so, once a minute, in the conversation
 * itself, rather than met with silence; further activities in that minute get a bare 429.
 */
import type { Activity } from 'botbuilder';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { HttpLimits } from './http-limits.ts';

export type Admission = 'admitted' | 'slow-down' | 'limited';

/** Conversations remembered as already seen, so only a new one counts against its client's cap. */
const REMEMBERED_CONVERSATIONS = 50_000;

export const SLOW_DOWN_TEXT = 'You are sending messages faster than I can take them in. Wait a few seconds, then send your reply again.';

export class ConversationLimits {
  private readonly perConversation?: RateLimiterMemory;
  private readonly toldToSlowDown = new RateLimiterMemory({ points: 1, duration: 60 });
  private readonly newPerClient?: RateLimiterMemory;
  private readonly seen = new Set<string>();

  constructor(limits: HttpLimits) {
    if (limits.activitiesPerConversationPerMinute > 0)
      this.perConversation = new RateLimiterMemory({ points: limits.activitiesPerConversationPerMinute, duration: 60 });
    if (limits.newConversationsPerClientPerMinute > 0)
      this.newPerClient = new RateLimiterMemory({ points: limits.newConversationsPerClientPerMinute, duration: 60 });
  }

  /** `client` is whoever the cap on new conversations counts: an address locally, the sender in Teams. */
  async admit(activity: Activity, client: string): Promise<Admission> {
    const conversation = `${activity.channelId}/${activity.conversation.id}`;
    if (!this.seen.has(conversation)) {
      if (this.newPerClient && !(await allowed(this.newPerClient, client))) return 'limited';
      this.remember(conversation);
    }
    if (!this.perConversation || (await allowed(this.perConversation, conversation))) return 'admitted';
    return (await allowed(this.toldToSlowDown, conversation)) ? 'slow-down' : 'limited';
  }

  private remember(conversation: string): void {
    if (this.seen.size >= REMEMBERED_CONVERSATIONS) this.seen.delete(this.seen.values().next().value!);
    this.seen.add(conversation);
  }
}

async function allowed(limiter: RateLimiterMemory, key: string): Promise<boolean> {
  try {
    await limiter.consume(key);
    return true;
  } catch (error) {
    if (error instanceof RateLimiterRes) return false;
    throw error;
  }
}
