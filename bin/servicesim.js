#!/usr/bin/env node
// The `servicesim` command. ServiceSim runs its TypeScript sources directly through tsx, so the
// command always runs the code in the checkout, with no build step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../cli/servicesim.ts');
