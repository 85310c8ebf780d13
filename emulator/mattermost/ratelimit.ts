// The server's rate limiter (off unless RateLimitSettings.Enable): a GCRA bucket per key (per user with
// VaryByUser), PerSec requests a second with MaxBurst; defaults 10 and 100. A limited request gets 429 with the
// plain-text body "limit exceeded", not an AppError. X-RateLimit-Reset and Retry-After are SECONDS from now.
// mattermost/mattermost server/channels/app/ratelimit.go RateLimitWriter, setRateLimitHeaders (from throttled's GCRA)
import type { Response } from "express";

export interface RateVerdict {
  limited: boolean;
  limit: number;
  remaining: number;
  /** ms until the bucket is full again */
  resetAfterMs: number;
  /** ms until a request would pass; -1 when not limited */
  retryAfterMs: number;
}

export class GcraLimiter {
  private readonly tat = new Map<string, number>();

  constructor(
    public perSec = 10,
    public burst = 100,
    public enabled = true,
  ) {}

  configure(perSec: number, burst: number, enabled = true): void {
    Object.assign(this, { perSec, burst, enabled });
    this.tat.clear();
  }

  hit(key: string, now = Date.now()): RateVerdict {
    const interval = 1000 / this.perSec;
    const tolerance = interval * (this.burst + 1);
    const tat = Math.max(this.tat.get(key) ?? now, now);
    const newTat = tat + interval;
    const diff = now - (newTat - tolerance);
    const limited = diff < 0;
    const ttl = limited ? tat - now : newTat - now;
    if (!limited) this.tat.set(key, newTat);
    const next = tolerance - ttl;
    return {
      limited,
      limit: this.burst + 1,
      remaining: next > -interval ? Math.max(Math.floor(next / interval), 0) : 0,
      resetAfterMs: ttl,
      retryAfterMs: limited ? -diff : -1,
    };
  }
}

/** Sets the headers and, when limited, answers 429; returns whether the request may go on. */
export function applyRateLimit(limiter: GcraLimiter, key: string, res: Response): boolean {
  if (!limiter.enabled) return true;
  const v = limiter.hit(key);
  res.setHeader("X-RateLimit-Limit", String(v.limit));
  res.setHeader("X-RateLimit-Remaining", String(v.remaining));
  res.setHeader("X-RateLimit-Reset", String(Math.ceil(v.resetAfterMs / 1000)));
  if (!v.limited) return true;
  res.setHeader("Retry-After", String(Math.ceil(v.retryAfterMs / 1000)));
  res.status(429).type("text/plain").send("limit exceeded\n");
  return false;
}
