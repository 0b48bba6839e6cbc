/**
 * `servicesim <command>`: the command line for scenario authors and learners.
 *
 * Exit codes: 0 success, 1 the files checked have problems, 2 the command was used wrongly or its
 * input could not be read. Errors are one clear line, never a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { registerChatCommand } from './commands/chat.ts';
import { registerEraseCommands } from './commands/erase.ts';
import { registerEvalCommand } from './commands/eval.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerReadCommand } from './commands/read.ts';
import { registerScenariosCommand } from './commands/scenarios.ts';
import { registerScoreCommand } from './commands/score.ts';
import { registerTutorCommand } from './commands/tutor.ts';
import { registerValidateCommand } from './commands/validate.ts';
import { LibraryError } from '../engine/rubric-library.ts';
import { UsageError } from './usage-error.ts';

// `servicesim validate | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const program = new Command()
  .name('servicesim')
  .description('Rehearse resolving customer service problems, scored against UK qualification rubrics.')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) });

registerValidateCommand(program);
registerScenariosCommand(program);
registerReadCommand(program);
registerChatCommand(program);
// The bot host loads restify and botbuilder: only when one of its commands runs.
program
  .command('serve')
  .description('serve the bot (Teams and the local rehearsal page) on http://localhost:3978')
  .option('--port <number>', 'port to listen on (default: PORT or 3978)')
  .action(async (options: { port?: string }) => (await import('./commands/serve.ts')).serve(options));
program
  .command('teams-package')
  .description('build the Teams app package (needs MicrosoftAppId; see README)')
  .option('--out <file>', 'where to write the zip', 'appPackage/build/servicesim-teams.zip')
  .action(async (options: { out: string }) => (await import('./commands/teams-package.ts')).teamsPackage(options));
registerScoreCommand(program);
registerEvalCommand(program);
registerMigrateCommand(program);
registerTutorCommand(program);
registerEraseCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof LibraryError) {
    // Every problem, located, exactly as `validate` reports it.
    process.stderr.write(`servicesim: ${error.message}\n`);
    process.exitCode = 2;
  } else if (error instanceof UsageError) {
    process.stderr.write(`servicesim: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`servicesim: ${message.split('\n')[0]}\n`);
    process.exitCode = 2;
  }
}
