/**
 * `servicesim validate [paths…]`: checks rubric and scenario files and reports every problem as
 * `file:line:column: path: what is wrong — how to fix`, and every warning the same way with
 * "warning:" before what is wrong. Exit 0 when all are valid (warnings or not), 1 otherwise.
 */
import type { Command } from 'commander';
import { formatProblem, type Problem } from '../../engine/problem.ts';
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
      // Problems and warnings of a file together, top to bottom, as an editor lists them.
      const found = [...library.problems.map((p) => ({ p, warning: false })), ...library.warnings.map((p) => ({ p, warning: true }))];
      found.sort((a, b) => a.p.file.localeCompare(b.p.file) || a.p.line - b.p.line || a.p.column - b.p.column);
      for (const { p, warning } of found) process.stdout.write(`${warning ? formatWarning(p) : formatProblem(p)}\n`);
      const warnings = plural(library.warnings.length, 'warning');
      if (library.problems.length === 0) {
        // The "valid:" line stays last and the same, warnings or not: scripts look for it.
        if (found.length > 0) process.stdout.write(`\n${warnings}: the files are valid, but see above\n`);
        process.stdout.write(`valid: ${read}\n`);
        return;
      }
      const files = new Set(library.problems.map((p) => p.file)).size;
      const andWarnings = library.warnings.length > 0 ? ` and ${warnings}` : '';
      process.stdout.write(`\n${plural(library.problems.length, 'problem')}${andWarnings} in ${plural(files, 'file')} (read ${read})\n`);
      process.exitCode = 1;
    });
}

/** A warning reads like a problem, located the same way, with "warning:" before what is wrong. */
function formatWarning(warning: Problem): string {
  return formatProblem({ ...warning, message: `warning: ${warning.message}` });
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
