// Drains the inbox the appservice edge fills: reads unprocessed events in arrival order and hands each to the
// handler through a keyed queue (serial per room, parallel across rooms). An event is marked processed only
// after its handler settled, so a crash loses nothing: on start, whatever a previous process left pending is
// handled first. The price is at-least-once delivery across crashes: an event whose handler ran just before a
// crash may run again, so handlers check what was already bridged (the message links) before acting.
//
// A handler that fails because something was unreachable (the homeserver, Gitter, the database: the injected
// `retryDelay` says which failures those are) is run again after a backoff, for as long as the outage lasts,
// holding back only that room's later events. That is safe for the same reason redelivery after a crash is:
// handlers must already tolerate running twice (a message posted to Gitter is matched against its send intent
// rather than posted again). Any other failure is logged once, with the event, room and sender ids, and the
// event is marked processed so the room's queue moves on. A handler that fails while the processor stops
// leaves its event pending: the next start handles it.
//
// A handled event's content is forgotten as it is marked (InboxStore.markProcessed): only until then does the
// database hold what was sent, a token pasted for `login token` included; a crash before that replays it whole.
import type { InboxEvent, InboxStore } from "../store/store";
import { KeyedQueue } from "../util/keyed-queue";
import { getLogger } from "../util/log";

const log = getLogger("inbox");

/** Handles one homeserver event. May throw; see the header for which throws are retried. */
export type EventHandler = (event: Record<string, unknown>) => Promise<void>;

/** The wait before retry number `attempt` of a handler that threw `err`, or null when `err` must not be retried. */
export type RetryDelay = (err: unknown, attempt: number) => number | null;

export interface InboxProcessorOptions {
  inbox: InboxStore;
  handler: EventHandler;
  /** Rooms handled at the same time (default 8). */
  concurrency?: number;
  /** Events read per inbox query (default 100). */
  batchSize?: number;
  /** Dispatched but unfinished events at which reading pauses (default 1000), bounding memory. */
  maxInFlight?: number;
  /** Wait before reading again after the inbox could not be read (default 5 s). */
  retryDelayMs?: number;
  /** Which handler failures are outages worth retrying, and after how long (default: none is). */
  retryDelay?: RetryDelay;
  /**
   * Whether an event carried a secret (a pasted token): once handled, its forgotten content is also wiped from the
   * database's files at once (InboxStore.markProcessed `wipe`). Default: none does.
   */
  carriesSecret?: (event: Record<string, unknown>) => boolean;
}

/** Events without a room (none today, but the API allows them) share one queue. */
const NO_ROOM = "";

export class InboxProcessor {
  private readonly queue: KeyedQueue;
  private readonly inbox: InboxStore;
  private readonly handler: EventHandler;
  private readonly batchSize: number;
  private readonly maxInFlight: number;
  private readonly retryDelayMs: number;
  private readonly handlerRetryDelay: RetryDelay;
  private readonly carriesSecret: (event: Record<string, unknown>) => boolean;
  /** Wakes handlers waiting to retry, so that stop() need not wait for their backoff. */
  private readonly wakers = new Set<() => void>();
  /** Highest seq handed to the queue: everything at or below it is done or in flight. */
  private highWater = 0;
  private readonly inFlight = new Set<number>();
  /** Handled, but marking them processed failed, with whether to wipe; retried before each read. */
  private readonly unmarked = new Map<number, boolean>();
  private dispatched = 0;
  private started = false;
  private stopped = false;
  private saturated = false;
  private again = false;
  private pumping: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(options: InboxProcessorOptions) {
    this.inbox = options.inbox;
    this.handler = options.handler;
    this.queue = new KeyedQueue({ concurrency: options.concurrency ?? 8 });
    this.batchSize = options.batchSize ?? 100;
    this.maxInFlight = options.maxInFlight ?? 1000;
    this.retryDelayMs = options.retryDelayMs ?? 5000;
    this.handlerRetryDelay = options.retryDelay ?? (() => null);
    this.carriesSecret = options.carriesSecret ?? (() => false);
  }

  /** Begins draining, leftovers of an earlier process first. Resolves once they are queued, not handled. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const pending = await this.inbox.countPending().catch(() => null);
    if (pending) log.info("resuming events left pending", { pending });
    await this.pump();
  }

  /** Tells the processor new events were recorded. Never blocks or throws. */
  nudge(): void {
    void this.pump();
  }

  /** Resolves when every recorded event has been handled (for tests and orderly shutdown). Never rejects. */
  async idle(): Promise<void> {
    for (;;) {
      const before = this.dispatched;
      await this.pump();
      await this.queue.idle();
      if (this.dispatched === before || this.stopped) return;
    }
  }

  /** Stops reading, waits for running handlers; queued events stay pending for the next start. Final. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const wake of [...this.wakers]) wake();
    await this.pumping;
    await this.queue.idle();
  }

  /** Events queued or running for a room, for metrics. */
  depth(roomId: string): number {
    return this.queue.depth(roomId);
  }

  /** Depth of every room with work, for metrics. */
  depths(): Map<string, number> {
    return this.queue.depths();
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private pump(): Promise<void> {
    if (!this.started || this.stopped) return Promise.resolve();
    if (this.pumping) {
      this.again = true;
      return this.pumping;
    }
    this.pumping = this.readLoop().finally(() => (this.pumping = null));
    return this.pumping;
  }

  private async readLoop(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.readAndDispatch();
      } while (this.again && !this.stopped);
    } catch (err) {
      log.warn("could not read the inbox; trying again later", { error: err as Error, delayMs: this.retryDelayMs });
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = null;
        this.nudge();
      }, this.retryDelayMs);
    }
  }

  private async readAndDispatch(): Promise<void> {
    await this.retryUnmarked();
    while (!this.stopped) {
      if (this.inFlight.size >= this.maxInFlight) {
        this.saturated = true;
        return;
      }
      // Pending rows include the ones in flight or unmarked; ask for enough to see past them.
      const limit = this.inFlight.size + this.unmarked.size + this.batchSize;
      const rows = await this.inbox.pendingEvents(limit);
      const fresh = rows.filter((row) => row.seq > this.highWater);
      for (const row of fresh) this.dispatch(row);
      if (rows.length < limit || fresh.length === 0) return;
    }
  }

  private dispatch(row: InboxEvent): void {
    this.highWater = row.seq;
    this.inFlight.add(row.seq);
    this.dispatched++;
    const roomId = typeof row.event.room_id === "string" ? row.event.room_id : NO_ROOM;
    // `handle` catches everything itself; the catch only satisfies the detached-promise rule.
    void this.queue.push(roomId, () => this.handle(row)).catch((err: Error) => log.error("inbox task failed", { error: err }));
  }

  private async handle(row: InboxEvent): Promise<void> {
    if (await this.runHandler(row)) await this.mark(row.seq, this.carriesSecret(row.event));
    this.inFlight.delete(row.seq);
    if (this.saturated && !this.stopped) {
      this.saturated = false;
      this.nudge();
    }
  }

  /** Runs the handler until it succeeds or fails for good; false when the event must stay pending (stopping). */
  private async runHandler(row: InboxEvent): Promise<boolean> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.handler(row.event);
        return true;
      } catch (err) {
        if (this.stopped) {
          log.info("event handler failed while stopping; the event stays pending", { ...eventIds(row), error: err as Error });
          return false;
        }
        const delayMs = this.handlerRetryDelay(err, attempt);
        if (delayMs === null) {
          log.error("event handler failed; event dropped", { ...eventIds(row), error: err as Error });
          return true;
        }
        log.warn("event handler hit an outage; retrying", { ...eventIds(row), attempt, delayMs, error: err as Error });
        await this.pause(delayMs);
      }
    }
    return false;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  private async mark(seq: number, wipe: boolean): Promise<void> {
    try {
      await this.inbox.markProcessed(seq, { wipe });
    } catch (err) {
      log.warn("could not mark event processed; will retry", { seq, error: err as Error });
      this.unmarked.set(seq, wipe);
    }
  }

  private async retryUnmarked(): Promise<void> {
    for (const [seq, wipe] of [...this.unmarked]) {
      await this.inbox.markProcessed(seq, { wipe });
      this.unmarked.delete(seq);
    }
  }
}

function eventIds(row: InboxEvent): Record<string, unknown> {
  const e = row.event;
  return { seq: row.seq, txnId: row.txnId, event: e.event_id, room: e.room_id, sender: e.sender, type: e.type };
}
