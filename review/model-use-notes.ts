/**
 * What a tutor should know of the models' part in a rehearsal, in sentences: which customer turns
 * were the scripted words instead of the model's (and why), whether the judge's scores or the
 * rules' stand, where the judge and the rules disagree, and what of the judge's answer the engine
 * refused. Empty for a rehearsal played and scored without a model.
 */
import type { EvidenceRecord } from '../engine/evidence-record.ts';
import { SET_ASIDE } from '../engine/llm-judge.ts';

export function modelUseNotes(record: EvidenceRecord): string[] {
  const notes: string[] = [];
  const use = record.modelUse;
  if (use && use.customerTurns.length > 0) {
    const fellBack = use.customerTurns.filter((t) => t.fallback);
    notes.push(
      fellBack.length === 0
        ? 'A model worded every customer turn, as the scripted customer decided it.'
        : `A model worded the customer's turns, except turn${fellBack.length === 1 ? '' : 's'} ${fellBack.map((t) => `${t.turn + 1} (${t.fallback!.reason})`).join(', ')}, where the scripted words were used.`,
    );
    // A reply the guards refused and the model then gave again acceptably: worth knowing, not a fallback.
    const askedAgain = use.customerTurns.filter((t) => !t.fallback && t.calls.length > 1);
    if (askedAgain.length > 0)
      notes.push(
        `The model's first reply was refused and asked for again at turn${askedAgain.length === 1 ? '' : 's'} ${askedAgain.map((t) => `${t.turn + 1} (${t.calls[0]!.outcome})`).join(', ')}.`,
      );
  }
  const judgement = record.report.judgement;
  if (judgement) {
    const judge = `the ${judgement.mode === 'hybrid' ? 'hybrid ' : ''}LLM judge (${judgement.model}, prompt ${judgement.prompt})`;
    if (judgement.fallback) notes.push(`Scores are the rules' own: ${judge} could not be used (${judgement.fallback.reason}).`);
    else notes.push(`Scored by ${judge}, its quotes and breaches checked against the transcript and the scenario's authority.`);
    if (judgement.unsupported.length > 0)
      notes.push(
        `The rules' level stands for ${judgement.unsupported.join(', ')}: the judge's level had no quote from the learner's words.`,
      );
    if (judgement.droppedQuotes > 0)
      notes.push(
        `${judgement.droppedQuotes} of the judge's quotes were dropped: not word for word in a learner turn, or from a turn that tried to instruct the marker.`,
      );
    for (const b of judgement.rejectedBreaches)
      notes.push(`Not a breach, though the judge named one: ${b.action} at turn ${b.turn} (${b.why}).`);
    for (const d of judgement.disagreements)
      notes.push(
        d.judge === SET_ASIDE
          ? `The engine set ${d.finding} aside: it tries to instruct the marker, so no evidence is taken from it.`
          : `The judge and the rules disagree on ${d.finding}: the rules say ${d.rules}; the judge, ${d.judge}.`,
      );
    for (const v of judgement.verdicts.filter((verdict) => !verdict.agrees))
      notes.push(`The judge rejected the rules' finding on ${v.finding}: ${v.reason}`);
  }
  return notes;
}
