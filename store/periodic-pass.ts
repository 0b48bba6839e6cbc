/**
 * A pass of background work run every so often in a long-running server (review notices, assignment
 * reminders, the xAPI outbox): never two passes at once (a slow pass is left to finish, and the next
 * starts after it), a failed pass logged and tried again at the next tick, and the timer never
 * keeping the process alive on its own.
 */
import type { Logger } from 'pino';

export class PeriodicPass {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly logger: Logger,
    /** What is logged when a pass fails: "review notices not retried". */
    private readonly failure: string,
  ) {}

  /** Runs the pass every `intervalMs` until stopped; starting again while running changes nothing. */
  start(intervalMs: number): void {
    let running = false;
    this.timer ??= setInterval(() => {
      if (running) return;
      running = true;
      this.pass()
        .catch((error: unknown) =>
          this.logger.warn({ err: { name: (error as Error).name, message: (error as Error).message } }, this.failure),
        )
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
