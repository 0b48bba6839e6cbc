/**
 * A message sent to a running bot as the local rehearsal page sends it (`deliveryMode:
 * expectReplies`, so the replies come back in the response), from the learner `learner-of-<conversation>`,
 * named Sam unless `name` says otherwise (null: no name, as the real local page sends).
 */
import { expect } from 'vitest';

export interface Reply {
  type: string;
  text?: string;
  attachments?: unknown[];
}

export async function sayAsLocalPage(
  url: string,
  conversation: string,
  text: string | undefined,
  value?: unknown,
  { name = 'Sam' }: { name?: string | null } = {},
): Promise<Reply[]> {
  const response = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      channelId: 'webchat-local',
      serviceUrl: url,
      deliveryMode: 'expectReplies',
      conversation: { id: conversation },
      from: { id: `learner-of-${conversation}`, ...(name === null ? {} : { name }) },
      recipient: { id: 'servicesim' },
      ...(text === undefined ? {} : { text }),
      ...(value === undefined ? {} : { value }),
    }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { activities: Reply[] }).activities;
}
