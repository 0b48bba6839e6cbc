/**
 * Builds the Teams app package: `appPackage/manifest.json` with the deployment's values filled in,
 * and the two icons, zipped as Teams' "Upload a custom app" expects.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';

export const APP_PACKAGE_DIR = fileURLToPath(new URL('../appPackage', import.meta.url));

export interface TeamsAppValues {
  MicrosoftAppId: string;
  SERVICESIM_ORGANISATION: string;
  SERVICESIM_WEBSITE_URL: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function buildTeamsAppPackage(values: TeamsAppValues, dir = APP_PACKAGE_DIR): Promise<Buffer> {
  if (!GUID.test(values.MicrosoftAppId))
    throw new Error(`MicrosoftAppId must be the Azure Bot's app id, a GUID; got "${values.MicrosoftAppId}"`);
  if (!/^https:\/\/\S+$/.test(values.SERVICESIM_WEBSITE_URL))
    throw new Error(`SERVICESIM_WEBSITE_URL must be an https:// address; got "${values.SERVICESIM_WEBSITE_URL}"`);
  const template = await readFile(path.join(dir, 'manifest.json'), 'utf8');
  const manifest = template.replace(/\$\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = (values as unknown as Record<string, string>)[name];
    if (value === undefined) throw new Error(`manifest.json uses ${whole}, which has no value`);
    return JSON.stringify(value).slice(1, -1).replace(/\/$/, '');
  });
  JSON.parse(manifest);
  const zip = new JSZip();
  zip.file('manifest.json', manifest);
  zip.file('color.png', await readFile(path.join(dir, 'color.png')));
  zip.file('outline.png', await readFile(path.join(dir, 'outline.png')));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}
