/**
 * Signed-in tutors' sessions: a random id in an HttpOnly cookie, and, in the shared store, under a
 * hash of that id, who signed in, how, and the session's CSRF token. A stolen copy of the store
 * therefore holds no usable session id. Sessions last a working day and end at sign-out.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { KeyValueStore } from '../store/key-value-store.ts';

export const SESSION_MS = 8 * 60 * 60 * 1000;

const SessionSchema = z.object({
  email: z.string(),
  /** Sent back in every form (and in X-CSRF-Token by scripts using the session) and compared. */
  csrf: z.string(),
  via: z.enum(['password', 'oidc']),
  createdAt: z.string(),
});
export type TutorSession = z.infer<typeof SessionSchema>;

const keyOf = (sessionId: string) => `tutor-session/${createHash('sha256').update(sessionId).digest('hex')}`;

export class TutorSessions {
  constructor(
    private readonly store: KeyValueStore,
    readonly lifetimeMs: number = SESSION_MS,
  ) {}

  /** A new session; the id goes in the cookie, and nowhere else. */
  async start(email: string, via: TutorSession['via']): Promise<{ id: string; session: TutorSession }> {
    const id = randomBytes(32).toString('base64url');
    const session: TutorSession = { email, csrf: randomBytes(24).toString('base64url'), via, createdAt: new Date().toISOString() };
    await this.store.write([{ key: keyOf(id), value: session, create: true, ttlMs: this.lifetimeMs }]);
    return { id, session };
  }

  /** The session, while it lasts; undefined for an unknown, ended or damaged one. */
  async find(id: string | undefined): Promise<TutorSession | undefined> {
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const item = (await this.store.read([keyOf(id)]))[keyOf(id)];
    const parsed = SessionSchema.safeParse(item?.value);
    return parsed.success ? parsed.data : undefined;
  }

  async end(id: string | undefined): Promise<void> {
    if (id) await this.store.delete([keyOf(id)]);
  }
}
