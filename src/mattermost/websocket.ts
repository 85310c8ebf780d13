// A user's websocket to Mattermost (GET /api/v4/websocket), kept open with resume and backoff.
//
// It authenticates on the upgrade request (Authorization header), which is what lets a reconnect resume: only such a
// connection is resumed with ?connection_id=&sequence_number= (mattermost/mattermost server/channels/api4/websocket.go
// connectWebSocket, server/channels/app/platform/web_conn.go PopulateWebConnConfig); it also sends the
// authentication_challenge, which the server ignores on an authenticated socket and answers where a proxy dropped the
// header (server/channels/app/platform/websocket_router.go ServeWebSocket). Every event carries `seq`, counted per
// connection from the hello's 0; a reconnect asks for the next seq expected. The server then replays what it still
// has, or starts anew with a hello carrying a NEW connection_id at seq 0 when it cannot (web_conn.go isInDeadQueue,
// hasMsgLoss). A new connection id, a gap in seq, or an event that fails its check is reported as `eventsLost`, so
// the caller catches up each channel over REST from its cursor; nothing is ever replayed to the caller twice.
import { EventEmitter } from "node:events";
import { backoffDelay, type BackoffPolicy } from "../util/backoff";
import { getLogger } from "../util/log";
import { MattermostTokenInvalidError } from "./errors";
import { MattermostTransport } from "./transport";
import { classifyFrame, parseEvent, type MmEvent, type RawEvent } from "./websocket-events";

export type { MmEvent } from "./websocket-events";

const log = getLogger("mattermost.websocket");

export type WsState = "connecting" | "connected" | "backing-off" | "token-invalid" | "stopped";
export type LossReason = "new-connection" | "sequence-gap" | "malformed-event";

export interface MattermostWebsocketEvents {
  state: [state: WsState, detail: { delayMs?: number; error?: Error }];
  /** Each event once, in the server's order. */
  event: [event: MmEvent];
  /** Events may have been lost before this point: catch up over REST. Never fired for the first connection. */
  eventsLost: [reason: LossReason];
}

export interface MattermostWebsocketOptions {
  serverUrl: string;
  token: string;
  /** Reconnect delays. Default 1 s doubling to 60 s, with jitter. */
  backoff?: BackoffPolicy;
  /** A ping goes out this often (default 30 s); a socket silent for three times as long is dead. */
  pingIntervalMs?: number;
}

export class MattermostWebsocket extends EventEmitter<MattermostWebsocketEvents> {
  private status: WsState = "stopped";
  private ws: WebSocket | undefined;
  /** Bumped for every socket; frames and closes of older ones are ignored. */
  private gen = 0;
  private attempt = 0;
  private connectionId: string | undefined;
  /** seq of the last event delivered on the current connection; -1 before its hello. */
  private lastSeq = -1;
  private actionSeq = 0;
  private authenticated = false;
  private lastTraffic = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private readonly backoff: BackoffPolicy;
  private readonly pingMs: number;
  private readonly rest: MattermostTransport;

  constructor(private readonly opts: MattermostWebsocketOptions) {
    super();
    this.backoff = opts.backoff ?? { baseMs: 1000, maxMs: 60_000 };
    this.pingMs = opts.pingIntervalMs ?? 30_000;
    this.rest = new MattermostTransport({ serverUrl: opts.serverUrl, token: opts.token, retry: { maxAttempts: 1 } });
  }

  get state(): WsState {
    return this.status;
  }

  /** The server's id of the current connection (undefined before the first hello). */
  get connection(): string | undefined {
    return this.connectionId;
  }

  /** Connects in the background; progress is reported through "state". Never throws; no-op when running. */
  start(): void {
    if (this.status !== "stopped" && this.status !== "token-invalid") return;
    this.attempt = 0;
    this.open();
  }

  /** Closes the socket and stops reconnecting. Never throws. */
  stop(): void {
    this.gen++;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.ws?.close();
    this.ws = undefined;
    this.setState("stopped", {});
  }

  /** Sends the `user_typing` action (false when not connected): the channel's other members hear `typing`. */
  userTyping(channelId: string, parentId = ""): boolean {
    return this.action("user_typing", { channel_id: channelId, parent_id: parentId });
  }

  private open(): void {
    const gen = ++this.gen;
    this.setState("connecting", {});
    this.authenticated = false;
    const url = new URL(`${this.rest.baseUrl.replace(/^http/, "ws")}/api/v4/websocket`);
    if (this.connectionId !== undefined) {
      url.searchParams.set("connection_id", this.connectionId);
      url.searchParams.set("sequence_number", String(this.lastSeq + 1));
    }
    // Node's WebSocket (undici) takes headers in its init object; the DOM typings do not know it.
    const init = { headers: { Authorization: `Bearer ${this.opts.token}` } } as unknown as string[];
    const ws = new WebSocket(url, init);
    this.ws = ws;
    this.lastTraffic = Date.now();
    ws.onopen = () => gen === this.gen && this.onOpen();
    ws.onmessage = (e) => gen === this.gen && this.onFrame(String(e.data));
    ws.onclose = (e) => gen === this.gen && void this.onClose(`closed (${e.code})`);
    ws.onerror = () => undefined; // a close always follows
  }

  private onOpen(): void {
    this.actionSeq = 0;
    this.action("authentication_challenge", { token: this.opts.token });
    // On a resume no hello comes: a ping's answer shows the socket is authenticated.
    if (this.connectionId !== undefined) this.action("ping", {});
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.checkLiveness(), this.pingMs);
    this.pingTimer.unref?.();
  }

  private action(action: string, data: Record<string, unknown>): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ seq: ++this.actionSeq, action, data }));
    return true;
  }

  private checkLiveness(): void {
    if (Date.now() - this.lastTraffic > 3 * this.pingMs) {
      log.warn("Mattermost websocket silent, reconnecting");
      void this.onClose("silent");
      return;
    }
    this.action("ping", {});
  }

  private onFrame(text: string): void {
    this.lastTraffic = Date.now();
    const frame = classifyFrame(text);
    if ("problem" in frame) return log.warn("Unusable websocket frame", { problem: frame.problem });
    if ("reply" in frame) {
      if (frame.reply.ok) this.markAuthenticated();
      return;
    }
    if (frame.raw.event === "hello") return this.onHello(frame.raw);
    this.onEvent(frame.raw);
  }

  private onHello(raw: RawEvent): void {
    const id = typeof raw.data.connection_id === "string" ? raw.data.connection_id : "";
    const lost = this.connectionId !== undefined && id !== this.connectionId;
    this.connectionId = id || undefined;
    this.lastSeq = raw.seq ?? 0;
    this.markAuthenticated();
    if (lost) this.emit("eventsLost", "new-connection");
  }

  private onEvent(raw: RawEvent): void {
    if (raw.seq !== undefined) {
      if (raw.seq <= this.lastSeq) return; // replayed from the dead queue and already delivered
      const gap = raw.seq > this.lastSeq + 1;
      this.lastSeq = raw.seq;
      if (gap) this.emit("eventsLost", "sequence-gap");
    }
    this.markAuthenticated();
    const parsed = parseEvent(raw);
    if ("problem" in parsed) {
      log.warn("Unusable websocket event", { event: raw.event, problem: parsed.problem });
      this.emit("eventsLost", "malformed-event");
      return;
    }
    this.emit("event", parsed.event);
  }

  private markAuthenticated(): void {
    if (this.authenticated) return;
    this.authenticated = true;
    this.attempt = 0;
    this.setState("connected", {});
  }

  private async onClose(why: string): Promise<void> {
    const gen = ++this.gen;
    clearInterval(this.pingTimer);
    this.ws?.close();
    this.ws = undefined;
    if (!this.authenticated && (await this.tokenRevoked(gen))) return;
    if (gen !== this.gen) return;
    const delayMs = backoffDelay(++this.attempt, this.backoff);
    this.setState("backing-off", { delayMs, error: new Error(`Mattermost websocket ${why}`) });
    this.retryTimer = setTimeout(() => gen === this.gen && this.open(), delayMs);
  }

  /** A socket that closed before authenticating: ask REST whether the token still works. */
  private async tokenRevoked(gen: number): Promise<boolean> {
    try {
      await this.rest.request({ method: "GET", path: "/users/me", repeatable: true });
      return false;
    } catch (err) {
      if (!(err instanceof MattermostTokenInvalidError) || gen !== this.gen) return false;
      this.gen++;
      this.setState("token-invalid", { error: err });
      return true;
    }
  }

  private setState(state: WsState, detail: { delayMs?: number; error?: Error }): void {
    if (state === this.status && state !== "backing-off") return;
    this.status = state;
    this.emit("state", state, detail);
  }
}
