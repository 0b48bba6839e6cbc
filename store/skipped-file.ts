/**
 * What a store does with a damaged or foreign file in its data folder: skips it, so one bad file
 * never breaks a learner's history or a conversation, and says so, naming the file, so nothing is
 * lost silently. The bot passes its structured log; the default writes one line to stderr.
 */
export type SkippedFileReporter = (file: string, problem: string) => void;

export const reportToStderr: SkippedFileReporter = (file, problem) => {
  process.stderr.write(`servicesim: skipped ${file}: ${problem}\n`);
};
