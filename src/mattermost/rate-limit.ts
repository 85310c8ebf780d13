// Client-side view of Mattermost's rate limit (off by default on a server; when on, a GCRA bucket per user or
// token: RateLimitSettings.PerSec with MaxBurst). A 429 carries X-RateLimit-Limit/-Remaining, X-RateLimit-Reset
// and Retry-After, both in SECONDS from now (not epoch times, unlike Gitter's milliseconds), and the plain-text
// body "limit exceeded". mattermost/mattermost server/channels/app/ratelimit.go (RateLimitWriter, setRateLimitHeaders).
//
// One limiter per token, shared by every client using it: after a 429 every request of the token waits until the
// server said a request would pass (Retry-After, else Reset, else a backoff), so a burst is not retried in a herd.
import { backoffDelay, realSleep, type BackoffPolicy, type Sleep } from "../util/backoff";

export interface RateLimitWait {
  waitMs: number;
  /** Where the wait came from: the Retry-After header, X-RateLimit-Reset, or a backoff without either. */
  source: "retry-after" | "reset" | "backoff";
}

export interface RateLimiterOptions {
  now?: () => number;
  sleep?: Sleep;
  /** Upper bound on one wait, so a bogus header cannot park a session for hours. */
  maxWaitMs?: number;
  /** Added to every wait: the headers are whole seconds rounded up, and clocks drift a little. */
  marginMs?: number;
  backoff?: BackoffPolicy;
}

/** Response headers as fetch's Headers or the bridge's HTTP client give them. */
export interface HeaderSource {
  get(name: string): string | null;
}

export class MattermostRateLimiter {
  readonly stats = { throttled: 0, waits: 0, waitedMs: 0 };
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly maxWaitMs: number;
  private readonly marginMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly listeners = new Set<(wait: RateLimitWait) => void>();
  /** No request of this token goes out before this time (ms since epoch); 0 = free. */
  private blockedUntil = 0;

  constructor(options: RateLimiterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.maxWaitMs = options.maxWaitMs ?? 65_000;
    this.marginMs = options.marginMs ?? 100;
    this.backoff = options.backoff ?? { baseMs: 1000, maxMs: 60_000 };
  }

  /** Registers a listener called before every wait (its errors are swallowed). Returns an unsubscribe function. */
  onWait(listener: (wait: RateLimitWait) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Call before sending: resolves at once unless a 429 of this token said to wait. Never throws. */
  async acquire(): Promise<void> {
    for (let wait = this.blockedUntil - this.now(); wait > 0; wait = this.blockedUntil - this.now()) {
      await this.sleep(Math.min(wait, this.maxWaitMs));
    }
  }

  /**
   * Call after a 429 with its headers; blocks until a retry may go (and holds the token's other requests as
   * long). `attempt` (1-based) grows the backoff used when the answer carries neither header. Never throws.
   */
  async waitAfterThrottle(headers: HeaderSource, attempt: number): Promise<void> {
    this.stats.throttled++;
    const wait = this.waitFor(headers, attempt);
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + wait.waitMs);
    this.stats.waits++;
    this.stats.waitedMs += wait.waitMs;
    for (const listener of this.listeners) {
      try {
        listener(wait);
      } catch {
        // A broken metrics hook must not turn a wait into a failed request.
      }
    }
    await this.acquire();
  }

  private waitFor(headers: HeaderSource, attempt: number): RateLimitWait {
    const retryAfter = seconds(headers, "retry-after");
    const reset = seconds(headers, "x-ratelimit-reset");
    const bounded = (ms: number) => Math.min(this.maxWaitMs, ms + this.marginMs);
    if (retryAfter !== undefined) return { waitMs: bounded(retryAfter * 1000), source: "retry-after" };
    if (reset !== undefined) return { waitMs: bounded(reset * 1000), source: "reset" };
    return { waitMs: Math.min(this.maxWaitMs, backoffDelay(attempt, this.backoff)), source: "backoff" };
  }
}

function seconds(headers: HeaderSource, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || !/^\s*\d+(\.\d+)?\s*$/.test(raw)) return undefined;
  return Number(raw);
}
