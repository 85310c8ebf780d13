// Bounds how many tasks run at once; the rest wait their turn, first come, first served. Used to keep the
// bridge's requests to Gitter at a steady number in flight across every user: without it, a restart with
// thousands of users fires every room's catch-up at the same moment (tens of thousands of sockets, refused
// connections, timeouts and retries on top). A task's own timeout should start inside it, after the wait.

export class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  /** `max`: tasks running at once (at least 1). */
  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error("max must be a positive integer");
  }

  /** Runs `task` once a slot is free (may wait); settles with the task's outcome. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.max) this.active++;
    // The slot is handed over by release(), so `active` already counts this task when it wakes.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Tasks waiting for a slot, for metrics. */
  get queued(): number {
    return this.waiting.length;
  }

  get running(): number {
    return this.active;
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
