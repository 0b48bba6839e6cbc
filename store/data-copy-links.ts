/**
 * Short-lived links to a learner's copy of their data (`my data`): the bot gives the learner a link
 * with a random token, and the page behind it sends the copy. Only the token's SHA-256 is kept, with
 * the learner it stands for, for 15 minutes: a link found in a chat log later opens nothing.
 *
 * @remarks
 * A learner has one link at a time (asking again replaces it), filed under their id as well, so an
 * erasure finds and removes it. A link may be opened more than once while it lasts: a chat client
 * that fetches a link to preview it must not use it up before the learner clicks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { KeyValueStore } from './key-value-store.ts';

export const DATA_COPY_LINK_MS = 15 * 60_000;

const LinkSchema = z.object({ learnerId: z.string().min(1) });
const LearnerLinkSchema = z.object({ key: z.string() });

const keyOf = (token: string) => `data-copy-link/${createHash('sha256').update(token).digest('hex')}`;
const learnerKeyOf = (learnerId: string) => `data-copy-link-of/{${learnerId}}`;

export class DataCopyLinks {
  /** As a holder of learners' data, for their erasure (store/learner-erasure.ts). */
  readonly name = 'data copy links';

  constructor(private readonly store: KeyValueStore) {}

  /** A new token for the learner's copy, valid for `DATA_COPY_LINK_MS`; the learner's earlier link stops working. */
  async issue(learnerId: string): Promise<string> {
    await this.eraseLearner(learnerId);
    const token = randomBytes(24).toString('base64url');
    await this.store.write([
      { key: learnerKeyOf(learnerId), value: { key: keyOf(token) }, ttlMs: DATA_COPY_LINK_MS },
      { key: keyOf(token), value: { learnerId }, ttlMs: DATA_COPY_LINK_MS },
    ]);
    return token;
  }

  /** The learner a token stands for, while it lasts; undefined for one expired, unknown or malformed. */
  async learnerOf(token: string): Promise<string | undefined> {
    if (!/^[A-Za-z0-9_-]{32}$/.test(token)) return undefined;
    return LinkSchema.safeParse((await this.store.read([keyOf(token)]))[keyOf(token)]?.value).data?.learnerId;
  }

  /** Removes the learner's link, if they have one; returns how many items went. */
  async eraseLearner(learnerId: string): Promise<number> {
    const filed = (await this.store.read([learnerKeyOf(learnerId)]))[learnerKeyOf(learnerId)];
    const link = LearnerLinkSchema.safeParse(filed?.value).data?.key;
    await this.store.delete([learnerKeyOf(learnerId), ...(link ? [link] : [])]);
    return filed ? 1 : 0;
  }
}
