// Jittered exponential backoff. Pure apart from the injected `random` and `sleep`, so tests can
// drive it deterministically and never wait for real.

export interface BackoffPolicy {
  /** Delay ceiling for the first retry, in ms. */
  baseMs: number;
  /** No delay ever exceeds this, in ms. */
  maxMs: number;
  /** Growth per attempt; 2 unless told. */
  factor?: number;
  /** Returns [0, 1); Math.random unless told. */
  random?: () => number;
}

/** Sleeps `ms` milliseconds. Injected so tests can record waits instead of taking them. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Delay before retry number `attempt` (1 = first retry), using "equal jitter": half the exponential
 * ceiling is fixed and half is random. Fully random ("full jitter") would sometimes retry at once,
 * which is what we must not do to a server that just failed; no jitter makes many clients retry in step.
 * Never throws; returns an integer in [ceiling/2, ceiling].
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy): number {
  const factor = policy.factor ?? 2;
  const random = policy.random ?? Math.random;
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * Math.pow(factor, exponent));
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}

export interface RetryOptions<E = unknown> extends BackoffPolicy {
  /** Total attempts including the first (>= 1). */
  maxAttempts: number;
  /** Whether this failure may be retried. Return false to rethrow at once. */
  shouldRetry: (err: E, attempt: number) => boolean;
  /** Called before each wait; for logging and metrics. */
  onRetry?: (err: E, attempt: number, delayMs: number) => void;
  sleep?: Sleep;
}

/**
 * Runs `fn` until it succeeds, `shouldRetry` says no, or `maxAttempts` is reached; then rethrows the
 * last error. Blocks (awaits) between attempts. `fn` receives the 1-based attempt number.
 */
export async function retryWithBackoff<T, E = unknown>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions<E>,
): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= options.maxAttempts || !options.shouldRetry(err as E, attempt)) throw err;
      const delay = backoffDelay(attempt, options);
      options.onRetry?.(err as E, attempt, delay);
      await sleep(delay);
    }
  }
}
