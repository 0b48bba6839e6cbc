/**
 * Opens the embedded SQLite database that the default stores keep state and evidence in: private to
 * the account that runs ServiceSim, durable before each reply is sent, and at the schema this code
 * knows, brought there by the numbered SQL files in `store/sqlite-migrations/`.
 *
 * @remarks
 * Transcripts and evidence are personal data. The folder is made 0700 and the database file
 * created (or set) 0600 before SQLite opens it, because SQLite gives the `-wal` and `-shm`
 * files it makes beside it the database file's mode; they are checked and set after opening all the
 * same, in case they were left by an older process with a looser mode.
 *
 * Also here: which SQLite faults mean "cannot read or write now", so both stores report them as
 * `StoreUnavailableError` (the bot then tells the learner their rehearsal is paused, not failed).
 */
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from './key-value-store.ts';

const PRIVATE_FOLDER = 0o700;
const PRIVATE_FILE = 0o600;

/** How long a write waits for another process's write to finish before giving up with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

const MIGRATIONS_FOLDER = path.join(import.meta.dirname, 'sqlite-migrations');
/** `001-initial.sql`: the number is the schema version it brings the database to. */
const MIGRATION_FILE = /^(\d{3})-([a-z0-9-]+)\.sql$/;

export interface SqliteOpenOptions {
  /** Where the numbered migration files are; tests point this at their own. Default: store/sqlite-migrations. */
  migrationsFolder?: string;
}

/**
 * The database at `file` (made if absent), in WAL mode with every commit synced to disk, its schema
 * migrated to the newest this code knows. Throws, naming both versions, for a database written by a
 * newer ServiceSim: an older one must not write to a schema it does not know.
 */
export function openSqliteDatabase(file: string, options: SqliteOpenOptions = {}): Database.Database {
  const migrations = readMigrations(options.migrationsFolder ?? MIGRATIONS_FOLDER);
  makePrivateFile(file);
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    // WAL needs shared memory between processes, which some network file systems do not give.
    if (mode !== 'wal')
      throw new Error(`${file}: SQLite could not use write-ahead logging (journal mode "${String(mode)}"); keep DATA_DIR on a local disk`);
    // FULL: a commit is on disk before the call returns, so a turn is never acknowledged and then lost.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // An erased learner's rows are overwritten with zeros, not left readable in the file's free pages.
    db.pragma('secure_delete = ON');
    migrate(db, file, migrations);
    for (const companion of [`${file}-wal`, `${file}-shm`]) makePrivateIfPresent(companion);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * The error to throw for a fault met while `doing` something: a StoreUnavailableError when the
 * database cannot be read or written now (disk full or failing, read-only, locked by another process
 * for too long, gone, or closed), anything else as it was. Messages name what failed, never the data.
 */
export function storeFault(error: unknown, db: Database.Database, doing: string): unknown {
  if (error instanceof StoreUnavailableError) return error;
  if (!db.open) return new StoreUnavailableError(`SQLite could not ${doing}: the database ${db.name} is closed`, error);
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof Database.SqliteError && typeof code === 'string' && UNAVAILABLE.test(code))
    return new StoreUnavailableError(`SQLite could not ${doing}: ${code} (${error.message}) in ${db.name}`, error);
  return error;
}

/** Result codes (and their extended forms) that say the storage, not the request, is at fault. */
const UNAVAILABLE = /^SQLITE_(FULL|IOERR|READONLY|BUSY|CANTOPEN)(_|$)/;

interface Migration {
  version: number;
  name: string;
  sql: string;
}

function readMigrations(folder: string): Migration[] {
  const migrations = readdirSync(folder)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => {
      const match = MIGRATION_FILE.exec(f);
      if (!match) throw new Error(`${path.join(folder, f)}: a migration is named <3-digit version>-<name>.sql, e.g. 002-add-reviews.sql`);
      return { version: Number(match[1]), name: match[2]!, sql: readFileSync(path.join(folder, f), 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  // A gap or a repeated number would apply migrations out of the order they were written in.
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`${folder}: migration versions must run 1, 2, 3… with no gap or repeat; found ${m.version} at ${i + 1}`);
  });
  return migrations;
}

/** Applies each migration not yet applied, in order, each in its own transaction with its record in schema_migrations. */
function migrate(db: Database.Database, file: string, migrations: readonly Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const currentVersion = db.prepare('SELECT coalesce(max(version), 0) FROM schema_migrations').pluck();
  const known = migrations.at(-1)?.version ?? 0;
  const version = currentVersion.get() as number;
  if (version > known)
    throw new Error(
      `${file} is at schema version ${version}, but this ServiceSim knows versions up to ${known}: it was written by a newer ServiceSim. Run that version (or newer) with it, or restore a backup made before the upgrade.`,
    );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations) {
    if (migration.version <= version) continue;
    // IMMEDIATE takes the write lock first, and the version is checked again under it: a second
    // process starting at the same moment waits, then finds the migration applied.
    db.transaction(() => {
      if ((currentVersion.get() as number) >= migration.version) return;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }).immediate();
  }
}

/**
 * The database file readable by this account only, made empty (a valid database) if absent, in a
 * folder made 0700 if this makes it. A folder that exists keeps its mode: DATA_DIR may be a folder
 * of the operator's (".", their home) whose mode is theirs; the files are what must be private.
 */
function makePrivateFile(file: string): void {
  const folder = path.dirname(path.resolve(file));
  mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER });
  // Created only if absent, and never opened otherwise: closing any descriptor of a file drops every
  // POSIX lock this process holds on it, so opening the database a second time (the lease store
  // shares the file) would silently release the first connection's locks. Another program reading
  // the database (the sqlite3 shell, a backup) would then take itself for the last connection and
  // delete the WAL under the server, which would go on writing to a file no one else can see.
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  chmodSync(file, PRIVATE_FILE);
}

function makePrivateIfPresent(file: string): void {
  try {
    if ((statSync(file).mode & 0o777) !== PRIVATE_FILE) chmodSync(file, PRIVATE_FILE);
  } catch (error) {
    // Not there (yet, or any more: another process's close may have removed its WAL): nothing to protect.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
