/**
 * Tutors' passwords, kept only as a slow, salted scrypt hash (Node's own, from OpenSSL). The
 * parameters are stored with each hash, so they can be raised later without locking anyone out.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** About 50–100 ms and 32 MiB per hash on a small server: slow for a guesser, unnoticed by a tutor signing in. */
const COST = { N: 2 ** 15, r: 8, p: 1 };
const KEY_BYTES = 32;
/** Passwords longer than this are refused before hashing: a 1 MB "password" must not cost the server. */
export const MAX_PASSWORD_CHARS = 1024;
export const MIN_PASSWORD_CHARS = 12;

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

/** A new password's hash, as `scrypt$N$r$p$salt$key` (base64). */
export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_CHARS) throw new RangeError(`a password needs at least ${MIN_PASSWORD_CHARS} characters`);
  if (password.length > MAX_PASSWORD_CHARS) throw new RangeError(`a password may have at most ${MAX_PASSWORD_CHARS} characters`);
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Whether the password is the one hashed; false (never an error) for a hash that does not read. */
export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_CHARS) return false;
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (![cost.N, cost.r, cost.p].every(Number.isSafeInteger)) return false;
  const expected = Buffer.from(key, 'base64');
  const derived = await derive(password, Buffer.from(salt, 'base64'), cost).catch(() => undefined);
  return derived !== undefined && derived.length === expected.length && timingSafeEqual(derived, expected);
}

/**
 * A hash of a password no one has, checked when the email names no tutor, so a wrong email takes
 * as long as a wrong password and sign-in cannot be used to find out who has an account.
 */
let decoy: Promise<string> | undefined;
export async function spendAsLongAsACheck(password: string): Promise<void> {
  decoy ??= hashPassword(randomBytes(24).toString('base64'));
  await passwordMatches(password, await decoy);
}
