/**
 * A rehearsal's evidence record, from its dialog's state and its log: how the dialog ends one
 * (`end`, or the customer), and how a rehearsal left unfinished is kept as abandoned
 * (dialogs/abandoned-rehearsals.ts), so both are scored and recorded the same way.
 */
import type { EndReason } from '../engine/customer.ts';
import { assembleEvidence, UNRECORDED_CUSTOMER, type EvidenceRecord } from '../engine/evidence-record.ts';
import { scoreRehearsal, type Rehearsal, type RehearsalParts } from '../engine/rehearsal.ts';
import { scenarioHashOf, sourceHashesOf, type Library } from '../engine/rubric-library.ts';
import type { Scenario } from '../engine/scenario-schema.ts';
import type { RehearsalLog } from '../store/rehearsal-log.ts';
import { logShift, type RehearsalDialogState } from './rehearsal-dialog-state.ts';

export interface EvidenceSources {
  library: Library;
  log: RehearsalLog;
  parts: RehearsalParts;
}

export type RehearsalEvidence =
  /** Scored: the learner turns that could not be read back from the log (a store fault) are named. */
  | { record: EvidenceRecord; missing: number[] }
  /** Nothing of it could be read back: there is nothing to score. */
  | { record?: undefined; missing: number[] };

/** Scores what the log holds of the rehearsal and assembles its record; saves nothing. */
export async function rehearsalEvidence(
  { library, log, parts }: EvidenceSources,
  scenario: Scenario,
  rehearsal: Rehearsal,
  state: RehearsalDialogState,
  endReason: EndReason,
): Promise<RehearsalEvidence> {
  const shift = logShift(state);
  const logged = await log.read(state.rehearsalId, rehearsal.turnCount + shift);
  const exchanges = logged.exchanges.map((e) => ({ ...e, turn: e.turn - shift }));
  const missing = logged.missing.map((turn) => turn - shift);
  if (missing.length > 0 && exchanges.length === 0) return { missing };
  const report = await scoreRehearsal(parts.scorer, scenario, rehearsal.opening, exchanges);
  const sources = sourceHashesOf(library, scenario.id);
  const scenarioHash = scenarioHashOf(scenario);
  const record = assembleEvidence({
    id: state.rehearsalId,
    learner: state.learner,
    scenario: { id: scenario.id, title: scenario.title, problemType: scenario.problemType },
    mode: state.mode,
    startedAt: state.startedAt,
    endedAt: new Date().toISOString(),
    endReason,
    opening: rehearsal.opening,
    exchanges,
    turnCount: rehearsal.turnCount,
    missingTurns: missing,
    report,
    customer: state.customer ?? UNRECORDED_CUSTOMER,
    scorer: parts.scorer.identity,
    ...(sources ? { sources } : {}),
    ...(scenarioHash ? { scenarioHash } : {}),
    ...(parts.models ? { models: parts.models } : {}),
  });
  return { record, missing };
}
