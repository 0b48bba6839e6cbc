/**
 * Settings read from the environment, each listed with a one-line explanation in `.env.example`.
 * Read once, here, so the engine itself never touches `process.env`.
 */
import { z } from 'zod';
import { DEFAULT_RUBRICS_DIR } from '../engine/rubric-library.ts';

/** A setting left empty, as in a copied `.env.example`, means "use the default". */
const optional = (fallback: string) => z.preprocess((v) => (v === '' ? undefined : v), z.string().default(fallback));

const SettingsSchema = z.object({
  /** The folder of rubric and scenario files; defaults to the rubrics/ shipped with ServiceSim. */
  SERVICESIM_RUBRICS: optional(DEFAULT_RUBRICS_DIR),
  /** Where transcripts and evidence are kept. */
  DATA_DIR: optional('./data'),
});

export type Settings = z.infer<typeof SettingsSchema>;

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  return SettingsSchema.parse(env);
}
