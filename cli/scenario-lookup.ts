/** Finds a scenario by id in the library, or loads one from a path to its YAML file. */
import { existsSync } from 'node:fs';
import { formatProblem } from '../engine/problem.ts';
import { loadLibrary, openLibrary, type Library } from '../engine/rubric-library.ts';
import type { Scenario } from '../engine/scenario-schema.ts';
import { scorableDimensions } from './rehearsal-parts.ts';
import { readSettings, type Settings } from './settings.ts';
import { UsageError } from './usage-error.ts';

/** The library as the chosen scorer can play it: a scenario naming a dimension it cannot judge is left out, and said so. */
export async function openScenarioLibrary(settings: Settings = readSettings()): Promise<Library> {
  return openLibrary([settings.SERVICESIM_RUBRICS], (p) => process.stderr.write(`skipped: ${formatProblem(p)}\n`), {
    scorable: scorableDimensions(),
  });
}

export async function findScenario(idOrPath: string, library?: Library): Promise<Scenario> {
  if (/\.ya?ml$/.test(idOrPath)) {
    if (!existsSync(idOrPath)) throw new UsageError(`no scenario file at ${idOrPath}`);
    const loaded = await loadLibrary([idOrPath], { scorable: scorableDimensions() });
    if (loaded.problems.length > 0)
      throw new UsageError(`the scenario file has problems (run servicesim validate ${idOrPath}): ${formatProblem(loaded.problems[0]!)}`);
    const scenario = loaded.scenarios[0];
    if (!scenario) throw new UsageError(`${idOrPath} is not a scenario file`);
    return scenario;
  }
  const lib = library ?? (await openScenarioLibrary());
  const scenario = lib.scenarios.find((s) => s.id === idOrPath);
  if (!scenario) throw new UsageError(`unknown scenario "${idOrPath}" (servicesim scenarios lists them)`);
  return scenario;
}
