/**
 * What review tests need around a running bot: rehearsals held through the bot as the local page
 * holds them, tutor accounts made as `servicesim tutor add` makes them, and a signed-in session.
 */
import { expect } from 'vitest';
import { hashPassword } from '../review/password-hash.ts';
import type { KeyValueStore } from '../store/key-value-store.ts';
import { TutorDirectory, type TutorRole } from '../store/tutor-directory.ts';
import { sayAsLocalPage } from './local-page-message.ts';

/** The learner id the bot gives the local page's learner in `conversation` (see sayAsLocalPage). */
export const localLearner = (conversation: string) => `webchat-local/learner-of-${conversation}`;

/** Holds a whole rehearsal through the bot, ending it; resolves to its evidence record's id. */
export async function rehearseAsLocalPage(
  url: string,
  conversation: string,
  lines: readonly string[],
  scenario = 'faulty-washing-machine',
): Promise<string> {
  // The briefing card's "End rehearsal" button names the rehearsal, whose id its evidence record takes.
  const briefing = JSON.stringify(await sayAsLocalPage(url, conversation, `start ${scenario}`));
  const id = /\\?"rehearsalId\\?":\\?"([0-9a-f-]{36})/.exec(briefing)?.[1];
  expect(id, 'the briefing card names the rehearsal').toBeDefined();
  for (const line of lines) await sayAsLocalPage(url, conversation, line);
  expect(JSON.stringify(await sayAsLocalPage(url, conversation, 'end'))).toContain('Debrief');
  return id!;
}

export const PASSWORD = 'a long tutor passphrase';

/** A tutor account (password PASSWORD) and an API token for it. */
export async function addTutor(
  state: KeyValueStore,
  email: string,
  { role = 'tutor', learners = [], name }: { role?: TutorRole; learners?: string[]; name?: string } = {},
): Promise<{ token: string }> {
  const directory = new TutorDirectory(state);
  await directory.put({ email, role, passwordHash: await hashPassword(PASSWORD), ...(name ? { name } : {}) });
  if (learners.length > 0) await directory.changeLearners(email, { add: learners });
  return { token: (await directory.issueToken(email)).token };
}

/** Signs in through the sign-in form as a browser would; the session cookie and the session's CSRF token. */
export async function signIn(url: string, email: string, password = PASSWORD): Promise<{ cookie: string; csrf: string }> {
  const form = await fetch(`${url}/review/sign-in`);
  const preSession = form.headers.getSetCookie()[0]!.split(';')[0]!;
  const formCsrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const response = await fetch(`${url}/review/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: preSession, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password, _csrf: formCsrf, next: '/review' }),
  });
  expect(response.status).toBe(303);
  const cookie = response.headers
    .getSetCookie()
    .find((c) => c.startsWith('servicesim-review='))!
    .split(';')[0]!;
  const inbox = await fetch(`${url}/review`, { headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await inbox.text())![1]!;
  return { cookie, csrf };
}
