/**
 * `servicesim migrate [--from <folder>]`: imports the state and evidence files of a data folder, as
 * the file stores kept them before SQLite was the default, into the configured store. Written
 * against KeyValueStore and EvidenceStore, so it imports into whichever store is configured.
 *
 * @remarks
 * Safe to run again, and while the bot runs: a state key already in the store is left as it is
 * (a create-only write), and so is an evidence record whose id is there, so a second run copies
 * nothing and never overwrites a newer turn with an older file. Nothing is dropped silently: files
 * not imported (damaged, foreign, set aside earlier) and expired items are counted and named. The
 * files are left in place for the operator to remove once they have checked the import.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import pino from 'pino';
import type { EvidenceRecord } from '../../engine/evidence-record.ts';
import type { EvidenceStore } from '../../store/evidence-store.ts';
import { readDataFolder, type DataFolderItem } from '../../store/file-data-folder.ts';
import type { KeyValueStore, WriteEntry } from '../../store/key-value-store.ts';
import { openStoresForCommand } from '../open-stores.ts';
import { readSettings, type Settings } from '../settings.ts';
import { UsageError } from '../usage-error.ts';

/** State items written per batch: one transaction (one sync to disk) each, rather than one per item. */
const STATE_BATCH = 100;

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('import the state and evidence files of a data folder (as kept before SQLite) into the configured store')
    .option('--from <folder>', 'the data folder to import (default: DATA_DIR)')
    .action(async (options: { from?: string }) => {
      const settings = readSettings();
      const from = options.from ?? settings.DATA_DIR;
      let isFolder: boolean;
      try {
        isFolder = statSync(from).isDirectory();
      } catch {
        throw new UsageError(`there is no data folder at ${from} to import from`);
      }
      if (!isFolder) throw new UsageError(`${from} is not a folder: --from takes the data folder that holds state/ and evidence/`);
      process.stdout.write(`${await importDataFolder(from, settings)}\n`);
    });
}

/**
 * Whether the bot lets this item expire: conversations and their rehearsal logs do; a learner's
 * profile (their mode, whether they were welcomed) never does (`bot/create-bot.ts`).
 */
const expires = (key: string) => !/^[^/]+\/users\//.test(key);

/** What an import did, for its report. */
interface Tally {
  stateImported: number;
  stateThere: number;
  evidenceImported: number;
  evidenceThere: number;
  skipped: { file: string; problem: string }[];
  expired: string[];
}

/** Imports the folder; returns the report to print. The store is opened only when the folder has files to import. */
async function importDataFolder(from: string, settings: Settings): Promise<string> {
  const items = readDataFolder(from);
  const first = await items.next();
  if (first.done) {
    // Pointed at the state or evidence folder itself, rather than the data folder that holds them.
    const parent = path.dirname(from);
    const tooDeep = ['state', 'evidence'].includes(path.basename(from));
    return `Nothing to import: ${from} has no state or evidence files.${tooDeep ? ` Give the data folder that holds ${path.basename(from)}/: --from ${parent}` : ''}`;
  }
  // Structured logs (a damaged row met while checking what is there) go to stderr; the report goes to stdout.
  const logger = pino({ level: settings.LOG_LEVEL }, pino.destination(2));
  const stores = await openStoresForCommand(settings, logger);
  const tally: Tally = { stateImported: 0, stateThere: 0, evidenceImported: 0, evidenceThere: 0, skipped: [], expired: [] };
  try {
    const batch: WriteEntry[] = [];
    const now = Date.now();
    // State is kept as the bot keeps it: forgotten STATE_EXPIRY_DAYS after its last write, here the file's.
    const expiryMs = settings.STATE_EXPIRY_DAYS > 0 ? settings.STATE_EXPIRY_DAYS * 24 * 60 * 60 * 1000 : undefined;
    for (let next: IteratorResult<DataFolderItem> = first; !next.done; next = await items.next()) {
      const item = next.value;
      if (item.kind === 'skipped') tally.skipped.push({ file: item.file, problem: item.problem });
      else if (item.kind === 'evidence') await importRecord(stores.evidence, item.record, tally);
      else if (expiryMs !== undefined && expires(item.key) && item.writtenAt + expiryMs <= now) tally.expired.push(item.file);
      else {
        batch.push({
          key: item.key,
          value: item.value,
          create: true,
          ...(expiryMs === undefined || !expires(item.key) ? {} : { ttlMs: Math.ceil(item.writtenAt + expiryMs - now) }),
        });
        if (batch.length >= STATE_BATCH) await writeState(stores.state, batch.splice(0), tally);
      }
    }
    await writeState(stores.state, batch, tally);
  } catch (error) {
    // Whatever was imported stays imported, and a second run skips it: say so, so the operator simply runs it again.
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${message}; ${tally.stateImported} state items and ${tally.evidenceImported} evidence records were imported before that, and running migrate again carries on from there`,
      { cause: error },
    );
  } finally {
    await stores.close();
  }
  return report(from, stores.description, tally);
}

/** Create-only writes: a key already there (the bot has moved on since the file was written) is kept as it is. */
async function writeState(state: KeyValueStore, batch: readonly WriteEntry[], tally: Tally): Promise<void> {
  if (batch.length === 0) return;
  const outcomes = await state.write(batch);
  for (const { key } of batch) {
    if (outcomes[key]?.written) tally.stateImported += 1;
    else tally.stateThere += 1;
  }
}

async function importRecord(evidence: EvidenceStore, record: EvidenceRecord, tally: Tally): Promise<void> {
  // A record already there may have gained a reflection or a review since: it is never overwritten by the file.
  if (await evidence.get(record.id)) {
    tally.evidenceThere += 1;
    return;
  }
  await evidence.save(record);
  tally.evidenceImported += 1;
}

function report(from: string, into: string, t: Tally): string {
  const counted = (n: number, thing: string) => `${n} ${thing}${n === 1 ? '' : 's'}`;
  const lines = [
    `Imported from ${from} into ${into}: ${counted(t.stateImported, 'state item')} (${t.stateThere} already there), ${counted(t.evidenceImported, 'evidence record')} (${t.evidenceThere} already there).`,
  ];
  if (t.skipped.length > 0)
    lines.push(
      `${counted(t.skipped.length, 'file')} skipped, damaged or not ServiceSim's:`,
      ...t.skipped.map((s) => `  ${s.file} (${s.problem})`),
    );
  if (t.expired.length > 0)
    lines.push(
      `${counted(t.expired.length, 'state item')} not copied, untouched for longer than STATE_EXPIRY_DAYS:`,
      ...t.expired.map((file) => `  ${file}`),
    );
  lines.push(
    `The files were left in place; remove ${path.join(from, 'state')} and ${path.join(from, 'evidence')} once you have checked the import.`,
  );
  return lines.join('\n');
}
