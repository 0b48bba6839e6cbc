/**
 * `servicesim scenarios [--json]`: lists the scenarios a learner can rehearse. Files with problems
 * are left out and their problems shown on stderr, exactly as `validate` reports them.
 */
import type { Command } from 'commander';
import { openScenarioLibrary } from '../scenario-lookup.ts';

export function registerScenariosCommand(program: Command): void {
  program
    .command('scenarios')
    .description('list the scenarios: id, title, problem type, resolvable, difficulty')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: { json?: boolean }) => {
      const library = await openScenarioLibrary();
      const rows = library.scenarios.map((s) => ({
        id: s.id,
        title: s.title,
        problemType: s.problemType,
        resolvable: s.resolvable,
        difficulty: s.difficulty,
      }));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const table = [
        ['ID', 'TITLE', 'PROBLEM TYPE', 'RESOLVABLE', 'DIFFICULTY'],
        ...rows.map((r) => [
          r.id,
          r.title,
          r.problemType,
          r.resolvable === true ? 'yes' : r.resolvable === 'partly' ? 'partly' : 'no',
          r.difficulty,
        ]),
      ];
      const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
      for (const row of table)
        process.stdout.write(
          `${row
            .map((cell, c) => cell.padEnd(widths[c]!))
            .join('  ')
            .trimEnd()}\n`,
        );
    });
}
