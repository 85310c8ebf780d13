// Gitter's API rate limiter (dolph): a fixed window per (user, OAuth client) that starts at the first request,
// 100 requests per 60 s by default. Reset is reported in epoch MILLISECONDS, as Gitter did.
import type { NextFunction, Request, Response } from "express";

export interface RateVerdict {
  limit: number;
  remaining: number;
  resetMs: number;
  allowed: boolean;
}

export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetMs: number }>();

  constructor(
    public limit = 100,
    public windowMs = 60_000,
  ) {}

  /** Changes the limit (and window) and forgets every open window. */
  configure(limit: number, windowMs: number = this.windowMs): void {
    this.limit = limit;
    this.windowMs = windowMs;
    this.windows.clear();
  }

  /** Counts one request for the key. */
  hit(key: string, now: number = Date.now()): RateVerdict {
    let w = this.windows.get(key);
    if (!w || w.resetMs <= now) {
      w = { count: 0, resetMs: now + this.windowMs };
      this.windows.set(key, w);
    }
    w.count += 1;
    return { limit: this.limit, remaining: Math.max(this.limit - w.count, 0), resetMs: w.resetMs, allowed: w.count <= this.limit };
  }
}

/** Express middleware; `keyOf` names the (user, client) pair of an authenticated request. */
export function rateLimitMiddleware(limiter: RateLimiter, keyOf: (res: Response) => string) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const v = limiter.hit(keyOf(res));
    res.setHeader("X-RateLimit-Limit", String(v.limit));
    res.setHeader("X-RateLimit-Remaining", String(v.remaining));
    res.setHeader("X-RateLimit-Reset", String(v.resetMs));
    if (!v.allowed) {
      // The reason phrase only, like every Gitter error, and no Retry-After: X-RateLimit-Reset says when.
      res.status(429).json({ error: "Too Many Requests" });
      return;
    }
    next();
  };
}

/** Gitter refuses chunked request bodies on its API (406). */
export function rejectChunked(req: Request, res: Response, next: NextFunction): void {
  const te = req.headers["transfer-encoding"];
  if (te && /chunked/i.test(te)) {
    // zero804/gitter server/web/middlewares/disallow-transfer-encoding-chunked.js; the error handler keeps only the reason phrase.
    res.status(406).json({ error: "Not Acceptable" });
    return;
  }
  next();
}
