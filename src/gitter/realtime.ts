// A user's realtime feed from Gitter.
//
// Upstream choice: Faye (ws.gitter.im/bayeux), not the HTTP stream (stream.gitter.im). One Faye session per
// user carries all of that user's rooms plus the user-rooms channel (joins, leaves, new one-to-ones), while the
// stream needs one open connection per room and only ever sends new messages: no edits, no deletes, no
// membership. Gitter staff also advised Faye over the stream, which was known to lag and go quiet
// (API reference 4 and quirk 8).
//
// We speak Bayeux long-polling ourselves (realtime-bayeux.ts) rather than through the faye client library,
// because that library re-handshakes silently after the server drops it (losing pushes in between, unseen by
// us) and keeps retry timers alive after it is told to stop. Here every session is disposable: at the first
// sign of trouble (failed request, refused connect, `ext.c` gap, no traffic within the liveness timeout) it is
// closed, a new one is made after a jittered exponential backoff, and each room catches up over REST from its
// last delivered id (realtime-room.ts), so consumers see every message exactly once and in id order.
// Which channels there are and what a push must look like to be passed on: realtime-channels.ts.
import { EventEmitter } from "node:events";
import { backoffDelay, type BackoffPolicy } from "../util/backoff";
import { getLogger } from "../util/log";
import { BayeuxError, BayeuxSession, type BayeuxMessage } from "./realtime-bayeux";
import { DENIED, isRefusedHandshake, PING_CHANNEL, pushProblem, ROOM_CHANNEL, roomChannels, SNAPSHOT_LIMIT, snapshotOf } from "./realtime-channels";
import { baselineNow, RoomFeed, type RoomFeedSink, type Snapshot } from "./realtime-room";
import type { ConnectionState, GitterRealtimeEvents, GitterRealtimeOptions, StateDetail } from "./realtime-types";
import type { GitterMessage, LiveOperation } from "./types";

export type { ConnectionState, GitterRealtimeEvents, GitterRealtimeOptions, StateDetail } from "./realtime-types";

const log = getLogger("gitter.realtime");

export class GitterRealtime extends EventEmitter<GitterRealtimeEvents> {
  private status: ConnectionState = "stopped";
  /** Bumped whenever a session is abandoned; callbacks from older sessions are ignored. */
  private gen = 0;
  private session: BayeuxSession | undefined;
  /** The generation whose session has finished its handshake (subscriptions may be sent). */
  private readyGen = -1;
  private attempt = 0;
  private connectedAt: number | undefined;
  private lastTraffic = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private livenessTimer: NodeJS.Timeout | undefined;
  private readonly feeds = new Map<string, RoomFeed>();
  private readonly catchUps = new Map<string, { attempt: number; timer?: NodeJS.Timeout }>();
  /** Unsubscribes still in flight, so that watching a room again subscribes only after they land. */
  private readonly unsubscribing = new Map<string, Promise<unknown>>();
  /** Shared by every feed: a closure per room and event would cost memory per portal. */
  private readonly sink: RoomFeedSink = {
    message: (roomId, m) => this.fire("message", roomId, m),
    update: (roomId, m) => this.fire("messageUpdate", roomId, m),
    remove: (roomId, id) => this.fire("messageRemove", roomId, id),
  };
  private readonly livenessMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly log;

  constructor(private readonly opts: GitterRealtimeOptions) {
    super();
    this.livenessMs = opts.livenessTimeoutMs ?? 45_000;
    this.backoff = opts.backoff ?? { baseMs: 1000, maxMs: 60_000 };
    this.log = log.child({ userId: opts.userId });
  }

  get state(): ConnectionState {
    return this.status;
  }

  /** Connects in the background; progress is reported through "state". Never throws; no-op when running. */
  start(): void {
    if (this.status !== "stopped" && this.status !== "token-invalid") return;
    this.attempt = 0;
    void this.connect(this.gen);
  }

  /** Drops the session and every timer at once; emits "stopped". Watched rooms are kept for a later start(). */
  stop(): void {
    if (this.status === "stopped") return;
    this.teardown();
    this.setState("stopped");
  }

  /**
   * Starts delivering a room's messages after `lastDeliveredId` (null: from now on). Missed messages are
   * fetched on every (re)connect. No-op if the room is already watched. Never throws.
   */
  watchRoom(roomId: string, lastDeliveredId: string | null): void {
    if (this.feeds.has(roomId)) return;
    const feed = new RoomFeed(roomId, lastDeliveredId, baselineNow(), this.sink);
    this.feeds.set(roomId, feed);
    const gen = this.gen;
    if (this.session && this.readyGen === gen) {
      this.attachRoom(feed, gen, this.session).catch((err: Error) => this.fail(gen, err));
    }
  }

  /** Stops delivering a room (pushes already held are dropped). Never throws. */
  unwatchRoom(roomId: string): void {
    const feed = this.feeds.get(roomId);
    if (!feed) return;
    this.feeds.delete(roomId);
    feed.interrupt();
    this.clearCatchUp(roomId);
    const session = this.session;
    if (session && this.readyGen === this.gen) {
      const done = Promise.all(roomChannels(roomId).map((ch) => session.unsubscribe(ch).catch(() => undefined)));
      this.unsubscribing.set(roomId, done);
      void done.then(() => this.unsubscribing.get(roomId) === done && this.unsubscribing.delete(roomId));
    }
  }

  /** Watched rooms whose pushes are held: waiting for a connection or for their catch-up (for metrics). */
  get roomsCatchingUp(): number {
    let n = 0;
    for (const feed of this.feeds.values()) if (feed.holding) n++;
    return n;
  }

  private async connect(gen: number): Promise<void> {
    if (gen !== this.gen) return;
    this.setState("connecting");
    const gate = this.opts.connectGate;
    await (gate ? gate.run(() => this.open(gen)) : this.open(gen));
  }

  /** Handshakes and subscribes; the rest of the session's life runs outside any connect gate. Never throws. */
  private async open(gen: number): Promise<void> {
    if (gen !== this.gen) return;
    const session = new BayeuxSession(this.opts.fayeUrl, this.livenessMs, {
      onData: (m) => gen === this.gen && this.onData(m),
      onTraffic: () => gen === this.gen && (this.lastTraffic = Date.now()),
      onFailure: (err) => this.fail(gen, err),
    });
    this.session = session;
    try {
      await session.handshake({ token: this.opts.token });
      if (gen !== this.gen) return;
      this.readyGen = gen;
      session.startConnectLoop();
      this.startLiveness(gen);
      await this.subscribeAll(gen, session);
    } catch (err) {
      if (isRefusedHandshake(err)) this.tokenInvalid(gen, err as Error);
      else this.fail(gen, err as Error);
      return;
    }
    if (gen !== this.gen) return;
    this.connectedAt = Date.now();
    this.setState("connected");
  }

  /**
   * Subscribes the user's channels and every watched room's in one request (one per user, not per room, so a
   * reconnect costs Gitter little however many rooms there are), then catches the rooms up, from the
   * subscription's snapshot where it reaches back far enough. Rejects for failures that need a new session; a
   * room Gitter refuses is dropped with "watchDenied".
   */
  private async subscribeAll(gen: number, session: BayeuxSession): Promise<void> {
    const feeds = [...this.feeds.values()];
    const snapshot = { snapshot: { limit: SNAPSHOT_LIMIT, includeThreads: true } };
    const outcomes = await session.subscribeMany([
      { channel: `/api/v1/user/${this.opts.userId}/rooms`, ext: { snapshot: false } },
      { channel: `/api/v1/token/${this.opts.token}` },
      ...feeds.flatMap((f) => roomChannels(f.roomId).map((channel) => ({ channel, ext: channel.endsWith("/chatMessages") ? snapshot : { snapshot: false } }))),
    ]);
    const failed = (from: number) => outcomes.slice(from, from + 2).find((o): o is BayeuxError => o instanceof BayeuxError);
    const own = failed(0);
    if (own) throw own;
    const refusals = feeds.map((_, i) => failed(2 + 2 * i));
    const fatal = refusals.find((err) => err && !DENIED.has(err.status ?? 0));
    if (fatal) throw fatal;
    feeds.forEach((feed, i) => {
      if (gen !== this.gen || this.feeds.get(feed.roomId) !== feed) return;
      const refused = refusals[i];
      if (refused) this.denied(feed, refused);
      else void this.catchUp(feed, gen, snapshotOf(outcomes[2 + 2 * i]));
    });
  }

  private denied(feed: RoomFeed, err: BayeuxError): void {
    this.log.warn("room subscription refused", { room: feed.roomId, error: err.message });
    this.unwatchRoom(feed.roomId);
    this.fire("watchDenied", feed.roomId, err);
  }

  /** Subscribes a room's channels, then catches it up. Rejects only for failures that need a new session. */
  private async attachRoom(feed: RoomFeed, gen: number, session: BayeuxSession): Promise<void> {
    try {
      await this.unsubscribing.get(feed.roomId);
      for (const ch of roomChannels(feed.roomId)) await session.subscribe(ch, { snapshot: false });
    } catch (err) {
      if (gen !== this.gen || this.feeds.get(feed.roomId) !== feed) return;
      if (!(err instanceof BayeuxError) || !DENIED.has(err.status ?? 0)) throw err;
      this.denied(feed, err);
      return;
    }
    if (gen === this.gen) void this.catchUp(feed, gen);
  }

  /** A snapshot is only good once: retries after a failure fetch over REST. */
  private async catchUp(feed: RoomFeed, gen: number, snapshot?: Snapshot): Promise<void> {
    try {
      await feed.catchUp(this.opts.fetchMissed, this.opts.catchUpPageSize, snapshot);
      if (gen === this.gen) this.clearCatchUp(feed.roomId);
    } catch (err) {
      if (gen !== this.gen || this.feeds.get(feed.roomId) !== feed) return;
      const entry = this.catchUps.get(feed.roomId) ?? { attempt: 0 };
      entry.attempt += 1;
      const delayMs = backoffDelay(entry.attempt, this.backoff);
      this.log.warn("catch-up failed; retrying", { room: feed.roomId, delayMs, error: (err as Error).message });
      entry.timer = setTimeout(() => void this.catchUp(feed, gen), delayMs);
      this.catchUps.set(feed.roomId, entry);
      this.fire("catchUpFailed", feed.roomId, err as Error);
    }
  }

  private onData(m: BayeuxMessage): void {
    const data = (m.data ?? {}) as { operation?: LiveOperation; model?: { id: string }; notification?: string };
    if (m.channel === `/api/v1/token/${this.opts.token}`) {
      if (data.notification === "token_revoked") this.tokenInvalid(this.gen, new Error("Gitter revoked the token"));
      return;
    }
    if (!data.operation || typeof data.model?.id !== "string") return;
    const userRooms = m.channel === `/api/v1/user/${this.opts.userId}/rooms`;
    const room = userRooms ? null : ROOM_CHANNEL.exec(m.channel);
    const feed = room ? this.feeds.get(room[1]) : undefined;
    if (!userRooms && (!room || !feed)) return;
    const problem = pushProblem(userRooms ? "userRooms" : room![2], data.operation, data.model);
    if (problem) {
      // Passed on, a malformed model could move a room's cursor past real messages or break a portal.
      this.log.warn("ignored a malformed push from Gitter", { channel: userRooms ? "user rooms" : room![0], problem });
      return;
    }
    if (userRooms) this.fire("userRoom", data.operation, data.model);
    else if (room![2] === "chatMessages") feed!.push(data.operation, data.model as GitterMessage);
    else this.fire("roomMember", room![1], data.operation, data.model);
  }

  /** Pings keep an idle long-poll honest; a session that answers nothing for `livenessMs` is given up. */
  private startLiveness(gen: number): void {
    this.lastTraffic = Date.now();
    clearInterval(this.livenessTimer);
    this.livenessTimer = setInterval(() => {
      const quietMs = Date.now() - this.lastTraffic;
      if (quietMs > this.livenessMs) return this.fail(gen, new Error(`no answer from Gitter for ${quietMs} ms`));
      this.session?.publish(PING_CHANNEL, { reason: "ping" }).catch((err: Error) => this.fail(gen, err));
    }, Math.max(1, Math.floor(this.livenessMs / 3)));
  }

  private fail(gen: number, err: Error): void {
    if (gen !== this.gen || this.status === "stopped" || this.status === "token-invalid") return;
    // A session that stayed up for a while earns a fresh backoff; one that keeps dying does not.
    if (this.connectedAt !== undefined && Date.now() - this.connectedAt >= this.livenessMs) this.attempt = 0;
    this.teardown();
    const delayMs = backoffDelay(++this.attempt, this.backoff);
    this.log.warn("realtime connection lost", { error: err.message, delayMs, attempt: this.attempt });
    this.setState("backing-off", { delayMs, error: err });
    const next = this.gen;
    this.retryTimer = setTimeout(() => void this.connect(next), delayMs);
  }

  private tokenInvalid(gen: number, err: Error): void {
    if (gen !== this.gen) return;
    this.teardown();
    this.log.warn("Gitter token refused; not reconnecting", { error: err.message });
    this.setState("token-invalid", { error: err });
  }

  private teardown(): void {
    this.gen += 1;
    this.session?.close();
    this.session = undefined;
    this.connectedAt = undefined;
    clearTimeout(this.retryTimer);
    clearInterval(this.livenessTimer);
    for (const roomId of [...this.catchUps.keys()]) this.clearCatchUp(roomId);
    for (const feed of this.feeds.values()) feed.interrupt();
  }

  private clearCatchUp(roomId: string): void {
    clearTimeout(this.catchUps.get(roomId)?.timer);
    this.catchUps.delete(roomId);
  }

  private setState(state: ConnectionState, detail: StateDetail = {}): void {
    this.status = state;
    this.log.info("realtime state", { state, delayMs: detail.delayMs });
    this.fire("state", state, detail);
  }

  /** A throwing listener must not break delivery to the others or our own bookkeeping. */
  private fire<K extends keyof GitterRealtimeEvents>(event: K, ...args: GitterRealtimeEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: GitterRealtimeEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.log.error("realtime listener threw", { event, error: err as Error });
    }
  }
}
