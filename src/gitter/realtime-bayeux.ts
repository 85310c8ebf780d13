// One Bayeux session with Gitter's Faye server over long-polling (API reference 5.1): handshake, a /meta/connect
// loop that carries the pushes, subscribe, publish. Deliberately small and disposable: the owner (realtime.ts)
// throws a session away at the first sign of trouble and starts a new one, so this class never retries,
// never re-handshakes by itself and can always be closed at once (every request is abortable).
import { httpSend } from "../util/http";
import { GitterError } from "./errors";

export interface BayeuxMessage {
  channel: string;
  id?: string;
  clientId?: string;
  successful?: boolean;
  error?: string;
  data?: unknown;
  subscription?: string;
  advice?: { reconnect?: string; interval?: number; timeout?: number };
  ext?: Record<string, unknown>;
  version?: string;
  supportedConnectionTypes?: string[];
  connectionType?: string;
}

/** The server refused a Bayeux message (`error` is Gitter's `"<status>::<text>"`), or the transport failed. */
export class BayeuxError extends GitterError {
  /** The status at the start of a Bayeux error, e.g. 401; undefined for transport failures. */
  readonly status: number | undefined;

  constructor(
    readonly channel: string,
    readonly bayeuxError: string,
    options?: { cause?: unknown },
  ) {
    super(`Faye ${redactChannel(channel)} failed: ${redactChannel(bayeuxError)}`, "The connection to Gitter failed.", options);
    const m = /^(\d{3}):/.exec(bayeuxError);
    this.status = m ? Number(m[1]) : undefined;
  }

  /** A transport failure or a server error; a 4xx (an unknown client, a refused subscription) is an answer. */
  override get transient(): boolean {
    return this.status === undefined || this.status >= 500;
  }

  /** The realtime client reconnects by itself: the work around it does not wait for it. */
  override get worthWaitingOut(): boolean {
    return false;
  }

  override get answerStatus(): number | undefined {
    return this.status;
  }
}

/** Token channels carry the token in their name; it must never reach a log line. */
export function redactChannel(text: string): string {
  return text.replace(/(\/api\/v1\/token\/)[^\s/]+/g, "$1[redacted]");
}

export interface SessionHooks {
  /** A pushed data message, in server order. */
  onData(message: BayeuxMessage): void;
  /** Any answer at all came back: the connection is alive. */
  onTraffic(): void;
  /** The connect loop broke (network, HTTP error, refused connect, sequence gap). Called at most once. */
  onFailure(err: Error): void;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 60_000;

export class BayeuxSession {
  private clientId: string | undefined;
  private closed = false;
  private failed = false;
  private nextId = 0;
  private connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
  /** The next `ext.c` the server should stamp; a gap means pushes were lost in between. */
  private expectedSeq = 1;
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private readonly url: string,
    /** Timeout of ordinary requests, and the grace beyond the server's long-poll hold for connects. */
    private readonly requestTimeoutMs: number,
    private readonly hooks: SessionHooks,
  ) {}

  /** Throws BayeuxError (status 401 for a missing or refused token). Returns the reply's `ext`. */
  async handshake(ext: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    const reply = await this.call(
      { channel: "/meta/handshake", version: "1.0", supportedConnectionTypes: ["long-polling"], ext },
      this.requestTimeoutMs,
    );
    this.clientId = reply.clientId;
    if (typeof reply.advice?.timeout === "number") this.connectTimeoutMs = reply.advice.timeout;
    return reply.ext;
  }

  /** Starts long-polling in the background; failures go to `hooks.onFailure`. */
  startConnectLoop(): void {
    void this.connectLoop();
  }

  /** Throws BayeuxError when refused (403 not allowed, 404 unknown channel, 401 session lost). */
  async subscribe(channel: string, ext?: Record<string, unknown>): Promise<BayeuxMessage> {
    return this.call({ channel: "/meta/subscribe", clientId: this.clientId, subscription: channel, ext }, this.requestTimeoutMs);
  }

  /**
   * Subscribes to many channels in one HTTP request (Bayeux carries message arrays). Resolves with one outcome
   * per channel, in order: the reply, or the BayeuxError refusing it. Throws BayeuxError when the request fails.
   */
  async subscribeMany(subs: { channel: string; ext?: Record<string, unknown> }[]): Promise<(BayeuxMessage | BayeuxError)[]> {
    const messages = subs.map((s) => ({ channel: "/meta/subscribe", clientId: this.clientId, subscription: s.channel, ext: s.ext }));
    return this.callMany(messages, this.requestTimeoutMs);
  }

  /** Best effort; throws BayeuxError on failure. */
  async unsubscribe(channel: string): Promise<void> {
    await this.call({ channel: "/meta/unsubscribe", clientId: this.clientId, subscription: channel }, this.requestTimeoutMs);
  }

  /** Throws BayeuxError when refused or when the transport fails. */
  async publish(channel: string, data: unknown): Promise<void> {
    await this.call({ channel, clientId: this.clientId, data }, this.requestTimeoutMs);
  }

  /** Aborts every request at once and tells the server goodbye without waiting for it. Never throws. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const ac of this.inFlight) ac.abort();
    if (this.clientId) {
      const bye: BayeuxMessage = { channel: "/meta/disconnect", clientId: this.clientId, id: "bye" };
      this.post([bye], Math.min(this.requestTimeoutMs, 2000)).catch(() => undefined);
    }
  }

  private async connectLoop(): Promise<void> {
    while (!this.closed) {
      try {
        await this.call(
          { channel: "/meta/connect", clientId: this.clientId, connectionType: "long-polling" },
          this.connectTimeoutMs + this.requestTimeoutMs,
        );
      } catch (err) {
        this.fail(err as Error);
        return;
      }
    }
  }

  private fail(err: Error): void {
    if (this.closed || this.failed) return;
    this.failed = true;
    this.hooks.onFailure(err);
  }

  private async call(message: BayeuxMessage, timeoutMs: number): Promise<BayeuxMessage> {
    const [outcome] = await this.callMany([message], timeoutMs);
    if (outcome instanceof BayeuxError) throw outcome;
    return outcome;
  }

  /** Sends messages in one request; each gets its reply or the error refusing it. Throws when the request fails. */
  private async callMany(messages: BayeuxMessage[], timeoutMs: number): Promise<(BayeuxMessage | BayeuxError)[]> {
    if (this.closed) throw new BayeuxError(messages[0].channel, "session closed");
    for (const m of messages) m.id = String(++this.nextId);
    const replies = await this.post(messages, timeoutMs);
    if (this.closed) throw new BayeuxError(messages[0].channel, "session closed");
    this.hooks.onTraffic();
    const sent = new Map(messages.map((m) => [m.id!, m]));
    const byId = new Map<string, BayeuxMessage>();
    for (const r of replies) {
      if (r.id !== undefined && sent.get(r.id)?.channel === r.channel) byId.set(r.id, r);
      else if (!r.channel.startsWith("/meta/") && r.data !== undefined) this.deliver(r);
    }
    return messages.map((m) => {
      const reply = byId.get(m.id!);
      if (!reply) return new BayeuxError(m.channel, "no reply");
      return reply.successful === true ? reply : new BayeuxError(m.channel, reply.error ?? "unsuccessful");
    });
  }

  private deliver(message: BayeuxMessage): void {
    const c = message.ext?.c;
    if (typeof c === "number") {
      if (c !== this.expectedSeq) {
        this.fail(new BayeuxError(message.channel, `push sequence gap: expected ${this.expectedSeq}, got ${c}`));
        return;
      }
      this.expectedSeq = c + 1;
    }
    if (!this.failed) this.hooks.onData(message);
  }

  private async post(messages: BayeuxMessage[], timeoutMs: number): Promise<BayeuxMessage[]> {
    const ac = new AbortController();
    this.inFlight.add(ac);
    const channel = messages[0].channel;
    try {
      const res = await httpSend(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(messages),
        signal: ac.signal,
        timeoutMs,
      });
      const text = await res.text();
      if (res.status !== 200) throw new BayeuxError(channel, `HTTP ${res.status}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new BayeuxError(channel, "reply is not JSON");
      }
      if (!Array.isArray(parsed) || !parsed.every(isMessage)) throw new BayeuxError(channel, "reply is not a message array");
      return parsed as BayeuxMessage[];
    } catch (err) {
      if (err instanceof BayeuxError) throw err;
      const why = this.closed ? "session closed" : (err as Error).name === "TimeoutError" ? "timed out" : (err as Error).message;
      throw new BayeuxError(channel, why, { cause: err });
    } finally {
      this.inFlight.delete(ac);
    }
  }
}

function isMessage(m: unknown): boolean {
  return typeof m === "object" && m !== null && typeof (m as { channel?: unknown }).channel === "string";
}
