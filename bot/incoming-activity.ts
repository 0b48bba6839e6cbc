/**
 * What the bot accepts as an activity before the adapter is given it: the fields it needs, the
 * optional ones it reads checked for their type (a malformed one is a 400 naming it, never a stack
 * trace), and nothing nested deeper than real activities are.
 *
 * @remarks
 * The conversation, sender and recipient are copied into every reply, so they are rebuilt from
 * their known fields only: a hostile extra field there (a structure nested thousands deep, say)
 * would otherwise make every reply impossible to serialise, after the turn had been saved.
 */
import type { Activity } from 'botbuilder';
import { z } from 'zod';

const Account = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  aadObjectId: z.string().optional(),
  role: z.string().optional(),
});

const Conversation = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  isGroup: z.boolean().optional(),
  conversationType: z.string().optional(),
  tenantId: z.string().optional(),
});

const IncomingActivitySchema = z.looseObject({
  type: z.string().min(1),
  channelId: z.string().min(1),
  serviceUrl: z.string().min(1),
  conversation: Conversation,
  from: Account,
  recipient: Account,
  id: z.string().optional(),
  text: z.string().optional(),
  name: z.string().optional(),
  locale: z.string().optional(),
  deliveryMode: z.string().optional(),
  membersAdded: z.array(Account).optional(),
  membersRemoved: z.array(Account).optional(),
  entities: z.array(z.looseObject({ type: z.string() })).optional(),
  attachments: z.array(z.looseObject({ contentType: z.string() })).optional(),
  channelData: z.looseObject({}).optional(),
});

export type IncomingReading = { activity: Activity } | { problem: string };

export function readIncomingActivity(body: unknown, maxDepth: number): IncomingReading {
  const depth = depthOf(body, maxDepth);
  if (depth > maxDepth) return { problem: `body: nested more than ${maxDepth} levels deep` };
  const parsed = IncomingActivitySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { problem: `${issue.path.join('.') || 'body'}: ${issue.message}` };
  }
  return { activity: parsed.data as unknown as Activity };
}

/** How deep a parsed JSON value nests, counted without recursion, and only as far as `limit` + 1. */
function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}
