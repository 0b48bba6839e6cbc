/** `servicesim teams-package` (`npm run package:teams`): the Teams app zip, from the environment. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildTeamsAppPackage } from '../../bot/teams-app-package.ts';
import { UsageError } from '../usage-error.ts';

export async function teamsPackage(options: { out: string }): Promise<void> {
  const env = process.env;
  if (!env.MicrosoftAppId) throw new UsageError('set MicrosoftAppId to the Azure Bot\'s app id (see README, "Microsoft Teams")');
  let zip: Buffer;
  try {
    zip = await buildTeamsAppPackage({
      MicrosoftAppId: env.MicrosoftAppId,
      SERVICESIM_ORGANISATION: env.SERVICESIM_ORGANISATION || 'ServiceSim',
      SERVICESIM_WEBSITE_URL: env.SERVICESIM_WEBSITE_URL || 'https://github.com/servicesim/servicesim',
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  await mkdir(path.dirname(options.out), { recursive: true });
  await writeFile(options.out, zip);
  process.stdout.write(`Teams app package written to ${options.out}: upload it in Teams (Apps → Manage your apps → Upload an app).\n`);
}
