/** `servicesim teams-package` (`npm run package:teams`): the Teams app zip, from the settings. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildTeamsAppPackage } from '../../bot/teams-app-package.ts';
import { readSettings } from '../settings.ts';
import { UsageError } from '../usage-error.ts';

export async function teamsPackage(options: { out: string }): Promise<void> {
  const settings = readSettings();
  if (!settings.MicrosoftAppId) throw new UsageError('set MicrosoftAppId to the Azure Bot\'s app id (see README, "Microsoft Teams")');
  let zip: Buffer;
  try {
    zip = await buildTeamsAppPackage({
      MicrosoftAppId: settings.MicrosoftAppId,
      SERVICESIM_ORGANISATION: settings.SERVICESIM_ORGANISATION,
      SERVICESIM_WEBSITE_URL: settings.SERVICESIM_WEBSITE_URL,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  await mkdir(path.dirname(options.out), { recursive: true });
  await writeFile(options.out, zip);
  process.stdout.write(`Teams app package written to ${options.out}: upload it in Teams (Apps → Manage your apps → Upload an app).\n`);
}
