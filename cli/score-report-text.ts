/** The score report as text for a terminal: levels, evidence, suggestions, breaches, commitments. */
import type { Library } from '../engine/rubric-library.ts';
import type { ScoreReport } from '../engine/score-report.ts';

export function formatScoreReport(report: ScoreReport, library: Pick<Library, 'dimensions'>): string {
  const out: string[] = [`Score report — ${report.scenario}`, ''];
  if (report.breaches.length > 0) {
    out.push('AUTHORITY BREACHES (blockers)');
    for (const b of report.breaches) out.push(`  turn ${b.turn}: "${b.quote}"`, `    ${b.rule}`);
    out.push('');
  }
  for (const [id, score] of Object.entries(report.dimensions)) {
    const dimension = library.dimensions.find((d) => d.id === id);
    const levelName = score.level === null ? 'not applicable' : `${score.level}/3 ${dimension?.levels[score.level]?.name ?? ''}`.trim();
    const codes = dimension ? [...new Set(dimension.criteria.map((c) => `${c.unit} ${c.code}`))].slice(0, 6).join(', ') : '';
    out.push(`${dimension?.name ?? id}: ${levelName}${codes ? `   [${codes}]` : ''}`);
    for (const e of score.evidence) out.push(`    turn ${e.turn} — ${e.reason}: "${truncate(e.quote, 110)}"`);
    if (score.suggestion) out.push(`    Try: ${score.suggestion}`);
    out.push('');
  }
  out.push('COMMITMENTS MADE');
  if (report.commitments.length === 0) out.push('  none');
  for (const c of report.commitments) out.push(`  turn ${c.turn}: ${c.who} — "${truncate(c.what, 100)}" — ${c.when ?? 'no time given'}`);
  return `${out.join('\n')}\n`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
