/**
 * A LanguageModel whose failures are logged, so an operator sees at once that the endpoint is
 * refusing, slow or answering nonsense (a wrong model name, a server down) rather than learning it
 * from scripted replies. The log names the model, the reason and the short message the adapter
 * gives, never a prompt or an answer: those hold learners' words.
 */
import { ModelFailure, type LanguageModel } from '../engine/language-model.ts';

export interface ModelLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export function loggedLanguageModel(model: LanguageModel, log: ModelLog, purpose: 'customer' | 'judge'): LanguageModel {
  return {
    model: model.model,
    async structured(request) {
      try {
        return await model.structured(request);
      } catch (error) {
        const failure = error instanceof ModelFailure ? error : undefined;
        log.warn(
          { purpose, model: model.model, reason: failure?.reason ?? 'unexpected', detail: failure?.message ?? String(error) },
          `the ${purpose}'s model call failed (${failure?.reason ?? 'unexpected'}): the ${purpose === 'customer' ? 'scripted customer answers this turn' : "rules' scores stand"}`,
        );
        throw error;
      }
    },
  };
}
