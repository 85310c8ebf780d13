// The network-neutral core of the REST clients (src/gitter/rest-transport.ts, src/mattermost/transport.ts): one
// HTTP exchange turned into an outcome, and the retry rules that carry the exactly-once promise
// (docs/exactly-once.md). Each network keeps its URLs, headers, rate-limit rules, error classes and its choice of
// which requests are safe to repeat; this file knows HTTP, JSON and retries only.
// - 429 is always retried after the network's rate-limit wait (the server refused it before doing anything),
//   at most `maxThrottled` times;
// - 5xx and network failures are retried with jittered backoff, at most `maxAttempts` attempts, only while the
//   request is safe to repeat; one that is not and may have arrived fails with the network's "maybe delivered"
//   error, so the caller can look at the history instead of posting twice. One that surely never left (the
//   connection was refused, the name did not resolve: NOT_SENT_CODES) counts as safe to repeat;
// - a request safe to repeat only for a while (`windowed`) is asked again before every later attempt, after any
//   wait: once an earlier attempt may have arrived and the window has closed, it fails "maybe delivered" unsent.
//   Giving up on it after a possible arrival (attempts spent, too many 429s) is "maybe delivered" too;
// - a 2xx answer the caller cannot use (not JSON, or failing the request's `expect`) is never retried: it fails
//   with the network's bad-response error, wrapped as "maybe delivered" for a request not safe to repeat.
import { redactSecret, type ApiErrorDetails } from "./api-errors";
import { backoffDelay, type Sleep } from "./backoff";
import { NOT_SENT_CODES, type HttpRequestInit, type HttpResponse, type HttpSend } from "./http";
import type { Logger } from "./log";

export interface RetryPolicy {
  /** Attempts (first included) for 5xx and network failures of repeatable requests. */
  maxAttempts: number;
  /** 429 answers tolerated for one request before giving up with its API error. */
  maxThrottled: number;
  baseMs: number;
  maxMs: number;
  /** Per-attempt timeout, in ms. */
  timeoutMs: number;
  random?: () => number;
  sleep?: Sleep;
}

export type Query = Record<string, string | number | boolean | undefined>;
export type Headers = HttpResponse["headers"];

/** How a network names its failures: its own classes, so that callers' instanceof checks keep working. */
export interface ErrorKinds<A extends Error & { readonly status: number }, N extends Error> {
  /** Any status outside 2xx that has no class of its own. */
  Api: new (details: ApiErrorDetails) => A;
  /** 401. */
  TokenInvalid: new (details: ApiErrorDetails) => A;
  /** 404. */
  NotFound: new (details: ApiErrorDetails) => A;
  /** A 2xx answer the caller cannot use. */
  BadResponse: new (details: ApiErrorDetails, problem: string) => A;
  /** No HTTP answer at all. */
  Network: new (method: string, path: string, cause: unknown) => N;
  /** A failure not retried because the request may have arrived. */
  MaybeDelivered: new (cause: A | N) => Error;
}

export type Outcome<A, N> =
  | { kind: "done"; value: unknown }
  | { kind: "unusable"; error: A }
  | { kind: "throttled"; error: A; headers: Headers }
  | { kind: "failed"; error: A | N; maybeSent: boolean }
  | { kind: "refused"; error: A };

/** `base` with the query's defined values set on it. */
export function urlWithQuery(base: string, query: Query | undefined): URL {
  const url = new URL(base);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url;
}

/** What a client sends every request with. */
export interface Wire<A extends Error & { readonly status: number }, N extends Error> {
  send: HttpSend;
  /** Redacted from every body kept in an error. */
  token: string;
  errors: ErrorKinds<A, N>;
}

export interface Exchange<A extends Error & { readonly status: number }, N extends Error> extends Wire<A, N> {
  url: URL;
  method: string;
  /** Built inside the attempt: a body that cannot be serialised fails like a request that may have left. */
  init: () => HttpRequestInit;
  /** Checks the parsed 2xx body: null when usable, else what is wrong. */
  expect?: (body: unknown) => string | null;
  /** Sees every answer's headers before its body is read (rate-limit bookkeeping). */
  onHeaders?: (headers: Headers) => void;
  /** Reads the body: its text (the default reads `res.text()`), or `{value}` to resolve with as is (a download). */
  read?: (res: HttpResponse) => Promise<string | { value: unknown }>;
}

/** Sends the request once and says what came of it. Never throws. */
export async function exchange<A extends Error & { readonly status: number }, N extends Error>(ex: Exchange<A, N>): Promise<Outcome<A, N>> {
  const where = ex.url.pathname + ex.url.search;
  let res: HttpResponse;
  let body: string | { value: unknown };
  try {
    res = await ex.send(ex.url, ex.init());
  } catch (err) {
    return { kind: "failed", error: new ex.errors.Network(ex.method, where, err), maybeSent: !neverSent(err) };
  }
  ex.onHeaders?.(res.headers);
  try {
    body = await (ex.read ? ex.read(res) : res.text());
  } catch (err) {
    return { kind: "failed", error: new ex.errors.Network(ex.method, where, err), maybeSent: true };
  }
  if (typeof body !== "string") return { kind: "done", value: body.value };
  const details: ApiErrorDetails = { status: res.status, method: ex.method, path: where, bodyText: redactSecret(body, ex.token) };
  if (res.ok) return accept(ex, body, details);
  const error = errorFor(details, ex.errors);
  if (res.status === 429) return { kind: "throttled", error, headers: res.headers };
  if (res.status >= 500) return { kind: "failed", error, maybeSent: true };
  return { kind: "refused", error };
}

/** A 2xx answer: its parsed body, or why it cannot be used. An empty body (and a 204's) is undefined. */
function accept<A extends Error & { readonly status: number }, N extends Error>(ex: Exchange<A, N>, text: string, details: ApiErrorDetails): Outcome<A, N> {
  let value: unknown;
  if (details.status !== 204 && text.trim() !== "") {
    try {
      value = JSON.parse(text);
    } catch {
      return { kind: "unusable", error: new ex.errors.BadResponse(details, "unparseable success body") };
    }
  }
  const problem = ex.expect?.(value) ?? null;
  return problem === null ? { kind: "done", value } : { kind: "unusable", error: new ex.errors.BadResponse(details, problem) };
}

function errorFor<A extends Error & { readonly status: number }, N extends Error>(details: ApiErrorDetails, errors: ErrorKinds<A, N>): A {
  if (details.status === 401) return new errors.TokenInvalid(details);
  if (details.status === 404) return new errors.NotFound(details);
  return new errors.Api(details);
}

/** True when the error proves no byte of the request left this machine (see NOT_SENT_CODES). */
export function neverSent(err: unknown): boolean {
  const cause = err instanceof Error ? (err as Error & { cause?: { code?: unknown } }).cause : undefined;
  return typeof cause?.code === "string" && NOT_SENT_CODES.has(cause.code);
}

export interface Retries<A extends Error & { readonly status: number }, N extends Error> {
  policy: RetryPolicy;
  sleep: Sleep;
  log: Logger;
  /** For the log: the network's name, the request's method and path, what is said while waiting out a 429. */
  party: string;
  method: string;
  path: string;
  throttleNote: string;
  /** One attempt, rate-limit slot and all; calls `beforeSend` right before sending (it throws when it must not). */
  attempt: (beforeSend: () => void) => Promise<Outcome<A, N>>;
  /** Sending the request again does no harm; asked each time it matters, as it may stop being so. */
  repeatable: () => boolean;
  /** True when `repeatable` may turn false (a deduplication window): see the header comment. */
  windowed?: boolean;
  /** A refusal that means the work is done, given the failed attempts before it (a retried delete's 404). */
  doneWhenRefused?: (error: A, failures: number) => boolean;
  waitAfterThrottle: (headers: Headers, throttles: number) => Promise<void>;
  errors: ErrorKinds<A, N>;
}

/** Runs attempts as the header comment says until one settles: its value, or the error to throw. */
export async function withRetries<A extends Error & { readonly status: number }, N extends Error>(r: Retries<A, N>): Promise<unknown> {
  let failures = 0;
  let throttles = 0;
  let arrived: A | N | undefined; // the failure of an earlier attempt that may have reached the server
  const beforeSend = (): void => {
    if (arrived !== undefined && !r.repeatable()) throw new r.errors.MaybeDelivered(arrived);
  };
  const giveUp = (error: A | N): Error => (arrived !== undefined && r.windowed === true ? new r.errors.MaybeDelivered(error) : error);
  for (;;) {
    beforeSend();
    const outcome = await r.attempt(beforeSend);
    if (outcome.kind === "done") return outcome.value;
    if (outcome.kind === "unusable") throw r.repeatable() ? outcome.error : new r.errors.MaybeDelivered(outcome.error);
    if (outcome.kind === "refused") {
      if (r.doneWhenRefused?.(outcome.error, failures)) return undefined;
      throw outcome.error;
    }
    if (outcome.kind === "throttled") {
      if (++throttles >= r.policy.maxThrottled) throw giveUp(outcome.error);
      r.log.info(r.throttleNote, { method: r.method, path: r.path });
      await r.waitAfterThrottle(outcome.headers, throttles);
      continue;
    }
    if (outcome.maybeSent && !r.repeatable()) throw new r.errors.MaybeDelivered(outcome.error);
    if (outcome.maybeSent) arrived = outcome.error;
    if (++failures >= r.policy.maxAttempts) throw giveUp(outcome.error);
    const delay = backoffDelay(failures, r.policy);
    r.log.warn(`${r.party} request failed, retrying`, { method: r.method, path: r.path, delayMs: delay, error: outcome.error.message });
    await r.sleep(delay);
  }
}
