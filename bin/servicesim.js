#!/usr/bin/env node
// The `servicesim` command. ServiceSim runs its TypeScript sources directly through tsx, so the
// command always runs the code in the checkout, with no build step to forget.
import { register } from 'tsx/esm/api';

// Settings may also come from a `.env` in the working folder (see .env.example). It is loaded here,
// before anything reads process.env, so `npm start`, the other npm scripts and `npx servicesim` all
// honour it: a shebang cannot portably pass `node --env-file-if-exists`, and on Node 20 that flag
// prints a warning when there is no `.env`. process.loadEnvFile never overwrites a variable already
// in the environment (even an empty one), so a real environment variable always wins.
try {
  process.loadEnvFile('.env');
} catch (error) {
  // No `.env` is the usual case. One that exists but cannot be read is a mistake worth one clear line.
  if (error?.code !== 'ENOENT') {
    process.stderr.write(`servicesim: cannot read .env: ${error?.message ?? error}\n`);
    process.exit(2);
  }
}

// restify 11 reads process.binding('http_parser') as it loads, and Node warns about it (DEP0111) every
// time: known, harmless, and not the operator's to act on. Only that warning is dropped.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  const code = typeof rest[0] === 'object' ? rest[0]?.code : rest[1];
  if (code === 'DEP0111') return;
  return emitWarning.call(process, warning, ...rest);
};

register();
await import('../cli/servicesim.ts');
