/**
 * `servicesim validate [paths…]`: checks rubric and scenario files and reports every problem as
 * `file:line:column: path: what is wrong — how to fix`. Exit 0 when all are valid, 1 otherwise.
 */
import type { Command } from 'commander';
import { formatProblem } from '../../engine/problem.ts';
import { loadLibrary } from '../../engine/rubric-library.ts';
import { scorableDimensions } from '../rehearsal-parts.ts';
import { readSettings } from '../settings.ts';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check rubric and scenario files (default: the rubrics folder, $SERVICESIM_RUBRICS)')
    .argument('[paths...]', 'files or folders to check')
    .action(async (paths: string[]) => {
      const settings = readSettings();
      // Checked against the judges of the scorer that will score them (JUDGE_MODE).
      const library = await loadLibrary(paths.length > 0 ? paths : [settings.SERVICESIM_RUBRICS], {
        scorable: scorableDimensions(),
      });
      const { units, dimensions, scenarios } = library.counts;
      const read = `${plural(scenarios, 'scenario file')}, ${plural(dimensions, 'dimensions file')}, ${plural(units, 'units file')}`;
      if (library.problems.length === 0) {
        process.stdout.write(`valid: ${read}\n`);
        return;
      }
      for (const problem of library.problems) process.stdout.write(`${formatProblem(problem)}\n`);
      const files = new Set(library.problems.map((p) => p.file)).size;
      process.stdout.write(`\n${plural(library.problems.length, 'problem')} in ${plural(files, 'file')} (read ${read})\n`);
      process.exitCode = 1;
    });
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
