// One HTTP exchange with Mattermost's REST API v4 (bearer token), with the retry rules in one place:
// - 429 is retried after the wait the answer asks for (./rate-limit), a bounded number of times;
// - 5xx and network failures are retried with jittered backoff for requests that are safe to repeat;
// - a create carrying a pending_post_id is safe to repeat only while the server still remembers that id
//   (30 s: mattermost/mattermost server/channels/app/post.go deduplicateCreatePost, pendingPostIDsCacheTTL);
//   a repeat within it returns the post the first attempt made instead of posting twice, and a repeat that
//   arrives while the first is still being saved is a 500 `api.post.deduplicate_create_post.pending`, retried too;
// - any other request not safe to repeat fails with MattermostMaybeDeliveredError when it may have arrived;
// - a 2xx answer the caller cannot use (not JSON, or failing `expect`) is never retried: MattermostBadResponseError.
import { backoffDelay, realSleep, type Sleep } from "../util/backoff";
import { fromFetch, httpSend, NOT_SENT_CODES, type HttpRequestInit, type HttpResponse, type HttpSend } from "../util/http";
import { getLogger } from "../util/log";
import {
  MattermostApiError,
  MattermostBadResponseError,
  MattermostMaybeDeliveredError,
  MattermostNetworkError,
  MattermostNotFoundError,
  MattermostTokenInvalidError,
  redactSecret,
  type ApiErrorDetails,
} from "./errors";
import { MattermostRateLimiter } from "./rate-limit";

const log = getLogger("mattermost.rest");

/** Retries of a create with a pending_post_id stop this long after its first attempt: the server's window is 30 s. */
export const PENDING_POST_RETRY_MS = 25_000;

export interface RetryPolicy {
  /** Attempts (first included) for 5xx and network failures of repeatable requests. */
  maxAttempts: number;
  /** 429 answers tolerated for one request before giving up with its MattermostApiError. */
  maxThrottled: number;
  baseMs: number;
  maxMs: number;
  /** Per-attempt timeout, in ms. */
  timeoutMs: number;
  random?: () => number;
  sleep?: Sleep;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, maxThrottled: 6, baseMs: 500, maxMs: 15_000, timeoutMs: 30_000 };

export type Method = "GET" | "POST" | "PUT" | "DELETE";
export type Query = Record<string, string | number | boolean | undefined>;

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

type Outcome =
  | { kind: "done"; value: unknown }
  | { kind: "unusable"; error: MattermostBadResponseError }
  | { kind: "throttled"; error: MattermostApiError; headers: HttpResponse["headers"] }
  | { kind: "failed"; error: MattermostApiError | MattermostNetworkError; maybeSent: boolean }
  | { kind: "refused"; error: MattermostApiError };

export class MattermostTransport {
  readonly limiter: MattermostRateLimiter;
  readonly baseUrl: string;
  private readonly token: string;
  private readonly send: HttpSend;
  private readonly policy: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly now: () => number;

  constructor(options: TransportOptions) {
    this.baseUrl = options.serverUrl.replace(/\/+$/, "").replace(/\/api\/v4$/, "");
    this.token = options.token;
    this.send = options.fetch ? fromFetch(options.fetch) : httpSend;
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
    const url = this.urlFor(spec);
    const started = this.now();
    let failures = 0;
    let throttles = 0;
    for (;;) {
      await this.limiter.acquire();
      const outcome = await this.once(spec, url);
      if (outcome.kind === "done") return outcome.value;
      if (outcome.kind === "unusable") throw this.repeatable(spec, started) ? outcome.error : new MattermostMaybeDeliveredError(outcome.error);
      if (outcome.kind === "refused") throw outcome.error;
      if (outcome.kind === "throttled") {
        if (++throttles >= this.policy.maxThrottled) throw outcome.error;
        log.info("Mattermost rate limit hit, waiting", { method: spec.method, path: url.pathname });
        await this.limiter.waitAfterThrottle(outcome.headers, throttles);
        continue;
      }
      if (outcome.maybeSent && !this.repeatable(spec, started)) throw new MattermostMaybeDeliveredError(outcome.error);
      if (++failures >= this.policy.maxAttempts) throw outcome.error;
      const delay = backoffDelay(failures, this.policy);
      log.warn("Mattermost request failed, retrying", { method: spec.method, path: url.pathname, delayMs: delay, error: outcome.error.message });
      await this.sleep(delay);
    }
  }

  private repeatable(spec: RequestSpec, started: number): boolean {
    return spec.repeatable || (spec.repeatableForMs !== undefined && this.now() - started < spec.repeatableForMs);
  }

  private urlFor(spec: RequestSpec): URL {
    const url = new URL(`${this.baseUrl}/api/v4${spec.path}`);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  private async once(spec: RequestSpec, url: URL): Promise<Outcome> {
    const where = url.pathname + url.search;
    let res: HttpResponse;
    let bytes: Uint8Array;
    try {
      res = await this.send(url, this.init(spec));
    } catch (err) {
      return { kind: "failed", error: new MattermostNetworkError(spec.method, where, err), maybeSent: !neverSent(err) };
    }
    try {
      bytes = res.bytes ? await res.bytes() : Buffer.from(await res.text(), "utf8");
    } catch (err) {
      return { kind: "failed", error: new MattermostNetworkError(spec.method, where, err), maybeSent: true };
    }
    const text = spec.binary && res.ok ? "" : Buffer.from(bytes).toString("utf8");
    const details: ApiErrorDetails = { status: res.status, method: spec.method, path: where, bodyText: redactSecret(text, this.token) };
    if (res.ok && spec.binary) return { kind: "done", value: { data: bytes, contentType: res.headers.get("content-type") ?? "application/octet-stream" } };
    if (res.ok) return accept(spec, text, details);
    const error = errorFor(details);
    if (res.status === 429) return { kind: "throttled", error, headers: res.headers };
    if (res.status >= 500) return { kind: "failed", error, maybeSent: true };
    return { kind: "refused", error };
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

/** A 2xx answer: its parsed body, or why it cannot be used. An empty body is undefined. */
function accept(spec: RequestSpec, text: string, details: ApiErrorDetails): Outcome {
  let value: unknown;
  if (text.trim() !== "") {
    try {
      value = JSON.parse(text);
    } catch {
      return { kind: "unusable", error: new MattermostBadResponseError(details, "unparseable success body") };
    }
  }
  const problem = spec.expect?.(value) ?? null;
  return problem === null ? { kind: "done", value } : { kind: "unusable", error: new MattermostBadResponseError(details, problem) };
}

function errorFor(details: ApiErrorDetails): MattermostApiError {
  if (details.status === 401) return new MattermostTokenInvalidError(details);
  if (details.status === 404) return new MattermostNotFoundError(details);
  return new MattermostApiError(details);
}

function neverSent(err: unknown): boolean {
  const cause = err instanceof Error ? (err as Error & { cause?: { code?: unknown } }).cause : undefined;
  return typeof cause?.code === "string" && NOT_SENT_CODES.has(cause.code);
}
