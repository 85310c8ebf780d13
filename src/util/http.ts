// A small HTTP/1.1 client on node:http(s) with keep-alive, for the bridge's hot paths: every bridged message is
// at least one request (to the homeserver or to Gitter) and every realtime session long-polls. Node's global
// fetch costs several times the CPU per request (web streams, AbortSignal bookkeeping, per-request promises
// and errors), which the benchmark profiles showed as the largest share of the bridge's CPU.
//
// The answer is read whole before the promise resolves (our bodies are small JSON documents); its shape is the
// part of fetch's Response the callers use, so a fetch can stand in where a test injects one.
import http from "node:http";
import https from "node:https";

export interface HttpRequestInit {
  method: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Rejects with a TimeoutError when the whole answer has not arrived after this long. */
  timeoutMs?: number;
  /** Rejects with an AbortError when it aborts. */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  ok: boolean;
  statusText: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  /** The body's bytes unchanged (downloads); fetch's Response has it too. */
  bytes?(): Promise<Uint8Array>;
}

export type HttpSend = (url: URL | string, init: HttpRequestInit) => Promise<HttpResponse>;

/**
 * Codes on an error's `cause` that prove no byte of the request left this machine, so even a request that must
 * not be repeated may be sent again.
 */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNECT_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

// LIFO: the most recently used socket is reused first, so a quiet period lets the others expire. An idle socket
// is closed a second before the server's announced keep-alive timeout (Node applies the hint only when the
// agent has a timeout of its own), so we do not send on a socket the server is closing; 30 s without a hint.
const AGENT = { keepAlive: true, scheduling: "lifo", timeout: 30_000 } as const;
const agents = { "http:": new http.Agent(AGENT), "https:": new https.Agent(AGENT) };

class Answer implements HttpResponse {
  readonly ok: boolean;

  constructor(
    readonly status: number,
    readonly statusText: string,
    private readonly raw: http.IncomingHttpHeaders,
    private readonly body: Buffer,
  ) {
    this.ok = status >= 200 && status < 300;
  }

  readonly headers = {
    get: (name: string): string | null => {
      const v = this.raw[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
    },
  };

  text(): Promise<string> {
    return Promise.resolve(this.body.toString("utf8"));
  }

  bytes(): Promise<Uint8Array> {
    return Promise.resolve(this.body);
  }
}

/** An error whose `cause` carries the socket error (and its `code`), as fetch's "fetch failed" does. */
function failure(name: string, message: string, cause: unknown): Error {
  const err = new Error(message, { cause });
  err.name = name;
  return err;
}

/** Sends one request and reads the whole answer. Rejects on network failure, timeout or abort; never on a status. */
export const httpSend: HttpSend = (input, init) => {
  const url = typeof input === "string" ? new URL(input) : input;
  const agent = url.protocol === "https:" ? agents["https:"] : agents["http:"];
  const send = url.protocol === "https:" ? https.request : http.request;
  const headers = { ...init.headers };
  // Always a length, never chunked (Gitter answers 406 to chunked bodies).
  if (init.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === "content-length")) {
    headers["content-length"] = String(Buffer.byteLength(init.body));
  }
  return new Promise<HttpResponse>((resolve, reject) => {
    const { signal } = init;
    if (signal?.aborted) return reject(failure("AbortError", "This operation was aborted", signal.reason));
    const req = send(url, { method: init.method, headers, agent });
    const done = bound(req, init);
    req.on("error", (err) => {
      done();
      reject(err.name === "TimeoutError" || err.name === "AbortError" ? err : failure("HttpRequestError", "request failed", err));
    });
    req.on("response", (res) => readAnswer(res, done, resolve, reject));
    req.end(init.body);
  });
};

/**
 * Holds the request to its timeout and abort signal: either destroys it with the error fetch would give (a timeout
 * before the connection is made says so in its code). Returns what releases the timer and the signal.
 */
function bound(req: http.ClientRequest, init: HttpRequestInit): () => void {
  const { signal } = init;
  let connected = false;
  const timer =
    init.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          const code = connected ? "ETIMEDOUT" : "ECONNECT_TIMEOUT";
          req.destroy(failure("TimeoutError", "The operation was aborted due to timeout", { code }));
        }, init.timeoutMs);
  const onAbort = () => req.destroy(failure("AbortError", "This operation was aborted", signal?.reason));
  signal?.addEventListener("abort", onAbort, { once: true });
  req.on("socket", (socket) => {
    // A reused keep-alive socket is connected already.
    if (!socket.connecting) connected = true;
    else socket.once("connect", () => (connected = true));
  });
  return () => {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  };
}

/** Reads the whole answer, then releases the request (`done`); an answer cut short rejects as a reset connection. */
function readAnswer(res: http.IncomingMessage, done: () => void, resolve: (a: HttpResponse) => void, reject: (e: Error) => void): void {
  const chunks: Buffer[] = [];
  res.on("data", (c: Buffer) => chunks.push(c));
  // The connection broke mid-answer (or a timeout or abort destroyed it).
  res.on("close", () => {
    if (res.complete) return;
    done();
    reject(failure("HttpRequestError", "request failed", Object.assign(new Error("answer cut short"), { code: "ECONNRESET" })));
  });
  res.on("error", () => undefined);
  res.on("end", () => {
    done();
    resolve(new Answer(res.statusCode ?? 0, res.statusMessage ?? "", res.headers, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
  });
}

/** Adapts a fetch (a test's stand-in, say) to HttpSend: the timeout becomes an AbortSignal. */
export function fromFetch(f: typeof fetch): HttpSend {
  return (url, init) => {
    const signals = [init.signal, init.timeoutMs === undefined ? undefined : AbortSignal.timeout(init.timeoutMs)].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const body = typeof init.body === "string" || init.body === undefined ? init.body : Buffer.from(init.body);
    return f(url, { method: init.method, headers: init.headers, body, signal });
  };
}
