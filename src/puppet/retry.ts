// Waiting out outages instead of dropping work. The Matrix and Gitter clients already retry a call a few times;
// when those retries are spent because the homeserver, Gitter or the database is down for longer, the work
// itself (bridging one message) is retried here, with backoff, until it succeeds or its owner stops. Callers
// run it inside their room's queue, so a room waits in order and other rooms are not held up.
//
// Only failures that say "unreachable, busy or overloaded" are retried. Anything else (a refusal, a bug) is
// thrown at once: retrying it forever would wedge the room.
import { MatrixApiError } from "../matrix/errors";
import { backoffDelay, type BackoffPolicy } from "../util/backoff";
import { BridgeError, isTransientDatabaseError } from "../util/errors";

/** The work's owner (a session, the bridge) stopped before it could be done. Not a failure of the work. */
export class Stopped extends Error {
  constructor(reason: unknown) {
    super(`stopped: ${typeof reason === "string" ? reason : "no longer running"}`);
    this.name = "Stopped";
  }
}

export const OUTAGE_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 15_000 };

/** True when `err` says a service was unreachable, overloaded or rate-limiting: worth waiting out. Never throws. */
export function isOutage(err: unknown): boolean {
  // A network's (NetworkError: "unavailable" and "maybe-delivered"), the homeserver's and, while parts of the core
  // still call Gitter's client, Gitter's request failures. A failure retried elsewhere or not to be repeated says
  // so (worthWaitingOut): the realtime client reconnects by itself, and a login's code exchange is the person's to
  // start again.
  if (err instanceof BridgeError) return err.worthWaitingOut;
  return isTransientDatabaseError(err);
}

/**
 * How long to wait before trying again after `err` on retry number `attempt` (1 = first), or null when `err`
 * is not an outage and must not be retried. A homeserver's `retry_after_ms` is a floor. Never throws.
 */
export function outageDelay(err: unknown, attempt: number, policy: BackoffPolicy = OUTAGE_BACKOFF): number | null {
  if (!isOutage(err)) return null;
  const asked = err instanceof MatrixApiError ? (err.retryAfterMs ?? 0) : 0;
  return Math.max(asked, backoffDelay(attempt, policy));
}

export interface UntilDoneOptions {
  /** Aborting it ends the waiting: the pending attempt is not started and Stopped is thrown. */
  signal: AbortSignal;
  backoff?: BackoffPolicy;
  /** Called before each wait, for logging. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Runs `fn` until it resolves. Outages are waited out with backoff (blocking the caller, for as long as they
 * last); any other failure is rethrown at once. Throws Stopped when `signal` is aborted before or between
 * attempts (an attempt already running is not interrupted).
 */
export async function untilDone<T>(fn: () => Promise<T>, opts: UntilDoneOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (opts.signal.aborted) throw new Stopped(opts.signal.reason);
    try {
      return await fn();
    } catch (err) {
      const delay = outageDelay(err, attempt, opts.backoff);
      if (delay === null) throw err;
      if (opts.signal.aborted) throw new Stopped(opts.signal.reason);
      opts.onRetry?.(err, attempt, delay);
      await sleepUnlessAborted(delay, opts.signal);
    }
  }
}

/** Resolves after `ms`, or as soon as `signal` is aborted (never rejects). */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** What a session's work waits with (SessionContext has both): its lifetime, and the waits between attempts. */
export interface SessionWaits {
  lifetime: AbortSignal;
  /** OUTAGE_BACKOFF when absent. */
  outageBackoff?: BackoffPolicy;
}

/** untilDone for a session's work: it ends with the session and waits as the session's context says. */
export function untilSessionDone<T>(ctx: SessionWaits, fn: () => Promise<T>, onRetry?: UntilDoneOptions["onRetry"]): Promise<T> {
  return untilDone(fn, { signal: ctx.lifetime, backoff: ctx.outageBackoff, onRetry });
}
