// One HTTP call to the homeserver, retried until it succeeds or gives up. Built on the bridge's own HTTP client
// (util/http) rather than a Matrix SDK: the bridge decides retries, ordering and idempotency itself (txn ids, the
// inbox, per-room queues) and needs none of an SDK's sync loop, storage or hidden state.
//
// A call returns only after it succeeded or gave up, so callers that await each call in turn keep their
// order: a retried request is never overtaken by the next one from the same caller.
import { backoffDelay, realSleep, type BackoffPolicy, type Sleep } from "../util/backoff";
import { httpSend, NOT_SENT_CODES, type HttpResponse } from "../util/http";
import { getLogger } from "../util/log";
import { CONNECTION_FAILED, MatrixApiError } from "./errors";

const log = getLogger("matrix-http");

export interface TransportOptions {
  homeserverUrl: string;
  /** The registration's as_token. Sent only in the Authorization header, never logged. */
  asToken: string;
  /** Attempts per call including the first (default 6). */
  maxAttempts?: number;
  /** Backoff for 5xx and network failures (default 500 ms doubling up to 30 s, jittered). */
  backoff?: BackoffPolicy;
  /** Longest wait a 429 may ask for before the call gives up instead (default 60 s). */
  maxRetryAfterMs?: number;
  /** Per-attempt timeout (default 60 s). */
  timeoutMs?: number;
  sleep?: Sleep;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface RequestSpec {
  method: HttpMethod;
  /** Path with every variable part already encoded. */
  path: string;
  /** URLSearchParams where a key repeats (`via`). */
  query?: Record<string, string | undefined> | URLSearchParams;
  json?: unknown;
  bytes?: Uint8Array;
  contentType?: string;
  /**
   * False for calls that must not be repeated once the homeserver may have acted (creating a room):
   * those are retried only when the homeserver surely did nothing (429, connection refused).
   */
  idempotent?: boolean;
  /**
   * For requests whose idempotency lives only in the homeserver's memory (a send's transaction id: Synapse
   * forgets it when it restarts): looks for the effect of an earlier attempt that may have been applied
   * although no answer came. Resolves with the body to answer with, or undefined when there is none. Before
   * repeating such a request (in this call or a later one for the same method and path), this is asked first.
   */
  verify?: () => Promise<unknown>;
  /** With `verify`: an earlier process may already have made this request; look before the first attempt too. */
  verifyFirst?: boolean;
}

type Outcome =
  | { ok: true; body: unknown }
  | { ok: false; error: MatrixApiError; retryable: boolean; waitMs?: number; maybeApplied: boolean };

/** Requests remembered as "may have been applied", at most; the oldest are forgotten first. */
const MAX_UNCERTAIN = 10_000;

export class Transport {
  private readonly base: string;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffPolicy;
  private readonly maxRetryAfterMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: Sleep;
  /** `${method} ${path}` of verifiable requests that failed after they may have been applied. */
  private readonly uncertain = new Set<string>();

  constructor(private readonly options: TransportOptions) {
    this.base = options.homeserverUrl.replace(/\/+$/, "");
    this.maxAttempts = options.maxAttempts ?? 6;
    this.backoff = options.backoff ?? { baseMs: 500, maxMs: 30_000 };
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Resolves with the parsed JSON body; rejects with a MatrixApiError once retries are spent. */
  async request<T>(spec: RequestSpec): Promise<T> {
    const key = spec.verify ? `${spec.method} ${spec.path}` : null;
    if (key && spec.verifyFirst) this.remember(key);
    for (let attempt = 1; ; attempt++) {
      const outcome = key && this.uncertain.has(key) ? await this.verifyFirst(spec, key) : await this.attempt(spec);
      if (outcome.ok) {
        if (key) this.uncertain.delete(key);
        return outcome.body as T;
      }
      if (key && outcome.maybeApplied) this.remember(key);
      const { error } = outcome;
      if (!outcome.retryable || attempt >= this.maxAttempts) throw error;
      const delay = outcome.waitMs ?? backoffDelay(attempt, this.backoff);
      if (delay > this.maxRetryAfterMs) throw error;
      log.warn("homeserver call failed, retrying", {
        method: spec.method,
        path: spec.path,
        status: error.status,
        errcode: error.errcode,
        attempt,
        delayMs: delay,
      });
      await this.sleep(delay);
    }
  }

  /** Looks for the earlier attempt's effect; sends again only when the homeserver says there is none. */
  private async verifyFirst(spec: RequestSpec, key: string): Promise<Outcome> {
    let found: unknown;
    try {
      found = await spec.verify!();
    } catch (err) {
      const error = err instanceof MatrixApiError ? err : new MatrixApiError({ errcode: "M_UNKNOWN", status: 0, method: spec.method, path: spec.path, error: describe(err) });
      return { ok: false, error, retryable: true, maybeApplied: true };
    }
    if (found !== undefined) {
      log.info("an earlier attempt had been applied; not repeating it", { method: spec.method, path: spec.path });
      return { ok: true, body: found };
    }
    this.uncertain.delete(key);
    return this.attempt(spec);
  }

  private remember(key: string): void {
    this.uncertain.delete(key);
    this.uncertain.add(key);
    if (this.uncertain.size > MAX_UNCERTAIN) this.uncertain.delete(this.uncertain.values().next().value as string);
  }

  private async attempt(spec: RequestSpec): Promise<Outcome> {
    let res: HttpResponse;
    try {
      res = await httpSend(this.url(spec), {
        method: spec.method,
        headers: this.headers(spec),
        body: spec.bytes ?? (spec.json === undefined ? undefined : JSON.stringify(spec.json, wellFormedStrings)),
        timeoutMs: this.timeoutMs,
      });
    } catch (err) {
      const error = new MatrixApiError({ errcode: CONNECTION_FAILED, status: 0, method: spec.method, path: spec.path, error: describe(err) });
      return { ok: false, error, retryable: spec.idempotent !== false || neverSent(err), maybeApplied: !neverSent(err) };
    }
    const body = await readBody(res);
    if (res.ok) return { ok: true, body };
    const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const retryAfterMs = res.status === 429 ? retryAfter(fields, res.headers.get("retry-after")) : undefined;
    const error = new MatrixApiError({
      errcode: typeof fields.errcode === "string" ? fields.errcode : res.status === 429 ? "M_LIMIT_EXCEEDED" : "M_UNKNOWN",
      status: res.status,
      method: spec.method,
      path: spec.path,
      error: typeof fields.error === "string" ? fields.error : res.statusText,
      retryAfterMs,
    });
    if (res.status === 429) return { ok: false, error, retryable: true, waitMs: retryAfterMs, maybeApplied: false };
    return { ok: false, error, retryable: res.status >= 500 && spec.idempotent !== false, maybeApplied: res.status >= 500 };
  }

  private url(spec: RequestSpec): string {
    const params = new URLSearchParams();
    if (spec.query instanceof URLSearchParams) for (const [k, v] of spec.query) params.append(k, v);
    else for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) params.set(k, v);
    const qs = params.toString();
    return `${this.base}${spec.path}${qs ? `?${qs}` : ""}`;
  }

  private headers(spec: RequestSpec): Record<string, string> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.asToken}` };
    if (spec.bytes) headers["content-type"] = spec.contentType ?? "application/octet-stream";
    else if (spec.json !== undefined) headers["content-type"] = "application/json";
    return headers;
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * JSON replacer turning lone UTF-16 surrogate halves into U+FFFD. They are not Unicode: a homeserver cannot store
 * them and answers 500, which would be retried in vain and lose the event. They come from wire data (a Gitter
 * message, a command echoed back) or from cutting a string between the two halves of an emoji.
 */
function wellFormedStrings(_key: string, value: unknown): unknown {
  return typeof value === "string" ? value.replace(LONE_SURROGATE, "\ufffd") : value;
}

async function readBody(res: HttpResponse): Promise<unknown> {
  const text = await res.text().catch(() => "");
  if (!text) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { error: text.slice(0, 200) };
  }
}

/** The wait a 429 asks for: `retry_after_ms` in the body, else the Retry-After header (seconds or a date). */
export function retryAfter(body: Record<string, unknown>, header: string | null): number | undefined {
  if (typeof body.retry_after_ms === "number" && body.retry_after_ms >= 0) return body.retry_after_ms;
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A refused connection proves the homeserver never saw the request, so even a non-idempotent one may be resent. */
function neverSent(err: unknown): boolean {
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === "string" && NOT_SENT_CODES.has(code);
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = cause && (typeof cause.code === "string" ? cause.code : cause.message);
  return detail ? `${err.message} (${String(detail)})` : err.message;
}
