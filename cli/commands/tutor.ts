/**
 * `servicesim tutor add|list|remove|token|revoke|learners`: tutor accounts, kept in the configured
 * store (SQLite under DATA_DIR, or Redis), so a running bot sees a change on the tutor's next request.
 *
 * @remarks
 * A password is prompted for without echo on a terminal, or read from the first line of standard
 * input when that is a pipe (for scripts): never from an argument, where `ps` and shell history
 * would keep it. Only its scrypt hash is stored. An API token is printed once and only its hash kept.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import pino from 'pino';
import { hashPassword, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS } from '../../review/password-hash.ts';
import { TUTOR_ROLES, TutorDirectory, TutorDirectoryError, normaliseEmail, type TutorRole } from '../../store/tutor-directory.ts';
import { openStoresForCommand, type OpenStores } from '../open-stores.ts';
import { readSettings } from '../settings.ts';
import { UsageError } from '../usage-error.ts';

export function registerTutorCommand(program: Command): void {
  const tutor = program.command('tutor').description('manage tutor accounts for the review pages (/review) and API');
  tutor
    .command('add <email>')
    .description('add a tutor, or change the name, role or password of one already added')
    .option('--name <name>', "the tutor's name, as learners see it")
    .option('--admin', 'an admin: reviews every learner (the same as --role admin)')
    .option('--role <role>', 'admin or tutor; a tutor already added keeps their role unless this (or --admin) is given')
    .option('--no-password', 'no password: the tutor signs in only through the organisation (OIDC_ISSUER)')
    .action(async (email: string, options: { name?: string; admin?: boolean; role?: string; password: boolean }) =>
      withDirectory(async (directory) => {
        const address = checkedEmail(email);
        if (options.role !== undefined && !(TUTOR_ROLES as readonly string[]).includes(options.role))
          throw new UsageError(`--role must be ${TUTOR_ROLES.join(' or ')}, not "${options.role}"`);
        // Changing a name or password never demotes an admin by accident.
        const role = options.admin ? 'admin' : ((options.role as TutorRole | undefined) ?? (await directory.get(address))?.role ?? 'tutor');
        // --no-password removes a password set before, so the option means what it says.
        const passwordHash = options.password ? await hashPassword(await readPassword()).catch(toUsageError) : null;
        const outcome = await directory.put({
          email: address,
          role,
          ...(options.name ? { name: options.name } : {}),
          passwordHash,
        });
        return `${outcome === 'added' ? 'Added' : 'Updated'} ${role} ${address}.`;
      }),
    );
  tutor
    .command('list')
    .description('list the tutors, their roles and how many learners each reviews')
    .action(async () =>
      withDirectory(async (directory) => {
        const tutors = await directory.list();
        if (tutors.length === 0) return 'No tutors yet. Add one with: npx servicesim tutor add <email> --admin';
        return tutors
          .map((t) => {
            const tokens = t.tokens.filter((k) => !k.revokedAt).length;
            const reach = t.role === 'admin' ? 'every learner' : `${t.learners.length} learner${t.learners.length === 1 ? '' : 's'}`;
            return `${t.email}\t${t.role}\t${t.name ?? ''}\t${reach}\t${t.passwordHash ? 'password' : 'organisation sign-in only'}\t${tokens} API token${tokens === 1 ? '' : 's'}`;
          })
          .join('\n');
      }),
    );
  tutor
    .command('remove <email>')
    .description('remove a tutor: their sessions and API tokens stop working at once')
    .action(async (email: string) =>
      withDirectory(async (directory) => {
        if (!(await directory.remove(email))) throw new UsageError(`there is no tutor ${email}`);
        return `Removed ${email.trim().toLowerCase()}.`;
      }),
    );
  tutor
    .command('token <email>')
    .description('print a new API token for the tutor (for Authorization: Bearer); it is shown only once')
    .action(async (email: string) => withDirectory(async (directory) => (await directory.issueToken(email)).token));
  tutor
    .command('revoke <email>')
    .description("revoke the tutor's API tokens (all of them, or one with --token)")
    .option('--token <id>', 'the id of one token: the 16 characters after "sst_"')
    .action(async (email: string, options: { token?: string }) =>
      withDirectory(async (directory) => {
        const count = await directory.revokeTokens(email, options.token);
        return `Revoked ${count} token${count === 1 ? '' : 's'}.`;
      }),
    );
  tutor
    .command('learners <email>')
    .description('list, give or take away the learners a tutor reviews (learner ids as the review pages show them)')
    .option('--add <id...>', 'learner ids to give the tutor')
    .option('--remove <id...>', 'learner ids to take away')
    .action(async (email: string, options: { add?: string[]; remove?: string[] }) =>
      withDirectory(async (directory, stores) => {
        const learners = await directory.changeLearners(email, { add: options.add ?? [], remove: options.remove ?? [] });
        // A typo here would silently show the tutor nothing: an id with no rehearsals yet is pointed out.
        for (const id of options.add ?? [])
          if ((await stores.evidence.list({ learnerIds: [id], limit: 1 })).total === 0)
            process.stderr.write(
              `Note: no rehearsals from learner "${id}" yet. Learner ids look like webchat-local/learner-… (the local page) or <tenant id>/<Azure AD object id> (Teams), as the review pages show them.\n`,
            );
        return learners.length === 0 ? `${email.trim().toLowerCase()} reviews no learners yet.` : learners.join('\n');
      }),
    );
}

async function withDirectory(work: (directory: TutorDirectory, stores: OpenStores) => Promise<string>): Promise<void> {
  const settings = readSettings();
  // Store warnings (no append-only file, say) are for `serve`; here only errors matter.
  const stores = await openStoresForCommand(settings, pino({ level: 'silent' }));
  try {
    process.stdout.write(`${await work(new TutorDirectory(stores.state), stores).catch(toUsageError)}\n`);
    // Which store: a tutor added to another folder's database than the running bot's cannot sign in there.
    process.stderr.write(`(tutors kept in ${stores.description})\n`);
  } finally {
    await stores.close();
  }
}

function checkedEmail(email: string): string {
  try {
    return normaliseEmail(email);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function toUsageError(error: unknown): never {
  if (error instanceof TutorDirectoryError || error instanceof RangeError) throw new UsageError(error.message);
  throw error;
}

/** The password: typed twice without echo on a terminal, or the first line of a pipe. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      lines.close();
      return line.slice(0, MAX_PASSWORD_CHARS + 1);
    }
    throw new UsageError('no password on standard input: pipe one line, or run in a terminal to be asked');
  }
  const first = await ask(`Password (at least ${MIN_PASSWORD_CHARS} characters): `);
  const second = await ask('The same password again: ');
  if (first !== second) throw new UsageError('the two passwords differ; nothing was changed');
  return first;
}

function ask(question: string): Promise<string> {
  process.stdout.write(question);
  // The typed characters go nowhere: only the question is shown.
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: silent, terminal: true });
  return new Promise((resolve) =>
    rl.question('', (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    }),
  );
}
