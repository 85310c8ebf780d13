// Serial per key, parallel across keys: tasks with the same key (a room) run one after another in push order,
// tasks with different keys run side by side, at most `concurrency` at a time. Keys that have work waiting
// take turns (round robin), so one busy room cannot starve the others.

export interface KeyedQueueOptions {
  /** How many tasks may run at once across all keys (default 8). */
  concurrency?: number;
}

interface Job {
  run: () => Promise<void>;
}

export class KeyedQueue {
  private readonly concurrency: number;
  /** Waiting jobs per key; a key is present while it has a job waiting or running. */
  private readonly waiting = new Map<string, Job[]>();
  private readonly running = new Set<string>();
  /** Keys with a waiting job and none running, in the order they became ready. */
  private readonly ready = new Fifo<string>();
  private idleWaiters: (() => void)[] = [];

  constructor(options: KeyedQueueOptions = {}) {
    const concurrency = options.concurrency ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error("concurrency must be a positive integer");
    this.concurrency = concurrency;
  }

  /**
   * Queues `task` behind every earlier task with the same key. Never blocks. The returned promise settles
   * with the task's own outcome (a rejection does not stop the queue); a caller that does not await it
   * must attach a catch.
   */
  push<T>(key: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Through `then` so a task that throws synchronously rejects like one that rejects.
      const run = () => Promise.resolve().then(task).then(resolve, reject);
      const jobs = this.waiting.get(key);
      if (jobs) {
        jobs.push({ run });
      } else {
        this.waiting.set(key, [{ run }]);
        this.ready.push(key);
      }
      this.pump();
    });
  }

  /** Tasks waiting or running for `key` (0 when the key is unknown). */
  depth(key: string): number {
    const jobs = this.waiting.get(key);
    return (jobs?.length ?? 0) + (this.running.has(key) ? 1 : 0);
  }

  /** Depth of every key with work, for metrics. */
  depths(): Map<string, number> {
    const out = new Map<string, number>();
    for (const key of this.waiting.keys()) out.set(key, this.depth(key));
    return out;
  }

  /** Tasks waiting or running across all keys. */
  get size(): number {
    let n = this.running.size;
    for (const jobs of this.waiting.values()) n += jobs.length;
    return n;
  }

  get activeCount(): number {
    return this.running.size;
  }

  /** Resolves once nothing is waiting or running (at once if that is already so). Never rejects. */
  idle(): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.ready.length > 0) {
      const key = this.ready.shift();
      const job = this.waiting.get(key)!.shift()!;
      this.running.add(key);
      // `run` settles the caller's promise itself and cannot reject, so this chain never rejects either.
      void job.run().then(() => this.finish(key));
    }
  }

  private finish(key: string): void {
    this.running.delete(key);
    const jobs = this.waiting.get(key)!;
    if (jobs.length > 0) this.ready.push(key);
    else this.waiting.delete(key);
    this.pump();
    if (this.waiting.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}

/**
 * First in, first out, with O(1) shift: Array#shift moves every element, and thousands of rooms can be ready at
 * once when one Gitter message fans out to many portals.
 */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item; only call when length > 0. */
  shift(): T {
    const item = this.items[this.head++];
    if (this.head === this.items.length) [this.items, this.head] = [[], 0];
    else if (this.head > 1024 && this.head * 2 > this.items.length) [this.items, this.head] = [this.items.slice(this.head), 0];
    return item;
  }
}
