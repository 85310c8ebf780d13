// Stops what the demo started, newest first, whatever point start-up reached: a part registers its stop step as
// soon as it may exist, and a part that appears after stopping began is stopped at once.

export type Report = (line: string) => void;

interface Step {
  name: string;
  stop: () => Promise<void>;
}

export class Teardown {
  private readonly steps: Step[] = [];
  private stopping: Promise<boolean> | undefined;
  private finished = false;
  private clean = true;

  constructor(private readonly report: Report) {}

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /**
   * Registers a stop step. If stopping already began, the step runs next (or now, if stopping has finished);
   * the caller should then give up starting. Never throws.
   */
  async add(name: string, stop: () => Promise<void>): Promise<void> {
    const step = { name, stop };
    if (this.finished) await this.run(step);
    else this.steps.push(step);
  }

  /** Runs every step once, newest first; never throws. Resolves true when every step stopped cleanly. */
  stopAll(): Promise<boolean> {
    this.stopping ??= (async () => {
      while (this.steps.length > 0) await this.run(this.steps.pop()!);
      this.finished = true;
      return this.clean;
    })();
    return this.stopping;
  }

  private async run(step: Step): Promise<void> {
    try {
      await step.stop();
      this.report(`stopped ${step.name}`);
    } catch (err) {
      this.clean = false;
      this.report(`could not stop ${step.name}: ${(err as Error).message}`);
    }
  }
}

/** Thrown inside start-up when a signal arrived meanwhile: not an error, just the end of start-up. */
export class StartAborted extends Error {
  constructor() {
    super("start-up interrupted");
  }
}
