/**
 * What produced a result: a customer or a scorer names its kind (the mode chosen in settings), a
 * stable id and a version that changes whenever its behaviour does. Every evidence record keeps
 * both, so a score read years later can be traced to the code (or model and prompt) behind it.
 */
import { z } from 'zod';

export const ComponentIdentitySchema = z.object({
  /** The mode that selects it: `scripted` or `llm` for a customer, `rules`, `llm` or `hybrid` for a scorer. */
  kind: z.string().min(1),
  /** Stable across releases: `scripted-customer`, `rules-scorer`. */
  id: z.string().min(1),
  /** Changes whenever the same input could give a different output. */
  version: z.string().min(1),
});

export type ComponentIdentity = z.infer<typeof ComponentIdentitySchema>;

/**
 * The state a component keeps between turns of one rehearsal: plain JSON, tagged with the kind and
 * version that wrote it, so a component never misreads state written by another (or an older self).
 */
export const ComponentStateSchema = z.looseObject({ kind: z.string().min(1), version: z.number().int().min(1) });

export type ComponentState = z.infer<typeof ComponentStateSchema>;

/** State written by a different component or version than the one asked to continue from it. */
export class IncompatibleStateError extends Error {
  constructor(component: string, found: unknown) {
    super(`${component} cannot continue from state written by ${JSON.stringify(found)}`);
    this.name = 'IncompatibleStateError';
  }
}
