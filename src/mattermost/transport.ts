// One HTTP exchange with Mattermost's REST API v4 (bearer token). The retry rules live in
// src/util/rest-exchange.ts; what is Mattermost's own is here, with which requests are safe to repeat:
// - 429 is retried after the wait the answer asks for (./rate-limit), a bounded number of times;
// - 5xx and network failures are retried with jittered backoff for requests that are safe to repeat;
// - a create carrying a pending_post_id is safe to repeat only while the server still remembers that id
//   (30 s: mattermost/mattermost server/channels/app/post.go deduplicateCreatePost, pendingPostIDsCacheTTL);
//   a repeat within it returns the post the first attempt made instead of posting twice, and a repeat that
//   arrives while the first is still being saved is a 500 `api.post.deduplicate_create_post.pending`, retried too.
//   The window is asked again right before each later send (after the rate-limit wait), and a create that may have
//   arrived fails MattermostMaybeDeliveredError rather than be sent late, or when its attempts run out;
// - any other request not safe to repeat fails with MattermostMaybeDeliveredError when it may have arrived;
// - a 2xx answer the caller cannot use (not JSON, or failing `expect`) is never retried: MattermostBadResponseError.
import { realSleep, type Sleep } from "../util/backoff";
import { fromFetch, httpSend, type HttpRequestInit, type HttpResponse } from "../util/http";
import { getLogger } from "../util/log";
import { exchange, urlWithQuery, withRetries, type ErrorKinds, type Query, type RetryPolicy, type Wire } from "../util/rest-exchange";
import {
  MattermostApiError,
  MattermostBadResponseError,
  MattermostMaybeDeliveredError,
  MattermostNetworkError,
  MattermostNotFoundError,
  MattermostTokenInvalidError,
} from "./errors";
import { MattermostRateLimiter } from "./rate-limit";

export type { Query, RetryPolicy };

const log = getLogger("mattermost.rest");

/** Retries of a create with a pending_post_id stop this long after its first attempt: the server's window is 30 s. */
export const PENDING_POST_RETRY_MS = 25_000;

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, maxThrottled: 6, baseMs: 500, maxMs: 15_000, timeoutMs: 30_000 };

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface RequestSpec {
  method: Method;
  /** Under /api/v4, e.g. "/users/me". Path segments must already be encoded. */
  path: string;
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (a multipart upload). */
  raw?: { data: Uint8Array; contentType: string };
  /** True when sending the request twice does no harm (GETs, joins, views...). */
  repeatable: boolean;
  /** A create the server deduplicates for a while (pending_post_id): repeatable for this long after the first attempt. */
  repeatableForMs?: number;
  /** Checks the parsed 2xx body: null when usable, else what is wrong (see ./validate). */
  expect?: (body: unknown) => string | null;
  /** Answer with the raw bytes and content type instead of parsed JSON. */
  binary?: boolean;
}

export interface Download {
  data: Uint8Array;
  contentType: string;
}

export interface TransportOptions {
  /** The server's base URL, e.g. https://chat.example.com (a trailing /api/v4 is tolerated). */
  serverUrl: string;
  token: string;
  /** Stands in for the built-in HTTP client (tests). */
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  /** Share one per token between every client using it. */
  limiter?: MattermostRateLimiter;
  now?: () => number;
}

const ERRORS: ErrorKinds<MattermostApiError, MattermostNetworkError> = {
  Api: MattermostApiError, TokenInvalid: MattermostTokenInvalidError, NotFound: MattermostNotFoundError,
  BadResponse: MattermostBadResponseError, Network: MattermostNetworkError, MaybeDelivered: MattermostMaybeDeliveredError,
};

export class MattermostTransport {
  readonly limiter: MattermostRateLimiter;
  readonly baseUrl: string;
  private readonly token: string;
  private readonly wire: Wire<MattermostApiError, MattermostNetworkError>;
  private readonly policy: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly now: () => number;

  constructor(options: TransportOptions) {
    this.baseUrl = options.serverUrl.replace(/\/+$/, "").replace(/\/api\/v4$/, "");
    this.token = options.token;
    this.wire = { send: options.fetch ? fromFetch(options.fetch) : httpSend, token: this.token, errors: ERRORS };
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.sleep = this.policy.sleep ?? realSleep;
    this.limiter = options.limiter ?? new MattermostRateLimiter();
    this.now = options.now ?? Date.now;
  }

  /**
   * Sends the request, waiting out rate limits and retrying as the header comment says. Resolves with the parsed
   * JSON body (undefined for an empty one), or a Download for `binary`. Throws MattermostTokenInvalidError (401),
   * MattermostNotFoundError (404), MattermostApiError, MattermostNetworkError, MattermostBadResponseError, or
   * MattermostMaybeDeliveredError (a request not safe to repeat that may have arrived).
   */
  async request(spec: RequestSpec): Promise<unknown> {
    const url = urlWithQuery(`${this.baseUrl}/api/v4${spec.path}`, spec.query);
    const started = this.now();
    return withRetries({
      policy: this.policy,
      sleep: this.sleep,
      log,
      party: "Mattermost",
      method: spec.method,
      path: url.pathname,
      throttleNote: "Mattermost rate limit hit, waiting",
      attempt: async (beforeSend) => {
        await this.limiter.acquire();
        beforeSend(); // the wait for a slot may have outlived the server's memory of a pending_post_id
        return exchange({ ...this.wire, url, method: spec.method, init: () => this.init(spec), expect: spec.expect, read: (res) => readBody(res, spec.binary === true) });
      },
      repeatable: () => this.repeatable(spec, started),
      windowed: !spec.repeatable && spec.repeatableForMs !== undefined,
      waitAfterThrottle: (headers, throttles) => this.limiter.waitAfterThrottle(headers, throttles),
      errors: ERRORS,
    });
  }

  private repeatable(spec: RequestSpec, started: number): boolean {
    return spec.repeatable || (spec.repeatableForMs !== undefined && this.now() - started < spec.repeatableForMs);
  }

  private init(spec: RequestSpec): HttpRequestInit {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: "application/json", "X-Requested-With": "XMLHttpRequest" };
    const init: HttpRequestInit = { method: spec.method, headers, timeoutMs: this.policy.timeoutMs };
    if (spec.raw) {
      headers["Content-Type"] = spec.raw.contentType;
      init.body = spec.raw.data;
    } else if (spec.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = Buffer.from(JSON.stringify(spec.body), "utf8");
    }
    return init;
  }
}

/** A 2xx download as it came (a Download), else the body's text, read as bytes so a download keeps them unchanged. */
async function readBody(res: HttpResponse, binary: boolean): Promise<string | { value: Download }> {
  const bytes = res.bytes ? await res.bytes() : Buffer.from(await res.text(), "utf8");
  if (binary && res.ok) return { value: { data: bytes, contentType: res.headers.get("content-type") ?? "application/octet-stream" } };
  return Buffer.from(bytes).toString("utf8");
}
