/**
 * The score report as text for a terminal, from the one view of a scored rehearsal: breaches,
 * levels with criteria, evidence and suggestions, the replies that stood out, and commitments.
 */
import type { DebriefView } from '../engine/debrief-view.ts';

export function formatScoreReport(view: DebriefView): string {
  const out: string[] = [`Score report — ${view.title}`, ''];
  if (view.breaches.length > 0) {
    out.push('AUTHORITY BREACHES (blockers)');
    for (const b of view.breaches) out.push(`  turn ${b.turn}: "${b.quote}"`, `    ${b.rule}`);
    out.push('');
  }
  for (const d of view.dimensions) {
    const codes = d.criteria.slice(0, 6).join(', ');
    out.push(`${d.name}: ${d.levelText}${codes ? `   [${codes}]` : ''}`);
    for (const e of d.evidence) out.push(`    turn ${e.turn} — ${e.reason}: "${truncate(e.quote, 110)}"`);
    if (d.suggestion) out.push(`    Try: ${d.suggestion}`);
    out.push('');
  }
  for (const [label, reply] of [
    ['STRONGEST REPLY', view.strongest],
    ['REPLY TO WORK ON', view.weakest],
  ] as const) {
    if (!reply) continue;
    out.push(
      `${label}: turn ${reply.turn}${reply.levels.length > 0 ? ` (${reply.levels.join(', ')})` : ''}`,
      `  "${truncate(reply.quote, 200)}"`,
      ...(reply.why ? [`  ${reply.why}`] : []),
      '',
    );
  }
  out.push('COMMITMENTS MADE');
  if (view.commitments.length === 0) out.push('  none');
  for (const c of view.commitments) out.push(`  turn ${c.turn}: ${c.who} — "${truncate(c.what, 100)}" — ${c.when ?? 'no time given'}`);
  return `${out.join('\n')}\n`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
