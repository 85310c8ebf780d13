// One HTTP exchange with Gitter's REST API. The retry rules live in src/util/rest-exchange.ts; what is Gitter's
// own is here: its URLs and headers, its rate limit (./rate-limit), the shared gate, its error classes, and which
// requests are safe to repeat:
// - a request that is not (posting a message) fails with GitterMaybeDeliveredError when it may have reached
//   Gitter, so the caller can check history instead of posting twice;
// - a 2xx answer the caller cannot use (not JSON, or failing the request's `expect` check) fails with
//   GitterBadResponseError (GitterMaybeDeliveredError around it for requests not safe to repeat);
// - a delete whose retry is answered 404 was done by the attempt whose answer was lost.

import { realSleep, type Sleep } from "../util/backoff";
import { fromFetch, httpSend, type HttpRequestInit } from "../util/http";
import { getLogger } from "../util/log";
import { exchange, urlWithQuery, withRetries, type ErrorKinds, type Outcome, type Query, type RetryPolicy, type Wire } from "../util/rest-exchange";
import {
  GitterApiError,
  GitterBadResponseError,
  GitterMaybeDeliveredError,
  GitterNetworkError,
  GitterNotFoundError,
  GitterTokenInvalidError,
} from "./errors";
import { RateLimiter } from "./rate-limit";

export type { Query, RetryPolicy };

const log = getLogger("gitter.rest");

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, maxThrottled: 8, baseMs: 500, maxMs: 15_000, timeoutMs: 30_000 };

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

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

const ERRORS: ErrorKinds<GitterApiError, GitterNetworkError> = {
  Api: GitterApiError, TokenInvalid: GitterTokenInvalidError, NotFound: GitterNotFoundError,
  BadResponse: GitterBadResponseError, Network: GitterNetworkError, MaybeDelivered: GitterMaybeDeliveredError,
};

export class RestTransport {
  readonly limiter: RateLimiter;
  private readonly base: string;
  private readonly token: string;
  private readonly wire: Wire<GitterApiError, GitterNetworkError>;
  private readonly policy: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly gate: RequestGate | undefined;

  constructor(options: TransportOptions) {
    this.base = options.apiUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
    this.token = options.token;
    this.wire = { send: options.fetch ? fromFetch(options.fetch) : httpSend, token: this.token, errors: ERRORS };
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
    const url = urlWithQuery(this.base + spec.path, spec.query);
    return withRetries({
      policy: this.policy,
      sleep: this.sleep,
      log,
      party: "Gitter",
      method: spec.method,
      path: url.pathname,
      throttleNote: "Gitter rate limit hit, waiting for the window to reset",
      attempt: () => this.attempt(spec, url),
      repeatable: () => spec.repeatable,
      doneWhenRefused: (error, failures) => spec.goneAfterRetryIsDone === true && failures > 0 && error.status === 404,
      waitAfterThrottle: (_headers, throttles) => this.limiter.waitAfterThrottle(throttles),
      errors: ERRORS,
    });
  }

  /** One attempt inside a rate-limit slot (and the gate's, when there is one). */
  private async attempt(spec: RequestSpec, url: URL): Promise<Outcome<GitterApiError, GitterNetworkError>> {
    const release = await this.limiter.acquire();
    const once = () =>
      exchange({ ...this.wire, url, method: spec.method, init: () => this.init(spec), expect: spec.expect, onHeaders: (headers) => this.limiter.update(headers) });
    return (this.gate ? this.gate.run(once) : once()).finally(release);
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
