/**
 * What a store does with a damaged or foreign item (a row, a Redis key, a file to import): skips it,
 * so one bad item never breaks a learner's history or a conversation, and says so, naming the item
 * and the problem (never its content: a learner's words), so nothing is lost silently. The bot
 * passes its structured log; the default writes one line to stderr.
 */
export type SkippedItemReporter = (item: string, problem: string) => void;

export const reportToStderr: SkippedItemReporter = (item, problem) => {
  process.stderr.write(`servicesim: skipped ${item}: ${problem}\n`);
};
