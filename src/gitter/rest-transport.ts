// One HTTP exchange with Gitter's REST API, with the retry rules in one place:
// - 429 is always retried after the rate-limit wait (Gitter refused it before doing anything);
// - 5xx and network failures are retried with jittered backoff only for requests that are safe to repeat;
// - a request that is not safe to repeat (posting a message) fails with GitterMaybeDeliveredError when it may
//   have reached Gitter, so the caller can check history instead of posting twice;
// - a 2xx answer the caller cannot use (not JSON, or failing the request's `expect` check) is never retried: it
//   fails with GitterBadResponseError (GitterMaybeDeliveredError around it for requests not safe to repeat).

import { backoffDelay, realSleep, type Sleep } from "../util/backoff";
import { fromFetch, httpSend, NOT_SENT_CODES, type HttpRequestInit, type HttpResponse, type HttpSend } from "../util/http";
import { getLogger } from "../util/log";
import {
  GitterApiError,
  GitterBadResponseError,
  GitterMaybeDeliveredError,
  GitterNetworkError,
  GitterNotFoundError,
  GitterTokenInvalidError,
  redactSecret,
  type ApiErrorDetails,
} from "./errors";
import { RateLimiter } from "./rate-limit";

const log = getLogger("gitter.rest");

export interface RetryPolicy {
  /** Attempts (first included) for 5xx and network failures of repeatable requests. */
  maxAttempts: number;
  /** 429 answers tolerated for one request before giving up with its GitterApiError. */
  maxThrottled: number;
  baseMs: number;
  maxMs: number;
  /** Per-attempt timeout, in ms. */
  timeoutMs: number;
  random?: () => number;
  sleep?: Sleep;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, maxThrottled: 8, baseMs: 500, maxMs: 15_000, timeoutMs: 30_000 };

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestSpec {
  method: Method;
  /** Starts with "/v1/". Path segments must already be encoded. */
  path: string;
  query?: Query;
  body?: unknown;
  /** True when sending the request twice does no harm (GETs, joins, mark-read...). */
  repeatable: boolean;
  /** For deletes: a 404 after a retried attempt means the first attempt already did it. */
  goneAfterRetryIsDone?: boolean;
  /** Checks the parsed 2xx body: null when usable, else what is wrong (see ./validate). */
  expect?: (body: unknown) => string | null;
}

export interface TransportOptions {
  /** Base such as https://api.gitter.im or https://gitter.im/api (a trailing /v1 is tolerated). */
  apiUrl: string;
  token: string;
  /** Stands in for the built-in HTTP client (tests). */
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  limiter?: RateLimiter;
  /** Shared by every client of the process to bound requests in flight; each attempt's timeout starts inside it. */
  gate?: RequestGate;
}

export interface RequestGate {
  /** Runs `task` when a slot is free (may wait); settles with its outcome. */
  run<T>(task: () => Promise<T>): Promise<T>;
}

type Outcome =
  | { kind: "done"; value: unknown }
  | { kind: "unusable"; error: GitterBadResponseError }
  | { kind: "throttled"; error: GitterApiError }
  | { kind: "failed"; error: GitterApiError | GitterNetworkError; maybeSent: boolean }
  | { kind: "refused"; error: GitterApiError };


export class RestTransport {
  readonly limiter: RateLimiter;
  private readonly base: string;
  private readonly token: string;
  private readonly send: HttpSend;
  private readonly policy: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly gate: RequestGate | undefined;

  constructor(options: TransportOptions) {
    this.base = options.apiUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
    this.token = options.token;
    this.send = options.fetch ? fromFetch(options.fetch) : httpSend;
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.sleep = this.policy.sleep ?? realSleep;
    this.limiter = options.limiter ?? new RateLimiter();
    this.gate = options.gate;
  }

  /**
   * Sends the request, waiting out rate limits and retrying as the header comment says.
   * Resolves with the parsed JSON body, or undefined for an empty body (204).
   * Throws GitterTokenInvalidError (401), GitterNotFoundError (404), GitterApiError (other statuses),
   * GitterNetworkError, GitterBadResponseError (a 2xx body that is not JSON or fails `spec.expect`), or
   * GitterMaybeDeliveredError (non-repeatable request that may have arrived).
   */
  async request(spec: RequestSpec): Promise<unknown> {
    const url = this.urlFor(spec);
    let failures = 0;
    let throttles = 0;
    for (;;) {
      const release = await this.limiter.acquire();
      const attempt = () => this.once(spec, url);
      const outcome = await (this.gate ? this.gate.run(attempt) : attempt()).finally(release);
      if (outcome.kind === "done") return outcome.value;
      if (outcome.kind === "unusable") throw spec.repeatable ? outcome.error : new GitterMaybeDeliveredError(outcome.error);
      if (outcome.kind === "refused") {
        if (spec.goneAfterRetryIsDone && failures > 0 && outcome.error.status === 404) return undefined;
        throw outcome.error;
      }
      if (outcome.kind === "throttled") {
        if (++throttles >= this.policy.maxThrottled) throw outcome.error;
        log.info("Gitter rate limit hit, waiting for the window to reset", { method: spec.method, path: url.pathname });
        await this.limiter.waitAfterThrottle(throttles);
        continue;
      }
      if (!spec.repeatable && outcome.maybeSent) throw new GitterMaybeDeliveredError(outcome.error);
      if (++failures >= this.policy.maxAttempts) throw outcome.error;
      const delay = backoffDelay(failures, this.policy);
      log.warn("Gitter request failed, retrying", { method: spec.method, path: url.pathname, delayMs: delay, error: outcome.error.message });
      await this.sleep(delay);
    }
  }

  private urlFor(spec: RequestSpec): URL {
    const url = new URL(this.base + spec.path);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  private async once(spec: RequestSpec, url: URL): Promise<Outcome> {
    const where = url.pathname + url.search;
    let res: HttpResponse;
    let text: string;
    try {
      res = await this.send(url, this.init(spec));
    } catch (err) {
      return { kind: "failed", error: new GitterNetworkError(spec.method, where, err), maybeSent: !neverSent(err) };
    }
    this.limiter.update(res.headers);
    try {
      text = await res.text();
    } catch (err) {
      return { kind: "failed", error: new GitterNetworkError(spec.method, where, err), maybeSent: true };
    }
    const details: ApiErrorDetails = { status: res.status, method: spec.method, path: where, bodyText: redactSecret(text, this.token) };
    if (res.ok) return accept(spec, text, details);
    const error = errorFor(details);
    if (res.status === 429) return { kind: "throttled", error };
    if (res.status >= 500) return { kind: "failed", error, maybeSent: true };
    return { kind: "refused", error };
  }

  private init(spec: RequestSpec): HttpRequestInit {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.token}`,
      Accept: "application/json",
    };
    const init: HttpRequestInit = { method: spec.method, headers, timeoutMs: this.policy.timeoutMs };
    if (spec.body !== undefined) {
      // A Buffer with an explicit length: Gitter answers 406 to chunked request bodies.
      const payload = Buffer.from(JSON.stringify(spec.body), "utf8");
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = String(payload.byteLength);
      init.body = payload;
    }
    return init;
  }
}

/** A 2xx answer: its parsed body, or why it cannot be used. An empty body (204) is undefined. */
function accept(spec: RequestSpec, text: string, details: ApiErrorDetails): Outcome {
  let value: unknown;
  if (details.status !== 204 && text.trim() !== "") {
    try {
      value = JSON.parse(text);
    } catch {
      return { kind: "unusable", error: new GitterBadResponseError(details, "unparseable success body") };
    }
  }
  const problem = spec.expect?.(value) ?? null;
  return problem === null ? { kind: "done", value } : { kind: "unusable", error: new GitterBadResponseError(details, problem) };
}

function errorFor(details: ApiErrorDetails): GitterApiError {
  if (details.status === 401) return new GitterTokenInvalidError(details);
  if (details.status === 404) return new GitterNotFoundError(details);
  return new GitterApiError(details);
}

function neverSent(err: unknown): boolean {
  const cause = err instanceof Error ? (err as Error & { cause?: { code?: unknown } }).cause : undefined;
  return typeof cause?.code === "string" && NOT_SENT_CODES.has(cause.code);
}
