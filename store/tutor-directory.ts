/**
 * Who may review: tutor accounts (email, name, role), each one's password hash, the learners an
 * admin gave them, and their API tokens (hashed). One small document in the KeyValueStore, changed
 * with its eTag, so `servicesim tutor …` and every bot process sharing the store agree at once:
 * a removed tutor's sessions and tokens stop working on their next request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { updateDocument } from './document-update.ts';
import type { KeyValueStore } from './key-value-store.ts';

export const TUTOR_ROLES = ['admin', 'tutor'] as const;
export type TutorRole = (typeof TUTOR_ROLES)[number];

const ApiTokenSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  /** SHA-256 of the token's secret part: a token is 256 random bits, so a slow hash would add nothing. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  revokedAt: z.string().optional(),
});

const TutorAccountSchema = z.object({
  email: z.string(),
  name: z.string().optional(),
  role: z.enum(TUTOR_ROLES),
  /** Absent for a tutor who signs in only through the organisation's OpenID provider. */
  passwordHash: z.string().optional(),
  /** The learners (their ids, as in evidence records) this tutor reviews; an admin reviews everyone. */
  learners: z.array(z.string()).default([]),
  createdAt: z.string(),
  /**
   * The organisation account this tutor first signed in with: later sign-ins must be that account,
   * not merely one with the same email (which a provider need not keep verified or unique).
   */
  oidc: z.object({ issuer: z.string(), subject: z.string() }).optional(),
  /** When the password or role last changed: sessions begun before then no longer count. */
  credentialsChangedAt: z.string().optional(),
  tokens: z.array(ApiTokenSchema).default([]),
});

export type TutorAccount = z.infer<typeof TutorAccountSchema>;

const DirectorySchema = z.object({ tutors: z.record(z.string(), TutorAccountSchema) });
type Directory = z.infer<typeof DirectorySchema>;

const DIRECTORY_KEY = 'tutors/directory';
const TOKEN_PREFIX = 'sst_';

/** An email as accounts are keyed: trimmed and lowercased, and checked to be one. */
export function normaliseEmail(email: string): string {
  const trimmed = keyOf(email);
  if (!z.email().safeParse(trimmed).success) throw new TutorDirectoryError(`"${email}" is not an email address`);
  return trimmed;
}

/** A request the directory cannot carry out, in words for the person who made it. */
export class TutorDirectoryError extends Error {}

export class TutorDirectory {
  constructor(
    private readonly store: KeyValueStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(): Promise<TutorAccount[]> {
    return Object.values((await this.read()).tutors).sort((a, b) => a.email.localeCompare(b.email));
  }

  async get(email: string): Promise<TutorAccount | undefined> {
    return (await this.read()).tutors[keyOf(email)];
  }

  /**
   * Adds a tutor, or updates the name, role and password of one already there (keeping their
   * learners and tokens); says which. `passwordHash` undefined keeps the current one; null removes
   * it (the tutor then signs in only through the organisation's provider).
   */
  async put(account: { email: string; name?: string; role: TutorRole; passwordHash?: string | null }): Promise<'added' | 'updated'> {
    const email = normaliseEmail(account.email);
    let outcome: 'added' | 'updated' = 'added';
    await this.change((directory) => {
      const existing = directory.tutors[email];
      outcome = existing ? 'updated' : 'added';
      const passwordHash = account.passwordHash === null ? undefined : (account.passwordHash ?? existing?.passwordHash);
      directory.tutors[email] = {
        email,
        ...(account.name ? { name: account.name } : existing?.name ? { name: existing.name } : {}),
        role: account.role,
        ...(passwordHash ? { passwordHash } : {}),
        learners: existing?.learners ?? [],
        ...(existing?.oidc ? { oidc: existing.oidc } : {}),
        createdAt: existing?.createdAt ?? this.now().toISOString(),
        ...(existing && (existing.passwordHash !== passwordHash || existing.role !== account.role)
          ? { credentialsChangedAt: this.now().toISOString() }
          : existing?.credentialsChangedAt
            ? { credentialsChangedAt: existing.credentialsChangedAt }
            : {}),
        tokens: existing?.tokens ?? [],
      };
      return directory;
    });
    return outcome;
  }

  /**
   * Links the tutor to the organisation account (issuer and subject) on their first sign-in through
   * it; says whether this sign-in is that account ('linked' the first time, 'same' after) or another.
   */
  async linkOidc(email: string, issuer: string, subject: string): Promise<'linked' | 'same' | 'another'> {
    const key = keyOf(email);
    let outcome: 'linked' | 'same' | 'another' = 'another';
    await this.change((directory) => {
      const account = directory.tutors[key];
      if (!account) throw new TutorDirectoryError(`there is no tutor ${key}`);
      if (account.oidc) {
        outcome = account.oidc.issuer === issuer && account.oidc.subject === subject ? 'same' : 'another';
        return undefined;
      }
      outcome = 'linked';
      account.oidc = { issuer, subject };
      return directory;
    });
    return outcome;
  }

  /** Removes a tutor; false when there was none. Their sessions and tokens end with the account. */
  async remove(email: string): Promise<boolean> {
    const key = keyOf(email);
    let removed = false;
    await this.change((directory) => {
      removed = key in directory.tutors;
      if (!removed) return undefined;
      delete directory.tutors[key];
      return directory;
    });
    return removed;
  }

  /** Gives learners to a tutor, or takes them away; returns the tutor's learners after. */
  async changeLearners(
    email: string,
    { add = [], remove = [] }: { add?: readonly string[]; remove?: readonly string[] },
  ): Promise<string[]> {
    const key = keyOf(email);
    let learners: string[] = [];
    await this.change((directory) => {
      const account = directory.tutors[key];
      if (!account) throw new TutorDirectoryError(`there is no tutor ${key}`);
      const removed = new Set(remove);
      learners = [...new Set([...account.learners, ...add])].filter((id) => !removed.has(id));
      account.learners = learners;
      return directory;
    });
    return learners;
  }

  /** A new API token for the tutor: the whole token is returned once, here, and only its hash kept. */
  async issueToken(email: string): Promise<{ token: string; id: string }> {
    const key = keyOf(email);
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    await this.change((directory) => {
      const account = directory.tutors[key];
      if (!account) throw new TutorDirectoryError(`there is no tutor ${key}`);
      account.tokens.push({ id, hash: sha256(secret), createdAt: this.now().toISOString() });
      return directory;
    });
    return { token: `${TOKEN_PREFIX}${id}.${secret}`, id };
  }

  /** Revokes one token (by its id) or, with no id, all the tutor's tokens; returns how many were revoked. */
  async revokeTokens(email: string, tokenId?: string): Promise<number> {
    const key = keyOf(email);
    let count = 0;
    await this.change((directory) => {
      const account = directory.tutors[key];
      if (!account) throw new TutorDirectoryError(`there is no tutor ${key}`);
      count = 0;
      const at = this.now().toISOString();
      for (const token of account.tokens)
        if (!token.revokedAt && (tokenId === undefined || token.id === tokenId)) {
          token.revokedAt = at;
          count++;
        }
      return count > 0 ? directory : undefined;
    });
    return count;
  }

  /** The tutor a bearer token belongs to, if it is one of theirs and not revoked. */
  async tutorForToken(token: string): Promise<TutorAccount | undefined> {
    const match = /^sst_([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return undefined;
    const [, id, secret] = match as unknown as [string, string, string];
    const presented = Buffer.from(sha256(secret), 'hex');
    for (const account of Object.values((await this.read()).tutors))
      for (const stored of account.tokens)
        if (stored.id === id && !stored.revokedAt && timingSafeEqual(Buffer.from(stored.hash, 'hex'), presented)) return account;
    return undefined;
  }

  private async read(): Promise<Directory> {
    return parseDirectory((await this.store.read([DIRECTORY_KEY]))[DIRECTORY_KEY]?.value);
  }

  private async change(edit: (directory: Directory) => Directory | undefined): Promise<void> {
    await updateDocument<unknown>(this.store, DIRECTORY_KEY, (current) => edit(structuredClone(parseDirectory(current))));
  }
}

/** An email as accounts are keyed, without checking it is one (a lookup by anything finds nothing). */
const keyOf = (email: string) => email.trim().toLowerCase();

/**
 * The stored directory, or an empty one if there is none yet. One that does not read is refused
 * rather than read as empty: an empty directory would lock every tutor out, and a write would lose the accounts.
 */
function parseDirectory(value: unknown): Directory {
  if (value === undefined) return { tutors: {} };
  const parsed = DirectorySchema.safeParse(value);
  if (!parsed.success) throw new Error(`the tutor directory (${DIRECTORY_KEY}) does not read: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
