// Client-side view of Gitter's per-token rate limit (API reference 6.1): 100 requests per fixed 60 s window,
// reported on every response as X-RateLimit-Remaining and X-RateLimit-Reset (epoch MILLISECONDS).
// When the budget is spent we wait for the window to end rather than collect 429s; after a 429 we wait
// for the reset too. Gitter sends no Retry-After, so without a usable Reset header we back off instead.

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
  /** Used after a 429 that carries no usable reset time. */
  backoff?: BackoffPolicy;
}

export interface RateLimitStats {
  /** Number of waits of either reason. */
  waits: number;
  /** Total time spent waiting, in ms (as requested from `sleep`). */
  waitedMs: number;
  /** Number of 429 answers seen. */
  throttled: number;
}

/** Window ends that differ by less than this are the same window (the header moves with TTL rounding). */
const SAME_WINDOW_SLACK_MS = 1500;

/**
 * One limiter per Gitter token: share it between every client using that token.
 * `acquire` before each request, `update` with each response's headers (any status).
 */
export class RateLimiter {
  readonly stats: RateLimitStats = { waits: 0, waitedMs: 0, throttled: 0 };
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly maxWaitMs: number;
  private readonly marginMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly listeners = new Set<(wait: RateLimitWait) => void>();
  private remaining: number | undefined;
  private resetAt: number | undefined;
  private limit: number | undefined;

  constructor(options: RateLimiterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.maxWaitMs = options.maxWaitMs ?? 65_000;
    this.marginMs = options.marginMs ?? 250;
    this.backoff = options.backoff ?? { baseMs: 1000, maxMs: 60_000 };
  }

  /** Registers a listener called synchronously before every wait (its errors are swallowed). Returns an unsubscribe function. */
  onWait(listener: (wait: RateLimitWait) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What the last responses told us; for logs and tests. */
  snapshot(): { limit?: number; remaining?: number; resetAt?: number } {
    return { limit: this.limit, remaining: this.remaining, resetAt: this.resetAt };
  }

  /**
   * Call before sending a request. Resolves at once while budget is left (and reserves one request of it);
   * blocks until the window resets when the budget is spent. Never throws.
   */
  async acquire(): Promise<void> {
    this.forgetEndedWindow();
    if (this.remaining === undefined) return;
    if (this.remaining > 0) {
      this.remaining--;
      return;
    }
    const resetAt = this.resetAt;
    await this.wait("exhausted", this.untilReset(resetAt ?? this.now()), resetAt);
    this.forgetWindow();
  }

  /** Feeds one response's headers (any status, 429 included). Ignores missing or malformed headers. */
  update(headers: Headers): void {
    const remaining = intHeader(headers, "x-ratelimit-remaining");
    const resetAt = intHeader(headers, "x-ratelimit-reset");
    this.limit = intHeader(headers, "x-ratelimit-limit") ?? this.limit;
    if (remaining === undefined || resetAt === undefined) return;
    const newWindow = this.resetAt === undefined || resetAt > this.resetAt + SAME_WINDOW_SLACK_MS;
    if (newWindow) {
      this.remaining = remaining;
      this.resetAt = resetAt;
    } else {
      // Answers to concurrent requests arrive out of order: the lowest count is the freshest.
      this.remaining = Math.min(this.remaining ?? remaining, remaining);
    }
  }

  /**
   * Call after a 429 (once `update` has seen its headers). Blocks until the window resets, or for a
   * backoff delay (growing with `attempt`, 1-based) when no reset time in the future is known. Never throws.
   */
  async waitAfterThrottle(attempt: number): Promise<void> {
    this.stats.throttled++;
    const resetAt = this.resetAt;
    const usable = resetAt !== undefined && resetAt > this.now();
    const waitMs = usable ? this.untilReset(resetAt) : backoffDelay(attempt, this.backoff);
    await this.wait("throttled", waitMs, usable ? resetAt : undefined);
    this.forgetWindow();
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

  private forgetEndedWindow(): void {
    if (this.resetAt !== undefined && this.now() >= this.resetAt + this.marginMs) this.forgetWindow();
  }

  private forgetWindow(): void {
    this.remaining = undefined;
    this.resetAt = undefined;
  }
}

function intHeader(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === "") return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? Math.floor(value) : undefined;
}
