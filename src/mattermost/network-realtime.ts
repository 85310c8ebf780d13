// Mattermost's websocket (./websocket) as the network interface's RealtimeStream. The websocket carries every
// channel of the user; room events are passed on for watched channels only. It resumes a dropped connection with
// connection_id + sequence_number and says when it could not (a new connection id, a gap in seq, an event it could
// not read): that is reported as a Loss of every watched channel, messages included, and the core catches each up
// with historyAfter from its cursor. A resumed connection loses nothing and reports no Loss. The websocket only
// hears what happens while it is open and a channel only once watched, so the stream's first connection reports a
// Loss of the channels watched by then, and a channel watched later with a cursor a Loss of its own: whatever was
// posted after those cursors (while the bridge was down, before the portal was watched) is caught up. A direct or group
// channel closed or shown again in the user's preferences (./network-closed) is a room removed or added.
import type { ConnectionState, Loss, NetworkEvent, RealtimeListener, RealtimeStream, StateDetail } from "../network/realtime";
import type { Cursor } from "../network/types";
import { getLogger } from "../util/log";
import type { ClosedChannels } from "./network-closed";
import { toMessage, toNetworkError } from "./network-convert";
import type { UserCache } from "./network-user-cache";
import { MattermostWebsocket, type LossReason, type MattermostWebsocketOptions, type MmEvent, type WsState } from "./websocket";

const log = getLogger("mattermost.network");

const STATES: Record<WsState, ConnectionState> = {
  connecting: "connecting",
  connected: "connected",
  "backing-off": "reconnecting",
  "token-invalid": "token-invalid",
  stopped: "stopped",
};

export class MattermostStream implements RealtimeStream {
  private readonly ws: MattermostWebsocket;
  private listener: RealtimeListener | undefined;
  private readonly watched = new Set<string>();
  /** Connected since start(): channels watched from then on are told lost on their own. */
  private connectedOnce = false;

  constructor(
    options: MattermostWebsocketOptions,
    private readonly selfId: string,
    private readonly closed: ClosedChannels,
    /** Told when the socket connects or goes, may have missed events, and of each user_updated. */
    private readonly users?: UserCache,
  ) {
    this.ws = new MattermostWebsocket(options);
    this.ws.on("state", (state, detail) => this.onState(state, detail));
    this.ws.on("event", (event) => this.onEvent(event));
    this.ws.on("eventsLost", (reason) => this.onLost(reason));
  }

  get state(): ConnectionState {
    return STATES[this.ws.state];
  }

  /** The websocket has no catch-up of its own: the core catches channels up after a Loss. */
  get roomsCatchingUp(): number {
    return 0;
  }

  start(listener: RealtimeListener): void {
    this.listener = listener;
    this.connectedOnce = false;
    this.ws.start();
  }

  stop(): void {
    this.ws.stop();
  }

  /**
   * The websocket hears every channel already, but drops a channel's events until it is watched: what was posted
   * after `cursor` may be missing, and the core catches it up on the Loss (at the first connection, or now).
   */
  watch(roomId: string, cursor: Cursor | null): void {
    if (this.watched.has(roomId)) return;
    this.watched.add(roomId);
    if (cursor !== null && this.connectedOnce) this.report([roomId], "watched");
  }

  unwatch(roomId: string): void {
    this.watched.delete(roomId);
  }

  private onState(state: WsState, detail: { delayMs?: number; error?: Error }): void {
    this.users?.setLive(state === "connected");
    const out: StateDetail = {};
    if (detail.delayMs !== undefined) out.delayMs = detail.delayMs;
    if (detail.error) out.error = toNetworkError(detail.error) as Error;
    this.call((l) => l.state(STATES[state], out));
    if (state !== "connected" || this.connectedOnce) return;
    // Heard nothing before: posts made while no stream was open (the bridge down) are caught up from the cursors.
    this.connectedOnce = true;
    if (this.watched.size > 0) this.report([...this.watched], "first-connection");
  }

  private onLost(reason: LossReason): void {
    this.users?.forget();
    const loss: Loss = { rooms: [...this.watched], roomList: true, messagesCaughtUp: false, reason };
    this.call((l) => l.mayHaveLost(loss));
  }

  /** The session listed its rooms just before it started the stream or watched a room: the list is current. */
  private report(rooms: string[], reason: string): void {
    this.call((l) => l.mayHaveLost({ rooms, roomList: false, messagesCaughtUp: false, reason }));
  }

  private onEvent(e: MmEvent): void {
    if (e.type === "user_updated") return this.users?.forget(e.userId);
    if (e.type === "preferences") {
      void this.closed.changes(e.preferences, e.deleted).then((events) => events.forEach((ev) => this.call((l) => l.event(ev))), (err: unknown) => log.warn("closed channels not resolved", { error: err as Error }));
      return;
    }
    if (e.type === "posted") void this.closed.postArrived(e.channelId, e.post.user_id, e.channelType).catch((err: unknown) => log.warn("closed channel not shown again", { error: err as Error }));
    // Someone else's post raises the channel's unread messages, watched or not (a closed direct channel's too).
    if (e.type === "posted" && e.post.user_id !== this.selfId) this.call((l) => l.event({ type: "rooms", change: "unread", roomId: e.post.channel_id }));
    const event = this.translate(e);
    if (!event) return;
    if (event.type !== "rooms" && !this.watched.has(event.type === "message" || event.type === "edit" ? event.message.roomId : event.roomId)) return;
    this.call((l) => l.event(event));
  }

  private translate(e: MmEvent): NetworkEvent | undefined {
    switch (e.type) {
      case "posted":
        return { type: "message", message: toMessage(e.post) };
      case "post_edited":
        return { type: "edit", message: toMessage(e.post) };
      case "post_deleted":
        return { type: "delete", roomId: e.channelId, messageId: e.post.id };
      case "reaction_added":
      case "reaction_removed": {
        const r = e.reaction;
        return { type: "reaction", roomId: e.channelId, messageId: r.post_id, userId: r.user_id, reaction: r.emoji_name, added: e.type === "reaction_added" };
      }
      case "typing":
        return { type: "typing", roomId: e.channelId, userId: e.userId, typing: true };
      case "user_added":
        if (e.userId === this.selfId) return { type: "rooms", change: "added", roomId: e.channelId };
        return { type: "membership", roomId: e.channelId, userId: e.userId, change: "joined" };
      case "user_removed":
        if (e.userId === this.selfId) return { type: "rooms", change: "removed", roomId: e.channelId };
        return { type: "membership", roomId: e.channelId, userId: e.userId, change: "left" };
      case "channel_created":
        return { type: "rooms", change: "added", roomId: e.channelId };
      case "channels_viewed":
        // Several channels at once: each is passed on by itself.
        for (const [roomId, at] of Object.entries(e.channelTimes)) {
          if (this.watched.has(roomId)) this.call((l) => l.event({ type: "read", roomId, userId: this.selfId, at }));
        }
        return undefined;
      case "other":
      case "preferences":
      case "user_updated":
        return undefined;
    }
  }

  /** A throwing listener must not break the websocket's own bookkeeping. */
  private call(fn: (l: RealtimeListener) => void): void {
    if (!this.listener) return;
    try {
      fn(this.listener);
    } catch (err) {
      log.error("network listener threw", { error: err as Error });
    }
  }
}
