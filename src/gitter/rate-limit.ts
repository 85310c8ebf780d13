// Client-side view of Gitter's per-token rate limit (API reference 6.1): 100 requests per fixed 60 s window,
// reported on every response as X-RateLimit-Limit/-Remaining and X-RateLimit-Reset (epoch MILLISECONDS).
// When the budget is spent we hold requests until the window ends rather than collect 429s, and after the
// reset we let through only `limit` of the waiting requests: a burst is spread over windows, not retried
// in a herd. After a 429 we wait for the reset too; Gitter sends no Retry-After, so without a usable reset
// time we back off instead.

import { backoffDelay, realSleep, type BackoffPolicy, type Sleep } from "../util/backoff";

export interface RateLimitWait {
  /** "exhausted": we held a request back ourselves; "throttled": Gitter answered 429. */
  reason: "exhausted" | "throttled";
  waitMs: number;
  /** The window end we waited for; undefined when we backed off without one. */
  resetAt: number | undefined;
}

export interface RateLimiterOptions {
  now?: () => number;
  sleep?: Sleep;
  /** Upper bound on one wait, so a skewed clock or a bogus header cannot park a session for hours. */
  maxWaitMs?: number;
  /** Added to every wait for the reset: Gitter rounds the window's TTL down to whole seconds. */
  marginMs?: number;
  /**
   * Reset times closer than this belong to the same window. Gitter's header moves by up to a second within
   * one window (TTL rounding); keep this well below the window length (tests with short windows lower it).
   */
  sameWindowSlackMs?: number;
  /** Used after a 429 that carries no usable reset time. */
  backoff?: BackoffPolicy;
}

export interface RateLimitStats {
  /** Number of waits of either reason (one per waiting request). */
  waits: number;
  /** Total time spent waiting, in ms (as requested from `sleep`). */
  waitedMs: number;
  /** Number of 429 answers seen. */
  throttled: number;
}

/** Response headers as fetch's Headers or the bridge's HTTP client give them. */
export interface HeaderSource {
  get(name: string): string | null;
}

/** Frees the slot taken by `acquire`; call once the request is answered or has failed. Idempotent. */
export type Release = () => void;

/**
 * One limiter per Gitter token: share it between every client using that token.
 * For each request: `acquire`, send, `update` with the response headers (any status), then release.
 */
export class RateLimiter {
  readonly stats: RateLimitStats = { waits: 0, waitedMs: 0, throttled: 0 };
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly maxWaitMs: number;
  private readonly marginMs: number;
  private readonly slackMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly listeners = new Set<(wait: RateLimitWait) => void>();
  private limit: number | undefined;
  /** Requests we may still send in the current window; undefined = unknown, send freely. */
  private remaining: number | undefined;
  /** End of the current window; undefined = not reported yet (or a fresh window after a reset). */
  private resetAt: number | undefined;
  /** End of the last window we left: answers still carrying it are stale. */
  private floor: number | undefined;
  private inflight = 0;
  private signal = deferred();

  constructor(options: RateLimiterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.maxWaitMs = options.maxWaitMs ?? 65_000;
    this.marginMs = options.marginMs ?? 250;
    this.slackMs = options.sameWindowSlackMs ?? 1000;
    this.backoff = options.backoff ?? { baseMs: 1000, maxMs: 60_000 };
  }

  /** Registers a listener called synchronously before every wait (its errors are swallowed). Returns an unsubscribe function. */
  onWait(listener: (wait: RateLimitWait) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What the last responses told us; for logs and tests. */
  snapshot(): { limit?: number; remaining?: number; resetAt?: number; inflight: number } {
    return { limit: this.limit, remaining: this.remaining, resetAt: this.resetAt, inflight: this.inflight };
  }

  /**
   * Call before sending a request. Resolves at once while budget is left (taking one request of it); blocks
   * until the window resets when it is spent, or until an answer in flight reports the new window. Never throws.
   */
  async acquire(): Promise<Release> {
    for (;;) {
      this.rollOverEndedWindow();
      if (this.remaining === undefined || this.remaining > 0) return this.admit();
      const resetAt = this.resetAt;
      if (resetAt !== undefined) {
        await this.wait("exhausted", this.untilReset(resetAt), resetAt);
        this.rollOver(resetAt);
      } else if (this.inflight === 0) {
        // The fresh window's budget is spent but nothing in flight will report its end: stop guessing.
        this.remaining = undefined;
      } else {
        await this.signal.promise;
      }
    }
  }

  /** Feeds one response's headers (any status, 429 included). Ignores missing, malformed or stale headers. */
  update(headers: HeaderSource): void {
    this.limit = intHeader(headers, "x-ratelimit-limit") ?? this.limit;
    const remaining = intHeader(headers, "x-ratelimit-remaining");
    const resetAt = intHeader(headers, "x-ratelimit-reset");
    if (remaining === undefined || resetAt === undefined) return;
    if (this.floor !== undefined && resetAt <= this.floor + this.slackMs) return;
    if (this.resetAt !== undefined && resetAt > this.resetAt + this.slackMs) {
      // A later window than the one we knew: Gitter's count is all we have.
      this.remaining = remaining;
    } else {
      // Same (or freshly begun) window: answers arrive out of order and our own count includes requests
      // still in flight, so the lowest figure is the right one.
      this.remaining = Math.min(this.remaining ?? remaining, remaining);
    }
    if (this.resetAt === undefined || resetAt > this.resetAt + this.slackMs) this.resetAt = resetAt;
    this.notify();
  }

  /**
   * Call after a 429 (once `update` has seen its headers), then `acquire` again. Blocks until the window
   * resets, or for a backoff delay (growing with `attempt`, 1-based) when no reset time ahead is known. Never throws.
   */
  async waitAfterThrottle(attempt: number): Promise<void> {
    this.stats.throttled++;
    const resetAt = this.resetAt;
    if (resetAt !== undefined && resetAt > this.now()) {
      await this.wait("throttled", this.untilReset(resetAt), resetAt);
      this.rollOver(resetAt);
      return;
    }
    await this.wait("throttled", backoffDelay(attempt, this.backoff), undefined);
    this.remaining = undefined;
    this.resetAt = undefined;
    this.notify();
  }

  private admit(): Release {
    if (this.remaining !== undefined) this.remaining--;
    this.inflight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inflight--;
      this.notify();
    };
  }

  /** Starts a fresh window with the full budget, once per window however many waiters wake up. */
  private rollOver(endedAt: number): void {
    if (this.resetAt !== endedAt) return;
    this.floor = endedAt;
    this.resetAt = undefined;
    this.remaining = this.limit;
    this.notify();
  }

  private rollOverEndedWindow(): void {
    if (this.resetAt !== undefined && this.now() >= this.resetAt + this.marginMs) this.rollOver(this.resetAt);
  }

  private untilReset(resetAt: number): number {
    return Math.min(this.maxWaitMs, Math.max(0, resetAt - this.now()) + this.marginMs);
  }

  private async wait(reason: RateLimitWait["reason"], waitMs: number, resetAt: number | undefined): Promise<void> {
    this.stats.waits++;
    this.stats.waitedMs += waitMs;
    for (const listener of this.listeners) {
      try {
        listener({ reason, waitMs, resetAt });
      } catch {
        // A broken metrics hook must not turn a wait into a failed request.
      }
    }
    await this.sleep(waitMs);
  }

  private notify(): void {
    const current = this.signal;
    this.signal = deferred();
    current.resolve();
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function intHeader(headers: HeaderSource, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === "") return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? Math.floor(value) : undefined;
}
